import { Body, Controller, Get, HttpCode, HttpStatus, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Paginated } from '@app/core';
import type { AuthPrincipal } from '@app/core';
import { CurrentUser, PERMISSIONS, RequirePermission } from '@app/auth';
import {
  DetectionEventDto,
  DetectionsService,
  ListDetectionEventsQueryDto,
  LiveDetectionDto,
  LiveDetectionsQueryDto,
  LiveDetectionsService,
  ProviderConfigDto,
  ProviderConfigService,
  SendFrameDto,
  SendFrameResultDto,
  TestProviderResultDto,
  UpdateProviderConfigDto,
} from '@app/detections';

@ApiTags('detections')
@Controller('detections')
export class DetectionsController {
  constructor(
    private readonly detections: DetectionsService,
    private readonly live: LiveDetectionsService,
    private readonly provider: ProviderConfigService,
  ) {}

  /**
   * The newest sightings, of one camera or of all, newest first (served from Redis; PostgreSQL when
   * Redis is unavailable). Well-formed authorised requests are answered with the same body by a
   * fast path ahead of Express (LiveDetectionsFastPath, installed by installLiveFastLane).
   */
  @RequirePermission(PERMISSIONS.DETECTIONS_READ)
  @Get('live')
  liveDetections(@Query() q: LiveDetectionsQueryDto): Promise<LiveDetectionDto[]> {
    return this.live.list(q.cameraId ?? null, q.limit ?? 20);
  }

  /** Queue a detection on a fresh frame of a camera; poll GET /jobs/{jobId} for the outcome. */
  @RequirePermission(PERMISSIONS.DETECTIONS_WRITE)
  @Post('send-frame')
  @HttpCode(HttpStatus.ACCEPTED)
  sendFrame(@Body() dto: SendFrameDto, @CurrentUser() actor: AuthPrincipal): Promise<SendFrameResultDto> {
    return this.detections.sendFrame(dto, actor);
  }

  /** Probe the configured detection provider now (status, latency) and record the result. */
  @RequirePermission(PERMISSIONS.DETECTIONS_WRITE)
  @Post('test-provider')
  @HttpCode(HttpStatus.OK)
  testProvider(): Promise<TestProviderResultDto> {
    return this.provider.test();
  }

  /** The detection provider configuration (API key masked as ***). */
  @RequirePermission(PERMISSIONS.DETECTIONS_READ)
  @Get('provider/config')
  providerConfig(): Promise<ProviderConfigDto> {
    return this.provider.get();
  }

  /** Change the detection provider: kind, endpoint, API key (*** keeps it), enabled, settings. */
  @RequirePermission(PERMISSIONS.DETECTIONS_CONFIG)
  @Put('provider/config')
  updateProviderConfig(@Body() dto: UpdateProviderConfigDto): Promise<ProviderConfigDto> {
    return this.provider.update(dto);
  }

  /** The detection event log (one row per provider call), filtered by status, camera and time. */
  @RequirePermission(PERMISSIONS.DETECTIONS_READ)
  @Get('events')
  events(@Query() q: ListDetectionEventsQueryDto): Promise<Paginated<DetectionEventDto>> {
    return this.detections.listEvents(q);
  }
}
