export * from './entities/attendance-log.entity';
export * from './entities/attendance-record.entity';
export * from './entities/shift-schedule.entity';
export * from './entities/export-job.entity';
export * from './engine/sighting';
export * from './engine/attendance-engine.service';
export * from './attendance.module';
