export * from './permissions';
export * from './auth.decorators';
export * from './token.service';
export * from './auth.service';
export * from './guards';
export * from './auth.module';
export * from './dto/auth.dto';
