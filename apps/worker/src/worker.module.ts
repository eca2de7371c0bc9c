import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { ConfigModule, RedisModule } from '@app/core';
import { QueueModule } from '@app/queue';
import { RealtimeModule } from '@app/realtime';
import { StorageModule } from '@app/storage';
import { DatabaseModule } from '@app/database';
import { AlertsModule } from '@app/alerts';
import { FacesModule } from '@app/faces';
import { ControlListenerService } from './control/control-listener.service';
import { QueueWorkersService } from './control/queue-workers.service';
import { HealthServerService } from './health/health-server.service';
import { HeartbeatService } from './heartbeat/heartbeat.service';
import { MaintenanceProcessor } from './processors/maintenance.processor';
import { CameraJobs, CameraWatchdogScheduler } from './processors/cameras.processor';
import { FaceJobs, FaceStorageSweepScheduler } from './processors/faces.processor';
import { CamerasModule } from '@app/cameras';
import { OdooModule } from '@app/odoo';
import { OdooSyncProcessor, OdooSyncScheduler } from './processors/odoo-sync.processor';
import { WorkerIdentity } from './worker-identity';
import { SystemJobsModule } from '@app/system';
import { OpsJobs } from './processors/ops.processor';
import { DetectionPipelineModule } from '@app/detections';
import { DetectionMaintenanceJobs, DetectionProcessor, ProviderHealthScheduler } from './processors/detection.processor';
import { JobMetricsService } from './metrics/job-metrics.service';
import { AttendanceModule } from '@app/attendance';
import { AttendanceJobs, MarkMissedScheduler } from './processors/attendance.processor';
import { ExportsProcessor } from './processors/exports.processor';

/** Platform and domain modules of the worker: one line per feature. */
export const WORKER_IMPORTS = [
  ConfigModule,
  RedisModule,
  DatabaseModule.forRoot(),
  QueueModule.forRoot(),
  ScheduleModule.forRoot(),
  StorageModule,
  RealtimeModule,
  AlertsModule,
  FacesModule,
  CamerasModule,
  OdooModule,
  DiscoveryModule,
  SystemJobsModule,
  DetectionPipelineModule,
  AttendanceModule,
];

/** One @Processor class per queue; add the others here. */
export const WORKER_PROCESSORS = [
  MaintenanceProcessor,
  CameraJobs,
  CameraWatchdogScheduler,
  FaceJobs,
  FaceStorageSweepScheduler,
  OdooSyncProcessor,
  OdooSyncScheduler,
  OpsJobs,
  DetectionProcessor,
  DetectionMaintenanceJobs,
  ProviderHealthScheduler,
  AttendanceJobs,
  MarkMissedScheduler,
  ExportsProcessor,
];

/** Process plumbing: identity, heartbeat, control channel, health port. */
export const WORKER_RUNTIME = [
  WorkerIdentity,
  QueueWorkersService,
  HeartbeatService,
  ControlListenerService,
  HealthServerService,
  JobMetricsService,
];

@Module({
  imports: [...WORKER_IMPORTS],
  providers: [...WORKER_RUNTIME, ...WORKER_PROCESSORS],
})
export class WorkerModule {}
