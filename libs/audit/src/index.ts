export * from './entities/audit-log.entity';
export * from './dto/audit.dto';
export * from './audit.repository';
export * from './audit.service';
export * from './audit.interceptor';
export * from './audit.module';
export * from './redact';
