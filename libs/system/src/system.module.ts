import { Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { AppVersionService } from './version/app-version';
import { WorkerRegistryService } from './workers/worker-registry.service';
import { HealthService } from './health/health.service';
import { SystemMetricsRepository } from './metrics/system-metrics.repository';
import { MetricsCollectorService, SystemMetricsService } from './metrics/system-metrics.service';
import { RetentionRepository } from './retention/retention.repository';
import { RetentionService } from './retention/retention.service';
import { OpsSchedulesService } from './schedules/ops-schedules.service';
import { ApiHeartbeatService } from './services/api-heartbeat';
import { SystemStatusRepository } from './services/system-status.repository';
import { SystemServicesService } from './services/system-services.service';
import { SystemInfoRepository } from './info/system-info.repository';
import { SystemInfoService } from './info/system-info.service';
import { BannerService } from './banners/banner.service';
import { PreferencesRepository } from './settings/preferences.repository';
import { SettingsService } from './settings/settings.service';
import { ApiDocumentHolder } from './developer/api-document.holder';
import { DeveloperService } from './developer/developer.service';
import { PrometheusRepository } from './prometheus/prometheus.repository';
import { ApiMetricsService } from './prometheus/api-metrics.service';
import { MetricsServerService } from './prometheus/metrics-server.service';
import { HttpMetricsMiddleware } from './prometheus/http-metrics.middleware';

/** What both apps use: version, worker registry, stored metrics. */
@Module({
  providers: [AppVersionService, WorkerRegistryService, SystemMetricsRepository, SystemMetricsService],
  exports: [AppVersionService, WorkerRegistryService, SystemMetricsRepository, SystemMetricsService],
})
export class SystemModule {}

/**
 * Worker side of operations: the `collect-metrics` and `cleanup` jobs and their schedules.
 * Needs the global platform modules (config, Redis, database, queue, storage, alerts).
 */
@Module({
  imports: [SystemModule, AuditModule],
  providers: [MetricsCollectorService, RetentionRepository, RetentionService, OpsSchedulesService],
  exports: [MetricsCollectorService, RetentionService],
})
export class SystemJobsModule {}

/**
 * Api side of operations: health of services (with this process's heartbeat), network metrics,
 * uptime, version, banners, settings, the developer console and Prometheus metrics.
 */
@Module({
  imports: [SystemModule],
  providers: [
    HealthService,
    ApiHeartbeatService,
    SystemStatusRepository,
    SystemServicesService,
    SystemInfoRepository,
    SystemInfoService,
    BannerService,
    PreferencesRepository,
    SettingsService,
    ApiDocumentHolder,
    DeveloperService,
    PrometheusRepository,
    ApiMetricsService,
    MetricsServerService,
    HttpMetricsMiddleware,
  ],
  exports: [
    SystemModule,
    ApiHeartbeatService,
    SystemServicesService,
    SystemInfoService,
    BannerService,
    SettingsService,
    ApiDocumentHolder,
    DeveloperService,
    ApiMetricsService,
    MetricsServerService,
    HttpMetricsMiddleware,
  ],
})
export class SystemOpsModule {}
