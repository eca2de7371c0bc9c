import { join, resolve } from 'node:path';
import bcrypt from 'bcrypt';
import { type DataSource, type EntityTarget, type ObjectLiteral, type QueryDeepPartialEntity, Raw } from 'typeorm';
import { DEFAULT_ROLES, type RoleSeed } from '@app/auth/permissions';
import type { EnvDto } from '@app/core/config/env.dto';
import { SecretBox } from '@app/core/crypto/secret-box';
import { CameraEntity, type CameraStreamType } from '@app/cameras/entities/camera.entity';
import { FaceProfileEntity } from '@app/faces/entities/face-profile.entity';
import { ShiftScheduleEntity } from '@app/attendance/entities/shift-schedule.entity';
import { UserEntity } from '@app/users/entities/user.entity';

/** The part of the env the seed needs. */
export type SeedEnv = Pick<EnvDto, 'ADMIN_EMAIL' | 'ADMIN_PASSWORD' | 'BCRYPT_ROUNDS' | 'ENCRYPTION_KEY'>;

export interface SeedOptions {
  /** Also add demo cameras, shifts and face profiles. */
  demo?: boolean;
  /** Folder holding the demo videos (default: <cwd>/test/fixtures/photos). */
  demoMediaDir?: string;
}

export interface SeedReport {
  /** Roles inserted or brought back in line with DEFAULT_ROLES. */
  rolesChanged: string[];
  admin: { email: string; created: boolean };
  /** Ids of the demo rows inserted by this run (existing rows are never touched). */
  demo?: { cameras: string[]; shifts: string[]; faceProfiles: string[] };
}

export const ADMIN_ROLE_ID = 'ROLE-ADMIN';

/**
 * Idempotent seed: run it any number of times.
 * - roles: upserted from DEFAULT_ROLES (code is the source of truth for permissions);
 * - admin: created from ADMIN_EMAIL / ADMIN_PASSWORD when missing, an existing admin is left alone
 *   (its password is never overwritten);
 * - demo (opt-in): inserted when missing, never updated, so operator edits survive a re-seed.
 */
export class SeedService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly env: SeedEnv,
  ) {}

  async run(options: SeedOptions = {}): Promise<SeedReport> {
    const rolesChanged = await this.seedRoles();
    const admin = await this.seedAdmin();
    const report: SeedReport = { rolesChanged, admin };
    if (options.demo) report.demo = await this.seedDemo(options.demoMediaDir);
    return report;
  }

  /** Upsert DEFAULT_ROLES; returns the ids inserted or changed. */
  async seedRoles(roles: readonly RoleSeed[] = DEFAULT_ROLES): Promise<string[]> {
    const changed: string[] = [];
    for (const role of roles) {
      const rows: unknown = await this.dataSource.query(
        `INSERT INTO roles (id, name, description, permissions)
         VALUES ($1, $2, $3, $4::jsonb)
         ON CONFLICT (id) DO UPDATE
           SET name = EXCLUDED.name, description = EXCLUDED.description,
               permissions = EXCLUDED.permissions, updated_at = now()
         WHERE (roles.name, roles.description, roles.permissions)
               IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.description, EXCLUDED.permissions)
         RETURNING id`,
        [role.id, role.name, role.description, JSON.stringify(role.permissions)],
      );
      if (Array.isArray(rows) && rows.length > 0) changed.push(role.id);
    }
    return changed;
  }

  /** Create the admin user when no user has ADMIN_EMAIL (case-insensitive). */
  async seedAdmin(): Promise<{ email: string; created: boolean }> {
    const email = this.env.ADMIN_EMAIL.trim().toLowerCase();
    const users = this.dataSource.getRepository(UserEntity);
    const exists = await users.exists({
      where: { email: Raw((alias) => `lower(${alias}) = :email`, { email }) },
    });
    if (exists) return { email, created: false };
    const hashedPassword = await bcrypt.hash(this.env.ADMIN_PASSWORD, this.env.BCRYPT_ROUNDS);
    const result = await users
      .createQueryBuilder()
      .insert()
      .values({ email, name: 'Administrator', hashedPassword, roleId: ADMIN_ROLE_ID, status: 'active' })
      .orIgnore() // a concurrent seed won the race: keep its row
      .returning('id')
      .execute();
    return { email, created: insertedCount(result.raw) > 0 };
  }

  async seedDemo(mediaDir = resolve(process.cwd(), 'test/fixtures/photos')): Promise<NonNullable<SeedReport['demo']>> {
    const box = new SecretBox(this.env.ENCRYPTION_KEY);
    const cameras = DEMO_CAMERAS.map((c) => {
      const source = c.file ? join(mediaDir, c.file) : c.url;
      // Demo cameras start disabled: sampled before anyone is enrolled, every face would raise an
      // Unknown Face alert. An operator (or scripts/demo.ts, after enrolling people) enables them.
      const enabled = false;
      return {
        id: c.id,
        name: c.name,
        location: c.location,
        streamType: c.streamType,
        streamUrl: box.encrypt(source),
        streamUrlMasked: maskUrlPassword(source),
        ipAddress: c.ip ?? null,
        tags: c.tags,
        enabled,
        samplingEnabled: enabled,
      };
    });
    const shifts = DEMO_SHIFTS.map((s) => ({ ...s }));
    const profiles = DEMO_PEOPLE.map(([employeeId, name, department]) => ({
      employeeId,
      name,
      department,
      status: 'pending' as const,
    }));

    return this.dataSource.transaction(async (manager) => {
      const insert = async <T extends ObjectLiteral>(
        entity: EntityTarget<T>,
        rows: QueryDeepPartialEntity<T>[],
        key: string,
      ): Promise<string[]> => {
        const result = await manager
          .createQueryBuilder()
          .insert()
          .into(entity)
          .values(rows)
          .orIgnore() // existing rows win: operator edits survive a re-seed
          .returning(key) // (the string form: TypeORM ignores an array here on postgres)
          .execute();
        return returnedValues(result.raw, key);
      };
      return {
        cameras: await insert<CameraEntity>(CameraEntity, cameras, 'id'),
        shifts: await insert<ShiftScheduleEntity>(ShiftScheduleEntity, shifts, 'id'),
        faceProfiles: await insert<FaceProfileEntity>(FaceProfileEntity, profiles, 'employee_id'),
      };
    });
  }
}

/** 'rtsp://user:secret@host/x' -> 'rtsp://user:***@host/x'; anything that is not a URL is returned as is. */
export function maskUrlPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*):[^@/\s]*@/i, '$1:***@');
}

function insertedCount(raw: unknown): number {
  return Array.isArray(raw) ? raw.length : 0;
}

function returnedValues(raw: unknown, key: string): string[] {
  if (!Array.isArray(raw)) return [];
  return raw
    .map((row: unknown) => (typeof row === 'object' && row !== null ? (row as Record<string, unknown>)[key] : undefined))
    .filter((v): v is string => typeof v === 'string');
}

interface DemoCamera {
  id: string;
  name: string;
  location: string;
  streamType: CameraStreamType;
  /** Local file name under the media dir... */
  file?: string;
  /** ...or a placeholder URL. */
  url: string;
  ip?: string;
  tags: string[];
}

const DEMO_CAMERAS: DemoCamera[] = [
  {
    id: 'CAM-01',
    name: 'Main Entrance',
    location: 'Building A - Lobby',
    streamType: 'Local File',
    file: 'franck.mp4',
    url: '',
    tags: ['primary', 'entry', 'demo'],
  },
  {
    id: 'CAM-02',
    name: 'Reception',
    location: 'Building A - Reception',
    streamType: 'Local File',
    file: 'reception.mp4',
    url: '',
    tags: ['entry', 'demo'],
  },
  {
    id: 'CAM-03',
    name: 'Loading Dock',
    location: 'Warehouse - Dock 2',
    streamType: 'RTSP',
    url: 'rtsp://admin:change-me@192.168.1.63:554/Streaming/Channels/101',
    ip: '192.168.1.63',
    tags: ['warehouse', 'demo'],
  },
  {
    id: 'CAM-04',
    name: 'North Gate',
    location: 'Outdoor - Parking North',
    streamType: 'RTSP',
    url: 'rtsp://admin:change-me@192.168.1.64:554/stream1',
    ip: '192.168.1.64',
    tags: ['perimeter', 'demo'],
  },
  {
    id: 'CAM-05',
    name: 'Server Room',
    location: 'Building B - Level 1',
    streamType: 'RTSP',
    url: 'rtsp://admin:change-me@192.168.1.65:554/stream1',
    ip: '192.168.1.65',
    tags: ['restricted', 'demo'],
  },
  {
    id: 'CAM-06',
    name: 'Cafeteria',
    location: 'Building B - Ground Floor',
    streamType: 'RTSP',
    url: 'rtsp://admin:change-me@192.168.1.66:554/stream1',
    ip: '192.168.1.66',
    tags: ['common-area', 'demo'],
  },
];

const DEMO_SHIFTS: Partial<ShiftScheduleEntity>[] = [
  {
    id: 'SHIFT-MORNING',
    name: 'Morning',
    startTime: '06:00:00',
    endTime: '14:00:00',
    location: 'Warehouse',
    expectedHeadcount: 3,
    departments: ['Operations', 'Facilities'],
  },
  {
    id: 'SHIFT-DAY',
    name: 'Day',
    startTime: '09:00:00',
    endTime: '17:30:00',
    location: 'Building A',
    expectedHeadcount: 6,
    departments: ['Engineering', 'Finance', 'HR'],
  },
  {
    id: 'SHIFT-NIGHT',
    name: 'Night',
    startTime: '22:00:00',
    endTime: '06:00:00',
    location: 'Site-wide',
    expectedHeadcount: 2,
    departments: ['Security'],
    daysOfWeek: [1, 2, 3, 4, 5, 6, 7],
  },
];

const DEMO_PEOPLE: [employeeId: string, name: string, department: string][] = [
  ['EMP-0001', 'Amelia Hart', 'Engineering'],
  ['EMP-0002', 'Bilal Rahman', 'Engineering'],
  ['EMP-0003', 'Chen Wei', 'Engineering'],
  ['EMP-0004', 'Diana Lopez', 'Operations'],
  ['EMP-0005', 'Emeka Obi', 'Operations'],
  ['EMP-0006', 'Fatima Zahra', 'Operations'],
  ['EMP-0007', 'Gustav Berg', 'Security'],
  ['EMP-0008', 'Hana Sato', 'Security'],
  ['EMP-0009', 'Ivan Petrov', 'Facilities'],
  ['EMP-0010', 'Julia Rossi', 'Finance'],
  ['EMP-0011', 'Kofi Mensah', 'Finance'],
  ['EMP-0012', 'Lena Fischer', 'HR'],
];
