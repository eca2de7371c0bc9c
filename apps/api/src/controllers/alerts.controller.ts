import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiPaginatedResponse, Paginated } from '@app/core';
import { PERMISSIONS, RequirePermission } from '@app/auth';
import { AlertDto, AlertIdParam, AlertsService, ListAlertsQueryDto, MuteAlertDto, MutedKindsDto } from '@app/alerts';

@ApiTags('alerts')
@Controller('alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  /** Alerts, newest first; filters: level (one or a comma-separated list), acknowledged, cameraId, kind, resolved, muted. */
  @RequirePermission(PERMISSIONS.ALERTS_READ)
  @ApiPaginatedResponse(AlertDto)
  @Get()
  list(@Query() q: ListAlertsQueryDto): Promise<Paginated<AlertDto>> {
    return this.alerts.list(q);
  }

  /** Alert kinds currently muted (their new alerts are recorded but not pushed). */
  @RequirePermission(PERMISSIONS.ALERTS_READ)
  @Get('muted-kinds')
  mutedKinds(): Promise<MutedKindsDto> {
    return this.alerts.mutedKinds();
  }

  /** Acknowledge an alert. */
  @RequirePermission(PERMISSIONS.ALERTS_WRITE)
  @Post(':id/acknowledge')
  @HttpCode(HttpStatus.OK)
  acknowledge(@Param('id', AlertIdParam) id: string): Promise<AlertDto> {
    return this.alerts.acknowledge(id);
  }

  /** Mute an alert; with `{"kind": true}` also its kind, so new alerts of that kind are not pushed (undo: unmute). */
  @RequirePermission(PERMISSIONS.ALERTS_WRITE)
  @Post(':id/mute')
  @HttpCode(HttpStatus.OK)
  mute(@Param('id', AlertIdParam) id: string, @Body() dto: MuteAlertDto): Promise<AlertDto> {
    return this.alerts.mute(id, dto);
  }

  /** Unmute an alert; with `{"kind": true}` also its kind. */
  @RequirePermission(PERMISSIONS.ALERTS_WRITE)
  @Post(':id/unmute')
  @HttpCode(HttpStatus.OK)
  unmute(@Param('id', AlertIdParam) id: string, @Body() dto: MuteAlertDto): Promise<AlertDto> {
    return this.alerts.unmute(id, dto);
  }

  /** Delete an alert (if its cause persists, the next occurrence raises a new one). */
  @RequirePermission(PERMISSIONS.ALERTS_DELETE)
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  remove(@Param('id', AlertIdParam) id: string): Promise<void> {
    return this.alerts.remove(id);
  }
}
