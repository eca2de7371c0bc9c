import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { HttpMetricsMiddleware, SystemOpsModule } from '@app/system';
import { AlertsController } from '../controllers/alerts.controller';
import { NotificationsController } from '../controllers/notifications.controller';
import { BannerMessagesController, SystemController } from '../controllers/system.controller';
import { I18nController, SettingsController } from '../controllers/settings.controller';
import { DeveloperController } from '../controllers/developer.controller';
import { MetricsController } from '../controllers/metrics.controller';

/**
 * Operations surface of the api: alerts, notifications, system health and services, banners,
 * settings, the developer console and Prometheus metrics (plus HTTP metrics of every request).
 */
@Module({
  imports: [SystemOpsModule],
  controllers: [
    AlertsController,
    NotificationsController,
    SystemController,
    BannerMessagesController,
    I18nController,
    SettingsController,
    DeveloperController,
    MetricsController,
  ],
})
export class OpsApiModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
