import { Module } from '@nestjs/common';
import { ReportsModule } from '@app/reports';
import { AttendanceRepository } from './attendance.repository';
import { ShiftsRepository } from './shifts.repository';
import { ExportsRepository } from './exports.repository';
import { SummaryRepository } from './summary.repository';
import { Clock, SystemClock } from './clock';
import { AttendanceEngine } from './engine/attendance-engine.service';
import { AttendanceService } from './attendance.service';
import { ShiftsService } from './shifts.service';
import { AttendanceMaintenanceService } from './attendance-maintenance.service';
import { ExportsService } from './exports.service';
import { ExportRunner } from './export-runner.service';
import { SystemSummaryService } from './system-summary.service';

/**
 * Attendance: the engine (sightings -> presence + logs), shifts, logs/statistics, the mark-missed
 * job, exports (request + runner) and the dashboard summary. Needs the platform's global modules
 * (config, database, Redis, queue, storage, alerts).
 */
@Module({
  imports: [ReportsModule],
  providers: [
    { provide: Clock, useClass: SystemClock },
    AttendanceRepository,
    ShiftsRepository,
    ExportsRepository,
    SummaryRepository,
    AttendanceEngine,
    AttendanceService,
    ShiftsService,
    AttendanceMaintenanceService,
    ExportsService,
    ExportRunner,
    SystemSummaryService,
  ],
  exports: [
    Clock,
    AttendanceRepository,
    AttendanceEngine,
    AttendanceService,
    ShiftsService,
    AttendanceMaintenanceService,
    ExportsService,
    ExportRunner,
    SystemSummaryService,
  ],
})
export class AttendanceModule {}
