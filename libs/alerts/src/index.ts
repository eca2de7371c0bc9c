export * from './entities/alert.entity';
export * from './entities/notification.entity';
export * from './dto/alert.dto';
export * from './alerts.repository';
export * from './alerts.service';
export * from './alert-id.pipe';
export * from './alerts.module';
