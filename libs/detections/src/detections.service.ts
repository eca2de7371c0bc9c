import { Injectable } from '@nestjs/common';
import { badRequest, conflict, notFound, Paginated, pageWindow, unprocessable } from '@app/core';
import type { AuthPrincipal } from '@app/core';
import { CamerasService } from '@app/cameras';
import { JOBS, JobsProducer } from '@app/queue';
import { DetectionEventsRepository } from './detection-events.repository';
import { DetectionEventDto, ListDetectionEventsQueryDto, SendFrameDto, SendFrameResultDto } from './dto/detection.dto';
import type { DetectionEventLogEntity, DetectionEventStatus } from './entities/detection-event-log.entity';
import { ProviderConfigRepository } from './provider-config.repository';

/** The api side of detections: manual frames and the provider event log. */
@Injectable()
export class DetectionsService {
  constructor(
    private readonly cameras: CamerasService,
    private readonly jobs: JobsProducer,
    private readonly events: DetectionEventsRepository,
    private readonly config: ProviderConfigRepository,
  ) {}

  /**
   * Queues one detection on a fresh frame of a camera. 404 unknown camera; 409 camera disabled or
   * in maintenance, or provider disabled; 422 camera without a stream URL.
   */
  async sendFrame(dto: SendFrameDto, actor: AuthPrincipal): Promise<SendFrameResultDto> {
    const camera = await this.cameras.findCamera(dto.cameraId);
    if (!camera) throw notFound('Camera', dto.cameraId);
    if (!camera.enabled) throw conflict(`Camera '${camera.id}' is disabled; enable it first`, { cameraId: camera.id });
    if (camera.status === 'maintenance') {
      throw conflict(`Camera '${camera.id}' is in maintenance`, { cameraId: camera.id });
    }
    if (!camera.streamUrl) throw unprocessable(`Camera '${camera.id}' has no stream URL`, { cameraId: camera.id });
    const provider = await this.config.get();
    if (!provider.enabled) throw conflict('The detection provider is disabled; enable it in the provider configuration');
    const jobId = await this.jobs.enqueue(JOBS.detectFrame, { cameraId: camera.id, trigger: 'manual', requestedBy: actor.userId });
    return { jobId, status: 'queued' };
  }

  async listEvents(q: ListDetectionEventsQueryDto): Promise<Paginated<DetectionEventDto>> {
    const from = q.from ? new Date(q.from) : undefined;
    const to = q.to ? new Date(q.to) : undefined;
    if (from && to && from.getTime() > to.getTime()) {
      throw badRequest('from must not be after to', { field: 'from', issue: 'after to' });
    }
    const { page, pageSize, skip, take } = pageWindow(q);
    const [rows, total] = await this.events.list({
      status: q.status as DetectionEventStatus | undefined,
      cameraId: q.cameraId,
      from,
      to,
      skip,
      take,
    });
    return Paginated.of(rows.map(toEventDto), total, page, pageSize);
  }
}

export function toEventDto(row: DetectionEventLogEntity): DetectionEventDto {
  return {
    id: row.id,
    cameraId: row.cameraId,
    cameraName: row.cameraName,
    timestamp: row.timestamp.toISOString(),
    status: row.status,
    latencyMs: row.latencyMs,
    payload: (row.payload as Record<string, unknown> | null) ?? null,
    errorMessage: row.errorMessage,
  };
}
