import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { DetectionEntity, type BoundingBox, type DetectionStatus } from './entities/detection.entity';

export interface NewDetection {
  id: string;
  personId: string | null;
  name: string | null;
  cameraId: string;
  confidence: number;
  timestamp: Date;
  trackId: string | null;
  boundingBox: BoundingBox | null;
  thumbnail: string | null;
  status: DetectionStatus;
}

/** What a later frame of the same sighting may change (a better identity, a better match). */
export type DetectionRelabel = Pick<NewDetection, 'personId' | 'name' | 'confidence' | 'status'>;

/** Detections (one row per sighting). */
@Injectable()
export class DetectionsRepository {
  private readonly detections: Repository<DetectionEntity>;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.detections = dataSource.getRepository(DetectionEntity);
  }

  /**
   * Inserts a sighting; idempotent on its id (a retried job whose first attempt already wrote the
   * row gets that row back).
   */
  async insert(row: NewDetection): Promise<DetectionEntity> {
    const entity = this.detections.create({ ...row, confidence: round2(row.confidence) });
    await this.detections.createQueryBuilder().insert().values(entity).orIgnore().execute();
    return (await this.detections.findOneBy({ id: row.id })) ?? entity;
  }

  /** Changes the identity of a sighting; returns the updated row, or null when it is gone. */
  async relabel(id: string, change: DetectionRelabel): Promise<DetectionEntity | null> {
    await this.detections.update({ id }, { ...change, confidence: round2(change.confidence) });
    return this.detections.findOneBy({ id });
  }

  /** Newest sightings first, of one camera or of all (idx_detections_camera_timestamp / _timestamp). */
  recent(cameraId: string | null, limit: number): Promise<DetectionEntity[]> {
    return this.detections.find({
      where: cameraId ? { cameraId } : {},
      order: { timestamp: 'DESC', id: 'DESC' },
      take: limit,
    });
  }

  findById(id: string): Promise<DetectionEntity | null> {
    return this.detections.findOneBy({ id });
  }

  /** Rows of a camera (tests and tools). */
  countForCamera(cameraId: string): Promise<number> {
    return this.detections.countBy({ cameraId });
  }
}

function round2(v: number): number {
  return Math.round(Math.min(100, Math.max(0, v)) * 100) / 100;
}
