import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import bcrypt from 'bcrypt';
import { DataSource } from 'typeorm';
import { CameraEntity } from '@app/cameras/entities/camera.entity';
import { EnvDto, loadEnv } from '@app/core/config/env.dto';
import { DatabaseModule } from '@app/database/database.module';
import { createDataSource } from '@app/database/data-source';
import { ALL_ENTITIES } from '@app/database/entities';
import { SeedService, type SeedEnv } from '@app/database/seed/seed.service';
import { isUniqueViolation, pgErrorCode } from '@app/database/transaction';
import { DetectionEntity } from '@app/detections/entities/detection.entity';
import { DetectionProviderConfigEntity } from '@app/detections/entities/detection-provider-config.entity';
import { AttendanceLogEntity } from '@app/attendance/entities/attendance-log.entity';
import { FaceImageEntity } from '@app/faces/entities/face-image.entity';
import { FaceProfileEntity } from '@app/faces/entities/face-profile.entity';
import { OdooConfigEntity } from '@app/odoo/entities/odoo-config.entity';
import { UserEntity } from '@app/users/entities/user.entity';
import { createTestDatabase, TEMPLATE_ADMIN, type TestDatabase } from '../support/test-db';

const TABLES = [
  'alerts',
  'attendance_log_people', // issue 6 (migration AttendanceEngine): search dictionary
  'attendance_log_sequences', // issue 6: per-day log id counter
  'attendance_logs',
  'attendance_records',
  'audit_logs',
  'camera_summaries',
  'cameras',
  'detection_event_logs',
  'detection_provider_config',
  'detections',
  'export_jobs',
  'face_embeddings', // issue 4 (migration FaceEmbeddings)
  'face_images',
  'face_profiles',
  'notifications',
  'odoo_config',
  'odoo_sync_logs',
  'roles',
  'shift_schedules',
  'system_metrics',
  'system_services',
  'user_preferences',
  'user_sessions',
  'users',
];

interface ColumnRow {
  table_name: string;
  column_name: string;
  data_type: string;
  is_nullable: 'YES' | 'NO';
  character_maximum_length: number | null;
  numeric_precision: number | null;
  numeric_scale: number | null;
  column_default: string | null;
}

describe('database schema (migrations, entities, seed)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let columns: Map<string, ColumnRow>;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = createDataSource(loadEnv(), { url: db.url, applicationName: 'schema-int-spec' });
    await ds.initialize();
    const rows: ColumnRow[] = await ds.query(
      `SELECT table_name, column_name, data_type, is_nullable, character_maximum_length,
              numeric_precision, numeric_scale, column_default
         FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    columns = new Map(rows.map((r) => [`${r.table_name}.${r.column_name}`, r]));
  });

  afterAll(async () => {
    if (ds?.isInitialized) await ds.destroy();
    await db?.drop();
  });

  it('has exactly the 22 tables (plus the migrations table) and no pending migration', async () => {
    const rows: { table_name: string }[] = await ds.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    const names = rows
      .map((r) => r.table_name)
      .filter((n) => n !== 'migrations')
      .sort();
    expect(names).toEqual(TABLES);
    expect(ALL_ENTITIES).toHaveLength(TABLES.length);
    expect(await ds.showMigrations()).toBe(false);
  });

  type Expected = { key: string; type: string; nullable: 'YES' | 'NO'; length?: number; precision?: [number, number] };
  const expected: Expected[] = [
    { key: 'users.id', type: 'uuid', nullable: 'NO' },
    { key: 'users.email', type: 'character varying', nullable: 'NO', length: 255 },
    { key: 'users.last_active', type: 'timestamp with time zone', nullable: 'YES' },
    { key: 'roles.permissions', type: 'jsonb', nullable: 'NO' },
    { key: 'user_sessions.ip_address', type: 'inet', nullable: 'YES' },
    { key: 'user_sessions.family_id', type: 'uuid', nullable: 'NO' },
    { key: 'cameras.tags', type: 'jsonb', nullable: 'NO' },
    { key: 'cameras.ip_address', type: 'inet', nullable: 'YES' },
    { key: 'cameras.stream_url', type: 'text', nullable: 'YES' },
    { key: 'cameras.latency', type: 'numeric', nullable: 'NO', precision: [10, 2] },
    { key: 'cameras.rtsp_transport', type: 'character varying', nullable: 'NO', length: 3 },
    { key: 'cameras.deleted_at', type: 'timestamp with time zone', nullable: 'YES' },
    { key: 'camera_summaries.uptime_percent', type: 'numeric', nullable: 'NO', precision: [5, 2] },
    { key: 'camera_summaries.date', type: 'date', nullable: 'NO' },
    { key: 'detections.confidence', type: 'numeric', nullable: 'NO', precision: [5, 2] },
    { key: 'detections.timestamp', type: 'timestamp with time zone', nullable: 'NO' },
    { key: 'detections.bounding_box', type: 'jsonb', nullable: 'YES' },
    { key: 'attendance_logs.time_in', type: 'time without time zone', nullable: 'YES' },
    { key: 'attendance_logs.shift_start', type: 'timestamp with time zone', nullable: 'YES' },
    { key: 'attendance_logs.source', type: 'character varying', nullable: 'NO', length: 20 },
    { key: 'audit_logs.ip_address', type: 'inet', nullable: 'YES' },
    { key: 'audit_logs.context', type: 'jsonb', nullable: 'YES' },
    { key: 'system_metrics.value', type: 'numeric', nullable: 'NO', precision: [10, 2] },
    { key: 'shift_schedules.days_of_week', type: 'jsonb', nullable: 'NO' },
    { key: 'face_images.profile_id', type: 'uuid', nullable: 'NO' },
    { key: 'odoo_config.employee_match_field', type: 'character varying', nullable: 'NO', length: 30 },
    { key: 'export_jobs.created_at', type: 'timestamp with time zone', nullable: 'NO' },
  ];

  it.each(expected)('$key is $type', ({ key, type, nullable, length, precision }) => {
    const col = columns.get(key);
    expect(col).toBeDefined();
    expect(col?.data_type).toBe(type);
    expect(col?.is_nullable).toBe(nullable);
    if (length !== undefined) expect(col?.character_maximum_length).toBe(length);
    if (precision !== undefined) expect([col?.numeric_precision, col?.numeric_scale]).toEqual(precision);
  });

  it('uses gen_random_uuid() for UUID keys and now() for timestamps', () => {
    expect(columns.get('users.id')?.column_default).toBe('gen_random_uuid()');
    expect(columns.get('alerts.created_at')?.column_default).toBe('now()');
  });

  it('agrees with the entities: the schema diff is empty', async () => {
    const sql = await ds.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('has the two singleton config rows', async () => {
    const provider = await ds.getRepository(DetectionProviderConfigEntity).findOneByOrFail({ id: 1 });
    expect(provider).toMatchObject({ providerName: 'Built-in engine', endpoint: 'builtin://local', kind: 'builtin' });
    expect(provider.settings).toEqual({});
    const odoo = await ds.getRepository(OdooConfigEntity).findOneByOrFail({ id: 1 });
    expect(odoo).toMatchObject({ baseUrl: 'http://localhost:8069', database: 'odoo', autoSync: false, protocol: 'jsonrpc' });
    await expect(ds.query(`INSERT INTO odoo_config (id, base_url, database) VALUES (2, 'x', 'y')`)).rejects.toThrow(/chk_singleton/);
  });

  it('reads NUMERIC columns as numbers (and NULL as null)', async () => {
    await ds.getRepository(CameraEntity).insert({
      id: 'CAM-NUM',
      name: 'Numeric',
      location: 'Lab',
      streamType: 'RTSP',
      latency: 12.5,
      bitrate: 6.4,
    });
    const cam = await ds.getRepository(CameraEntity).findOneByOrFail({ id: 'CAM-NUM' });
    expect(cam.latency).toBe(12.5);
    expect(cam.bitrate).toBe(6.4);
    expect(cam.version).toBe(1);
    expect(cam.tags).toEqual([]);

    await ds.getRepository(DetectionEntity).insert({
      cameraId: 'CAM-NUM',
      confidence: 87.25,
      timestamp: new Date(),
      status: 'unknown',
    });
    const det = await ds.getRepository(DetectionEntity).findOneByOrFail({ cameraId: 'CAM-NUM' });
    expect(det.confidence).toBe(87.25);
    expect(typeof det.confidence).toBe('number');

    const [raw] = await ds
      .getRepository(AttendanceLogEntity)
      .save([{ id: 'ATT-NUM', employeeId: 'E1', name: 'N', date: '2025-11-03', status: 'present' as const }]);
    const log = await ds.getRepository(AttendanceLogEntity).findOneByOrFail({ id: raw.id });
    expect(log.accuracy).toBeNull();
    expect(log.date).toBe('2025-11-03');
    expect(log.source).toBe('auto');
  });

  it('enforces CHECK constraints and the one-automatic-log-per-shift index', async () => {
    const cameras = ds.getRepository(CameraEntity);
    const err = await cameras
      .insert({ id: 'CAM-BAD', name: 'x', location: 'y', streamType: 'RTSP', status: 'broken' as 'online' })
      .catch((e: unknown) => e);
    expect(pgErrorCode(err)).toBe('23514');

    const logs = ds.getRepository(AttendanceLogEntity);
    const shiftStart = new Date('2025-11-03T06:00:00Z');
    const base = { employeeId: 'EMP-1', name: 'A', date: '2025-11-03', status: 'present' as const, shiftStart };
    await logs.insert({ ...base, id: 'ATT-A1' });
    const dup = await logs.insert({ ...base, id: 'ATT-A2' }).catch((e: unknown) => e);
    expect(isUniqueViolation(dup, 'uq_attendance_logs_auto_shift')).toBe(true);
    await logs.insert({ ...base, id: 'ATT-M1', source: 'manual' }); // manual entries are not limited
  });

  it('loads the face profile <-> images relation', async () => {
    const profile = await ds.getRepository(FaceProfileEntity).save({ employeeId: 'EMP-REL', name: 'Rel' });
    await ds.getRepository(FaceImageEntity).insert({ profileId: profile.id, s3Key: 'faces/a.jpg' });
    const loaded = await ds.getRepository(FaceProfileEntity).findOneOrFail({
      where: { id: profile.id },
      relations: { images: true },
    });
    expect(loaded.images?.map((i) => i.s3Key)).toEqual(['faces/a.jpg']);
    expect(loaded.status).toBe('pending');
  });

  it('seeds idempotently and never overwrites an existing admin password', async () => {
    const env: SeedEnv = {
      ADMIN_EMAIL: 'Seed-Admin@Example.com',
      ADMIN_PASSWORD: 'first-password',
      BCRYPT_ROUNDS: 4,
      ENCRYPTION_KEY: loadEnv().ENCRYPTION_KEY,
    };
    const first = await new SeedService(ds, env).run({ demo: true });
    expect(first.admin).toEqual({ email: 'seed-admin@example.com', created: true });
    expect(first.demo?.cameras).toHaveLength(6);
    expect(first.demo?.shifts).toEqual(['SHIFT-MORNING', 'SHIFT-DAY', 'SHIFT-NIGHT']);
    expect(first.demo?.faceProfiles).toHaveLength(12);

    const second = await new SeedService(ds, { ...env, ADMIN_PASSWORD: 'second-password' }).run({ demo: true });
    expect(second).toEqual({
      rolesChanged: [],
      admin: { email: 'seed-admin@example.com', created: false },
      demo: { cameras: [], shifts: [], faceProfiles: [] },
    });

    const counts: { roles: number; users: number; cameras: number; shifts: number; profiles: number }[] =
      await ds.query(`SELECT (SELECT count(*)::int FROM roles) AS roles,
                             (SELECT count(*)::int FROM users) AS users,
                             (SELECT count(*)::int FROM cameras WHERE id LIKE 'CAM-0%') AS cameras,
                             (SELECT count(*)::int FROM shift_schedules) AS shifts,
                             (SELECT count(*)::int FROM face_profiles WHERE employee_id LIKE 'EMP-00%') AS profiles`);
    expect(counts[0]).toEqual({ roles: 3, users: 2, cameras: 6, shifts: 3, profiles: 12 });

    const users = ds.getRepository(UserEntity);
    const admin = await users.findOneByOrFail({ email: 'seed-admin@example.com' });
    expect(admin.roleId).toBe('ROLE-ADMIN');
    expect(await bcrypt.compare('first-password', admin.hashedPassword)).toBe(true);
    expect(await bcrypt.compare('second-password', admin.hashedPassword)).toBe(false);

    // The template's own admin is there too, with its password.
    const templateAdmin = await users.findOneByOrFail({ email: TEMPLATE_ADMIN.email });
    expect(await bcrypt.compare(TEMPLATE_ADMIN.password, templateAdmin.hashedPassword)).toBe(true);

    // Stream URLs are stored encrypted, with a masked copy.
    const rtsp = await ds.getRepository(CameraEntity).findOneByOrFail({ id: 'CAM-03' });
    expect(rtsp.streamUrl?.startsWith('enc:v1:')).toBe(true);
    expect(rtsp.streamUrlMasked).toBe('rtsp://admin:***@192.168.1.63:554/Streaming/Channels/101');
    expect(rtsp.enabled).toBe(false);
  });

  it('DatabaseModule.forRoot() gives Nest a DataSource with every entity', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [DatabaseModule.forRoot({ applicationName: 'schema-int-spec' })] })
      .overrideProvider(EnvDto)
      .useValue({ ...loadEnv(), DATABASE_URL: db.url, DATABASE_POOL_SIZE: 2 })
      .compile();
    try {
      const nestDs = moduleRef.get(DataSource);
      expect(nestDs.isInitialized).toBe(true);
      expect(nestDs.entityMetadatas).toHaveLength(TABLES.length);
      const [row]: { n: number }[] = await nestDs.query('SELECT count(*)::int AS n FROM roles');
      expect(row.n).toBe(3);
    } finally {
      await moduleRef.close();
    }
  });
});
