import { Module } from '@nestjs/common';
import { AttendanceEngine } from './engine/attendance-engine.service';

@Module({
  providers: [AttendanceEngine],
  exports: [AttendanceEngine],
})
export class AttendanceModule {}
