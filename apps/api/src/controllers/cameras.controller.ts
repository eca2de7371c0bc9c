import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiPaginatedResponse, Paginated } from '@app/core';
import { PERMISSIONS, RequirePermission } from '@app/auth';
import {
  CameraDto,
  CameraExportDto,
  CameraIdParam,
  CameraImportDto,
  CameraImportQueryDto,
  CameraImportReportDto,
  CameraMediaService,
  CameraStateDto,
  CameraSummaryDto,
  CameraTransferService,
  CamerasService,
  ConnectionTestDto,
  CreateCameraDto,
  ListCamerasQueryDto,
  SnapshotDto,
  UpdateCameraDto,
} from '@app/cameras';

@ApiTags('cameras')
@Controller('cameras')
export class CamerasController {
  constructor(
    private readonly cameras: CamerasService,
    private readonly media: CameraMediaService,
    private readonly transfer: CameraTransferService,
  ) {}

  /** Cameras, filtered by status, stream type, enabled and a search over id, name, location, IP and tags. */
  @RequirePermission(PERMISSIONS.CAMERAS_READ)
  @ApiPaginatedResponse(CameraDto)
  @Get()
  list(@Query() q: ListCamerasQueryDto): Promise<Paginated<CameraDto>> {
    return this.cameras.list(q);
  }

  /** Today's figures per camera (site time zone): detections, unknown faces and watchdog uptime. */
  @RequirePermission(PERMISSIONS.CAMERAS_READ)
  @Get('summary')
  summary(): Promise<CameraSummaryDto[]> {
    return this.cameras.summary();
  }

  /** Every camera's configuration as JSON, stream URLs masked (passwords are not exported). */
  @RequirePermission(PERMISSIONS.CAMERAS_READ)
  @Get('export')
  export(): Promise<CameraExportDto> {
    return this.transfer.export();
  }

  /**
   * Import cameras from an export document: rows with a known id update that camera, others create
   * one. The whole file is validated first; with any rejected row nothing is written (422 with the
   * report) unless `partial=true`. `dryRun=true` only reports. A masked stream URL keeps the stored one.
   */
  @RequirePermission(PERMISSIONS.CAMERAS_WRITE)
  @ApiResponse({
    status: 422,
    description: 'Rows were rejected and nothing was imported (UNPROCESSABLE_ENTITY); error.details holds the report',
  })
  @ApiResponse({ status: 409, description: 'A new id of the file was created meanwhile by someone else; nothing was imported (CONFLICT)' })
  @Post('import')
  @HttpCode(HttpStatus.OK)
  import(@Body() body: CameraImportDto, @Query() q: CameraImportQueryDto): Promise<CameraImportReportDto> {
    return this.transfer.import(body, q);
  }

  /** One camera (404 once deleted). */
  @RequirePermission(PERMISSIONS.CAMERAS_READ)
  @Get(':id')
  get(@Param('id', CameraIdParam) id: string): Promise<CameraDto> {
    return this.cameras.get(id);
  }

  /** Register a camera; without an id the next free CAM-NN is used. The stream URL is stored encrypted. */
  @RequirePermission(PERMISSIONS.CAMERAS_WRITE)
  @ApiResponse({ status: 409, description: 'The id is taken, by a live or a deleted camera (CONFLICT)' })
  @Post()
  create(@Body() dto: CreateCameraDto): Promise<CameraDto> {
    return this.cameras.create(dto);
  }

  /** Update a camera (fields omitted keep their value; the masked stream URL sent back unchanged keeps the stored one). */
  @RequirePermission(PERMISSIONS.CAMERAS_WRITE)
  @Put(':id')
  update(@Param('id', CameraIdParam) id: string, @Body() dto: UpdateCameraDto): Promise<CameraDto> {
    return this.cameras.update(id, dto);
  }

  /** Enable or disable a camera (a disabled camera is neither probed nor sampled). */
  @RequirePermission(PERMISSIONS.CAMERAS_WRITE)
  @Patch(':id/state')
  setState(@Param('id', CameraIdParam) id: string, @Body() dto: CameraStateDto): Promise<CameraDto> {
    return this.cameras.setState(id, dto);
  }

  /** Delete a camera. Soft delete: its detections and attendance keep referring to it; the id is not reused. */
  @RequirePermission(PERMISSIONS.CAMERAS_DELETE)
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  remove(@Param('id', CameraIdParam) id: string): Promise<void> {
    return this.cameras.remove(id);
  }

  /** Probe the stream with ffprobe and record fps, resolution, bitrate, latency, codec and status. A dead stream answers success: false. */
  @RequirePermission(PERMISSIONS.CAMERAS_WRITE)
  @ApiResponse({ status: 422, description: 'The camera has no stream URL (UNPROCESSABLE_ENTITY)' })
  @ApiResponse({ status: 503, description: 'Too many probes and snapshots running in this process (SERVICE_UNAVAILABLE)' })
  @Post(':id/test-connection')
  @HttpCode(HttpStatus.OK)
  testConnection(@Param('id', CameraIdParam) id: string): Promise<ConnectionTestDto> {
    return this.media.testConnection(id);
  }

  /** Grab one frame with ffmpeg, store it and make it the camera's thumbnail; 503 when the camera delivers no frame. */
  @RequirePermission(PERMISSIONS.CAMERAS_WRITE)
  @ApiResponse({ status: 422, description: 'The camera has no stream URL (UNPROCESSABLE_ENTITY)' })
  @ApiResponse({
    status: 503,
    description: 'The camera delivered no frame, details.reason says why; or too many running (SERVICE_UNAVAILABLE)',
  })
  @Post(':id/snapshot')
  snapshot(@Param('id', CameraIdParam) id: string): Promise<SnapshotDto> {
    return this.media.snapshot(id);
  }
}
