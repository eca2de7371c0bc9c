import { Global, Module } from '@nestjs/common';
import { StorageService } from './storage.service';

/** Provides StorageService to both apps (needs the global ConfigModule). */
@Global()
@Module({ providers: [StorageService], exports: [StorageService] })
export class StorageModule {}
