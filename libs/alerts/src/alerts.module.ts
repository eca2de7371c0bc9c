import { Global, Module } from '@nestjs/common';
import { AlertsRepository } from './alerts.repository';
import { AlertsService, NotificationsService } from './alerts.service';

/** Global: every domain (cameras, detections, odoo, system) raises alerts through the same service. */
@Global()
@Module({
  providers: [AlertsRepository, AlertsService, NotificationsService],
  exports: [AlertsRepository, AlertsService, NotificationsService],
})
export class AlertsModule {}
