import { Module } from '@nestjs/common';
import { AttendanceModule } from '@app/attendance';
import { AttendanceController } from '../controllers/attendance.controller';
import { ShiftsController } from '../controllers/shifts.controller';
import { ExportsController } from '../controllers/exports.controller';
import { SystemSummaryController } from '../controllers/system-summary.controller';

/** Attendance, shifts, exports and the dashboard summary. */
@Module({
  imports: [AttendanceModule],
  controllers: [AttendanceController, ShiftsController, ExportsController, SystemSummaryController],
})
export class AttendanceApiModule {}
