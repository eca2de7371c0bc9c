import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull, Not, Repository } from 'typeorm';
import { runInTransaction } from '@app/database';
import { CameraEntity, type CameraStatus, type CameraStreamType } from './entities/camera.entity';
import { CameraSummaryEntity } from './entities/camera-summary.entity';
import { formatCameraId, parseCameraNumber } from './camera-id';

export interface CameraListFilter {
  status?: CameraStatus;
  streamType?: CameraStreamType;
  enabled?: boolean;
  search?: string;
  skip: number;
  take: number;
}

/** Fields a connection test or a watchdog probe writes. */
export type CameraHealthUpdate = Partial<
  Pick<CameraEntity, 'status' | 'fps' | 'latency' | 'bitrate' | 'resolution' | 'codec' | 'lastSeen' | 'lastChecked' | 'offlineSince'>
>;

/** A row of GET /cameras/summary, straight from SQL. */
export interface CameraSummaryRow {
  id: string;
  detectionsToday: number;
  unknownFaces: number;
  onlineChecks: number;
  totalChecks: number;
}

export interface UptimeSample {
  cameraId: string;
  online: boolean;
}

/** Lock key of camera id generation (pg_advisory_xact_lock). */
const ID_LOCK = 0x63616d73; // 'cams'

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Cameras and their per-day summaries. Soft-deleted cameras are hidden unless a method says otherwise. */
@Injectable()
export class CamerasRepository {
  private readonly cameras: Repository<CameraEntity>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.cameras = dataSource.getRepository(CameraEntity);
  }

  findById(id: string, manager?: EntityManager): Promise<CameraEntity | null> {
    return (manager ?? this.dataSource.manager).getRepository(CameraEntity).findOneBy({ id });
  }

  /** Including soft-deleted ones (to tell "never existed" from "deleted"). */
  findByIdWithDeleted(id: string, manager?: EntityManager): Promise<CameraEntity | null> {
    return (manager ?? this.dataSource.manager).getRepository(CameraEntity).findOne({ where: { id }, withDeleted: true });
  }

  /** Ids among `ids` that exist, deleted or not, with their deletion time. */
  async findExisting(ids: string[], manager?: EntityManager): Promise<CameraEntity[]> {
    if (ids.length === 0) return [];
    return (manager ?? this.dataSource.manager).getRepository(CameraEntity).find({ where: { id: In(ids) }, withDeleted: true });
  }

  async list(f: CameraListFilter): Promise<[CameraEntity[], number]> {
    const qb = this.cameras.createQueryBuilder('c');
    if (f.status) qb.andWhere('c.status = :status', { status: f.status });
    if (f.streamType) qb.andWhere('c.stream_type = :streamType', { streamType: f.streamType });
    if (f.enabled !== undefined) qb.andWhere('c.enabled = :enabled', { enabled: f.enabled });
    if (f.search) {
      qb.andWhere(`(c.id ILIKE :s OR c.name ILIKE :s OR c.location ILIKE :s OR host(c.ip_address) ILIKE :s OR c.tags::text ILIKE :s)`, {
        s: `%${escapeLike(f.search)}%`,
      });
    }
    return qb.orderBy('c.id', 'ASC').skip(f.skip).take(f.take).getManyAndCount();
  }

  /** Every camera (not deleted), ordered by id: for export. */
  listAll(): Promise<CameraEntity[]> {
    return this.cameras.find({ order: { id: 'ASC' } });
  }

  /** Enabled, sampling on, not deleted, not in maintenance. */
  listSampling(): Promise<CameraEntity[]> {
    return this.cameras.find({
      where: { enabled: true, samplingEnabled: true, status: Not('maintenance') },
      order: { id: 'ASC' },
    });
  }

  /** What the watchdog probes: enabled, not deleted, not in maintenance. */
  listWatched(): Promise<CameraEntity[]> {
    return this.cameras.find({ where: { enabled: true, status: Not('maintenance') }, order: { id: 'ASC' } });
  }

  /**
   * Inserts a camera. Without an id, the next free `CAM-NN` is taken under a transaction-scoped
   * advisory lock, so concurrent creations never pick the same one (deleted cameras' ids count as
   * taken: their history still refers to them).
   */
  insert(data: Partial<CameraEntity>, manager?: EntityManager): Promise<CameraEntity> {
    const work = async (m: EntityManager): Promise<CameraEntity> => {
      const repo = m.getRepository(CameraEntity);
      let id = data.id;
      if (!id) {
        await m.query('SELECT pg_advisory_xact_lock($1)', [ID_LOCK]);
        id = formatCameraId((await this.maxCameraNumber(m)) + 1);
      }
      await repo.insert({ ...data, id });
      return await repo.findOneByOrFail({ id });
    };
    return manager ? work(manager) : runInTransaction(this.dataSource, work);
  }

  /**
   * Generated ids for `count` new cameras, reserved under the lock of the caller's transaction,
   * numbered after the highest CAM-NN in the database and in `alsoTaken` (ids the caller is about
   * to insert).
   */
  async nextIds(count: number, manager: EntityManager, alsoTaken: readonly string[] = []): Promise<string[]> {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [ID_LOCK]);
    const max = Math.max(await this.maxCameraNumber(manager), ...alsoTaken.map((id) => parseCameraNumber(id) ?? 0));
    return Array.from({ length: count }, (_, i) => formatCameraId(max + 1 + i));
  }

  private async maxCameraNumber(m: EntityManager): Promise<number> {
    const rows = (await m.query(`SELECT id FROM cameras WHERE id ~ '^CAM-[0-9]{1,9}$' ORDER BY length(id) DESC, id DESC LIMIT 1`)) as {
      id: string;
    }[];
    return rows[0] ? (parseCameraNumber(rows[0].id) ?? 0) : 0;
  }

  save(camera: CameraEntity, manager?: EntityManager): Promise<CameraEntity> {
    return (manager ?? this.dataSource.manager).getRepository(CameraEntity).save(camera);
  }

  /** Runs `work` in one transaction (import: all rows or none). */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return runInTransaction(this.dataSource, work, { retries: 0 });
  }

  /** Soft delete; false when there was no live camera with this id. */
  async softDelete(id: string): Promise<boolean> {
    const result = await this.cameras.softDelete({ id, deletedAt: IsNull() });
    return (result.affected ?? 0) > 0;
  }

  /** Writes probe results (and lastSeen) of a live camera. */
  async updateHealth(id: string, patch: CameraHealthUpdate): Promise<void> {
    if (Object.keys(patch).length === 0) return;
    await this.cameras.update({ id }, patch);
  }

  /**
   * Writes a watchdog result only while the camera is still watched (enabled, not in maintenance,
   * not deleted): an operator's change during a pass wins. False when nothing was written.
   */
  async updateWatchedHealth(id: string, patch: CameraHealthUpdate): Promise<boolean> {
    const result = await this.cameras.update({ id, enabled: true, status: Not('maintenance'), deletedAt: IsNull() }, patch);
    return (result.affected ?? 0) > 0;
  }

  /** Makes `key` the thumbnail unless a newer snapshot already is (keys sort by time). */
  async setThumbnailIfNewer(id: string, key: string): Promise<void> {
    await this.cameras
      .createQueryBuilder()
      .update(CameraEntity)
      .set({ thumbnail: key })
      .where('id = :id AND (thumbnail IS NULL OR thumbnail < :key)', { id, key })
      .execute();
  }

  /**
   * Per live camera: detections and unknown faces since the start of `date` in `timeZone`, and the
   * watchdog's checks of that day. One round trip; uses idx_detections_camera_timestamp.
   */
  async summaries(date: string, timeZone: string): Promise<CameraSummaryRow[]> {
    const rows = (await this.dataSource.query(
      `SELECT c.id,
              COALESCE(d.total, 0)::int   AS "detectionsToday",
              COALESCE(d.unknown, 0)::int AS "unknownFaces",
              COALESCE(s.online_checks, 0)::int AS "onlineChecks",
              COALESCE(s.total_checks, 0)::int  AS "totalChecks"
         FROM cameras c
         LEFT JOIN LATERAL (
           SELECT count(*) AS total, count(*) FILTER (WHERE dt.status = 'unknown') AS unknown
             FROM detections dt
            WHERE dt.camera_id = c.id
              AND dt.timestamp >= ($1::date::timestamp AT TIME ZONE $2)
              AND dt.timestamp <  (($1::date + 1)::timestamp AT TIME ZONE $2)
         ) d ON true
         LEFT JOIN camera_summaries s ON s.camera_id = c.id AND s.date = $1::date
        WHERE c.deleted_at IS NULL
        ORDER BY c.id`,
      [date, timeZone],
    )) as CameraSummaryRow[];
    return rows;
  }

  /**
   * Records one watchdog pass for `date`: online/total checks per camera, and refreshes the day's
   * uptime, detection and unknown-face figures of camera_summaries. One statement.
   */
  async recordUptimeSamples(date: string, timeZone: string, samples: UptimeSample[]): Promise<void> {
    if (samples.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO camera_summaries AS s (camera_id, date, online_checks, total_checks, uptime_percent, detections_today, unknown_faces)
       SELECT x.camera_id, $1::date, x.online::int, 1, CASE WHEN x.online THEN 100 ELSE 0 END,
              COALESCE(d.total, 0), COALESCE(d.unknown, 0)
         FROM unnest($3::varchar[], $4::boolean[]) AS x(camera_id, online)
         LEFT JOIN LATERAL (
           SELECT count(*) AS total, count(*) FILTER (WHERE dt.status = 'unknown') AS unknown
             FROM detections dt
            WHERE dt.camera_id = x.camera_id
              AND dt.timestamp >= ($1::date::timestamp AT TIME ZONE $2)
              AND dt.timestamp <  (($1::date + 1)::timestamp AT TIME ZONE $2)
         ) d ON true
       ON CONFLICT (camera_id, date) DO UPDATE SET
         online_checks = s.online_checks + EXCLUDED.online_checks,
         total_checks = s.total_checks + 1,
         uptime_percent = round(100.0 * (s.online_checks + EXCLUDED.online_checks) / (s.total_checks + 1), 2),
         detections_today = EXCLUDED.detections_today,
         unknown_faces = EXCLUDED.unknown_faces,
         updated_at = now()`,
      [date, timeZone, samples.map((s) => s.cameraId), samples.map((s) => s.online)],
    );
  }

  findSummary(cameraId: string, date: string): Promise<CameraSummaryEntity | null> {
    return this.dataSource.getRepository(CameraSummaryEntity).findOneBy({ cameraId, date });
  }
}
