import { Body, Controller, Get, HttpCode, HttpStatus, Post, Put, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiTags } from '@nestjs/swagger';
import { Paginated } from '@app/core';
import type { AuthPrincipal } from '@app/core';
import { CurrentUser, PERMISSIONS, RequirePermission } from '@app/auth';
import {
  ListOdooSyncLogsQueryDto,
  OdooConfigDto,
  OdooConfigService,
  OdooStatusDto,
  OdooSyncAcceptedDto,
  OdooSyncLogDto,
  OdooSyncService,
  OdooTestResultDto,
  StartOdooSyncDto,
  UpdateOdooConfigDto,
} from '@app/odoo';

@ApiTags('odoo')
@Controller('odoo')
export class OdooController {
  constructor(
    private readonly config: OdooConfigService,
    private readonly syncs: OdooSyncService,
  ) {}

  /** The Odoo connection settings and sync counters (the API key masked as `***`). */
  @RequirePermission(PERMISSIONS.ODOO_READ)
  @Get('config')
  getConfig(): Promise<OdooConfigDto> {
    return this.config.getConfig();
  }

  /**
   * Change the Odoo settings; omitted fields keep their value. The API key is stored encrypted;
   * send `***` (or omit it) to keep the stored key, null to remove it.
   */
  @RequirePermission(PERMISSIONS.ODOO_WRITE)
  @Put('config')
  updateConfig(@Body() dto: UpdateOdooConfigDto): Promise<OdooConfigDto> {
    return this.config.updateConfig(dto);
  }

  /** Test the stored settings: server version, authentication and access to attendances. Updates the config status. */
  @RequirePermission(PERMISSIONS.ODOO_WRITE)
  @Post('test')
  @HttpCode(HttpStatus.OK)
  test(): Promise<OdooTestResultDto> {
    return this.config.testConnection();
  }

  /**
   * Queue a sync of the attendance logs waiting for Odoo (or of `recordIds`). While a full sync is
   * queued or running, asking again returns that job (`deduplicated: true`).
   */
  @RequirePermission(PERMISSIONS.ODOO_SYNC)
  @Post('sync')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ type: OdooSyncAcceptedDto })
  sync(@Body() dto: StartOdooSyncDto, @CurrentUser() actor: AuthPrincipal): Promise<OdooSyncAcceptedDto> {
    return this.syncs.requestSync(dto, actor);
  }

  /** The history of pushes to Odoo, newest first, filtered by result, employee, log and time. */
  @RequirePermission(PERMISSIONS.ODOO_READ)
  @Get('logs')
  logs(@Query() q: ListOdooSyncLogsQueryDto): Promise<Paginated<OdooSyncLogDto>> {
    return this.syncs.logs(q);
  }

  /** Connection status, counts of pending / failed / synced logs, the running sync and the next automatic one. */
  @RequirePermission(PERMISSIONS.ODOO_READ)
  @Get('status')
  status(): Promise<OdooStatusDto> {
    return this.syncs.status();
  }
}
