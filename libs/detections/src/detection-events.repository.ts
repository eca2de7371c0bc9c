import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Repository, type QueryDeepPartialEntity } from 'typeorm';
import { DetectionEventLogEntity, type DetectionEventStatus } from './entities/detection-event-log.entity';

export interface DetectionEventFilter {
  status?: DetectionEventStatus;
  cameraId?: string;
  from?: Date;
  to?: Date;
  skip: number;
  take: number;
}

export interface EventOutcome {
  status: Exclude<DetectionEventStatus, 'processing'>;
  latencyMs: number | null;
  payload: unknown;
  errorMessage: string | null;
}

/** error_message of an attempt whose worker stopped before it finished. */
export const INTERRUPTED_MESSAGE = 'Attempt interrupted: the worker stopped before it finished; the job ran again';

/** detection_event_logs: one row per detection attempt (processing, then received or error). */
@Injectable()
export class DetectionEventsRepository {
  private readonly events: Repository<DetectionEventLogEntity>;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.events = dataSource.getRepository(DetectionEventLogEntity);
  }

  /** Records an attempt as in flight; returns its id. */
  async start(cameraId: string, cameraName: string | null, at: Date, payload: unknown): Promise<string> {
    const row: QueryDeepPartialEntity<DetectionEventLogEntity> = {
      cameraId,
      cameraName,
      timestamp: at,
      status: 'processing',
      latencyMs: null,
      payload: payload as object,
      errorMessage: null,
    };
    const result = await this.events.insert(row);
    return (result.identifiers[0] as { id: string }).id;
  }

  /**
   * Rows of earlier attempts of `jobId` still marked processing: their worker died before finishing
   * them (a job is re-run after a crash). Closed as errors when the job runs again, so the log never
   * shows an attempt in flight forever. Looks back one hour on the camera (idx_detection_event_logs_*),
   * far longer than a job lives. Returns how many were closed.
   */
  async closeInterrupted(cameraId: string, jobId: string, attempt: number): Promise<number> {
    const res = await this.events
      .createQueryBuilder()
      .update()
      .set({ status: 'error', errorMessage: INTERRUPTED_MESSAGE })
      .where(`camera_id = :cameraId AND timestamp >= now() - interval '1 hour' AND status = 'processing'`, { cameraId })
      .andWhere(`payload->>'jobId' = :jobId AND (payload->>'attempt')::int < :attempt`, { jobId, attempt })
      .execute();
    return res.affected ?? 0;
  }

  async finish(id: string, outcome: EventOutcome): Promise<void> {
    await this.events.update(
      { id },
      {
        status: outcome.status,
        latencyMs: outcome.latencyMs === null ? null : Math.max(0, Math.round(outcome.latencyMs)),
        payload: outcome.payload as object,
        errorMessage: outcome.errorMessage,
      },
    );
  }

  /** A whole attempt in one write (an attempt that ended before it could be started). */
  async record(cameraId: string, cameraName: string | null, at: Date, outcome: EventOutcome): Promise<string> {
    const row: QueryDeepPartialEntity<DetectionEventLogEntity> = {
      cameraId,
      cameraName,
      timestamp: at,
      status: outcome.status,
      latencyMs: outcome.latencyMs === null ? null : Math.round(outcome.latencyMs),
      payload: outcome.payload as object,
      errorMessage: outcome.errorMessage,
    };
    const result = await this.events.insert(row);
    return (result.identifiers[0] as { id: string }).id;
  }

  /** Newest first; `from` inclusive, `to` exclusive. */
  list(f: DetectionEventFilter): Promise<[DetectionEventLogEntity[], number]> {
    const qb = this.events.createQueryBuilder('e');
    if (f.status) qb.andWhere('e.status = :status', { status: f.status });
    if (f.cameraId) qb.andWhere('e.camera_id = :cameraId', { cameraId: f.cameraId });
    if (f.from) qb.andWhere('e.timestamp >= :from', { from: f.from });
    if (f.to) qb.andWhere('e.timestamp < :to', { to: f.to });
    return qb.orderBy('e.timestamp', 'DESC').addOrderBy('e.id', 'DESC').skip(f.skip).take(f.take).getManyAndCount();
  }

  findById(id: string): Promise<DetectionEventLogEntity | null> {
    return this.events.findOneBy({ id });
  }
}
