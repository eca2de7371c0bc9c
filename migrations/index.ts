import type { MigrationInterface } from 'typeorm';
import { InitialSchema1764150000000 } from './1764150000000-InitialSchema';
import { FaceEmbeddings1795700823510 } from './1795700823510-FaceEmbeddings';
import { NotificationAcknowledgements1795700971624 } from './1795700971624-NotificationAcknowledgements';
import { AttendanceEngine1795701000000 } from './1795701000000-AttendanceEngine';
import { AlertListIndexes1795702377926 } from './1795702377926-AlertListIndexes';
import { UsersSearchKey1795790000000 } from './1795790000000-UsersSearchKey';

/** Every migration, oldest first. Add each new migration here (`migrate:generate` reminds you). */
export const MIGRATIONS: (new () => MigrationInterface)[] = [
  InitialSchema1764150000000,
  FaceEmbeddings1795700823510,
  NotificationAcknowledgements1795700971624,
  AttendanceEngine1795701000000,
  AlertListIndexes1795702377926,
  UsersSearchKey1795790000000,
];
