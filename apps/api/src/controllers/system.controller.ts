import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { UuidParam, badRequest } from '@app/core';
import type { AuthPrincipal, ClientInfo } from '@app/core';
import { Client, CurrentUser, PERMISSIONS, RequirePermission } from '@app/auth';
import { SkipAudit } from '@app/audit';
import {
  BannerDto,
  BannerService,
  CreateBannerDto,
  NetworkMetricsDto,
  RestartResultDto,
  SERVICE_ID_PATTERN,
  SystemHealthMetricsDto,
  SystemInfoService,
  SystemMetricsService,
  SystemServiceDto,
  SystemServicesService,
  UptimeDto,
  VersionDto,
} from '@app/system';

@ApiTags('system')
@Controller('system')
export class SystemController {
  constructor(
    private readonly metrics: SystemMetricsService,
    private readonly services: SystemServicesService,
    private readonly info: SystemInfoService,
  ) {}

  /** CPU, memory, disk, network, event-loop lag and queue depths of the latest collection (every 60 s). */
  @RequirePermission(PERMISSIONS.SYSTEM_READ)
  @Get('health/metrics')
  healthMetrics(): Promise<SystemHealthMetricsDto> {
    return this.metrics.latest();
  }

  /** Live state of api processes, workers, PostgreSQL, Redis, object storage, the detection provider and Odoo. */
  @RequirePermission(PERMISSIONS.SYSTEM_READ)
  @Get('health/services')
  healthServices(): Promise<SystemServiceDto[]> {
    return this.services.list();
  }

  /**
   * Restart a service: `worker-queues` (every worker), `worker:<host>:<pid>`, `redis-cache` (flush caches)
   * or `detection-provider` (re-probe). 409 for services the API cannot restart, 404 for unknown ids.
   */
  @RequirePermission(PERMISSIONS.SYSTEM_WRITE)
  @SkipAudit()
  @Post('services/:id/restart')
  @HttpCode(HttpStatus.ACCEPTED)
  restart(@Param('id') id: string, @CurrentUser() user: AuthPrincipal, @Client() client: ClientInfo): Promise<RestartResultDto> {
    if (!SERVICE_ID_PATTERN.test(id)) throw badRequest('Malformed service id', [{ field: 'id', issue: 'malformed' }]);
    return this.services.restart(id, { actor: user, ip: client.ip, userAgent: client.userAgent });
  }

  /** Per-camera latency, bitrate and fps measured by the camera watchdog. */
  @RequirePermission(PERMISSIONS.SYSTEM_READ)
  @Get('network-metrics')
  networkMetrics(): Promise<NetworkMetricsDto> {
    return this.info.networkMetrics();
  }

  /** Uptime of this api process and of every live process, and each camera's uptime today. */
  @RequirePermission(PERMISSIONS.SYSTEM_READ)
  @Get('uptime')
  uptime(): Promise<UptimeDto> {
    return this.info.uptime();
  }

  /** Version (semver) and commit of the running build. */
  @RequirePermission(PERMISSIONS.SYSTEM_READ)
  @Get('version')
  version(): VersionDto {
    return this.info.getVersion();
  }
}

@ApiTags('system')
@Controller('services/banner-messages')
export class BannerMessagesController {
  constructor(private readonly banners: BannerService) {}

  /** Banner messages that have not expired, newest first. */
  @RequirePermission(PERMISSIONS.SYSTEM_READ)
  @Get()
  list(): Promise<BannerDto[]> {
    return this.banners.list();
  }

  /** Post a banner message with an expiry (expiresAt, or ttlMinutes; default 24 h, at most 30 days). */
  @RequirePermission(PERMISSIONS.SYSTEM_WRITE)
  @Post()
  create(@Body() dto: CreateBannerDto, @CurrentUser() user: AuthPrincipal): Promise<BannerDto> {
    return this.banners.create(dto, user);
  }

  /** Remove a banner message before it expires. */
  @RequirePermission(PERMISSIONS.SYSTEM_WRITE)
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  remove(@Param('id', UuidParam) id: string): Promise<void> {
    return this.banners.remove(id);
  }
}
