import { Module } from '@nestjs/common';
import { OdooConfigService } from './odoo-config.service';
import { OdooAttendanceRepository } from './repositories/odoo-attendance.repository';
import { OdooConfigRepository } from './repositories/odoo-config.repository';
import { OdooSyncLogRepository } from './repositories/odoo-sync-log.repository';
import { OdooEmployeeDirectory } from './sync/odoo-employee.directory';
import { OdooSyncLock } from './sync/odoo-sync.lock';
import { OdooSyncRunner } from './sync/odoo-sync.runner';
import { OdooSyncService } from './sync/odoo-sync.service';

/**
 * Odoo integration: settings (OdooConfigService), starting and watching syncs (OdooSyncService,
 * api side) and running them (OdooSyncRunner, worker side). Needs the platform's global modules:
 * config, Redis, database, queue, alerts.
 */
@Module({
  providers: [
    OdooConfigRepository,
    OdooSyncLogRepository,
    OdooAttendanceRepository,
    OdooConfigService,
    OdooEmployeeDirectory,
    OdooSyncLock,
    OdooSyncRunner,
    OdooSyncService,
  ],
  exports: [OdooConfigService, OdooSyncService, OdooSyncRunner, OdooSyncLock],
})
export class OdooModule {}
