import { AlertEntity } from '@app/alerts/entities/alert.entity';
import { NotificationEntity } from '@app/alerts/entities/notification.entity';
import { AttendanceLogEntity } from '@app/attendance/entities/attendance-log.entity';
import { AttendanceLogSequenceEntity } from '@app/attendance/entities/attendance-log-sequence.entity';
import { AttendanceLogPersonEntity } from '@app/attendance/entities/attendance-log-person.entity';
import { AttendanceRecordEntity } from '@app/attendance/entities/attendance-record.entity';
import { ExportJobEntity } from '@app/attendance/entities/export-job.entity';
import { ShiftScheduleEntity } from '@app/attendance/entities/shift-schedule.entity';
import { AuditLogEntity } from '@app/audit/entities/audit-log.entity';
import { CameraSummaryEntity } from '@app/cameras/entities/camera-summary.entity';
import { CameraEntity } from '@app/cameras/entities/camera.entity';
import { DetectionEventLogEntity } from '@app/detections/entities/detection-event-log.entity';
import { DetectionProviderConfigEntity } from '@app/detections/entities/detection-provider-config.entity';
import { DetectionEntity } from '@app/detections/entities/detection.entity';
import { FaceEmbeddingEntity } from '@app/faces/entities/face-embedding.entity';
import { FaceImageEntity } from '@app/faces/entities/face-image.entity';
import { FaceProfileEntity } from '@app/faces/entities/face-profile.entity';
import { OdooConfigEntity } from '@app/odoo/entities/odoo-config.entity';
import { OdooSyncLogEntity } from '@app/odoo/entities/odoo-sync-log.entity';
import { SystemMetricEntity } from '@app/system/entities/system-metric.entity';
import { SystemServiceEntity } from '@app/system/entities/system-service.entity';
import { RoleEntity } from '@app/users/entities/role.entity';
import { UserPreferenceEntity } from '@app/users/entities/user-preference.entity';
import { UserSessionEntity } from '@app/users/entities/user-session.entity';
import { UserEntity } from '@app/users/entities/user.entity';

/**
 * The 22 tables. Entities live in their domain library; this list is the one place the DataSource
 * learns about them (no globs: the same list works from TS sources under jest and from dist/).
 */
export const ALL_ENTITIES = [
  RoleEntity,
  UserEntity,
  UserSessionEntity,
  UserPreferenceEntity,
  AuditLogEntity,
  CameraEntity,
  CameraSummaryEntity,
  DetectionEntity,
  DetectionEventLogEntity,
  DetectionProviderConfigEntity,
  ShiftScheduleEntity,
  AttendanceLogEntity,
  AttendanceLogSequenceEntity,
  AttendanceLogPersonEntity,
  AttendanceRecordEntity,
  ExportJobEntity,
  FaceProfileEntity,
  FaceImageEntity,
  FaceEmbeddingEntity,
  OdooConfigEntity,
  OdooSyncLogEntity,
  AlertEntity,
  NotificationEntity,
  SystemMetricEntity,
  SystemServiceEntity,
] as const;

export type AppEntity = (typeof ALL_ENTITIES)[number];
