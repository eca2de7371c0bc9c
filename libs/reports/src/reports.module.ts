import { Module } from '@nestjs/common';
import { ChromiumClient } from './chromium.client';

/** Report rendering: Chromium (PDF) client. CSV helpers are plain functions (./csv). */
@Module({
  providers: [ChromiumClient],
  exports: [ChromiumClient],
})
export class ReportsModule {}
