import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { Paginated, PaginationQueryDto } from '@app/core';
import type { AuthPrincipal } from '@app/core';
import { CurrentUser, PERMISSIONS, RequirePermission } from '@app/auth';
import {
  AttendanceLogDto,
  AttendanceOverviewDto,
  AttendanceRecordDto,
  AttendanceService,
  AttendanceStatisticsDto,
  CreateExportDto,
  ExportAcceptedDto,
  ExportsService,
  ListLogsQueryDto,
  ManualEntryDto,
  RecordsQueryDto,
  StatisticsQueryDto,
} from '@app/attendance';

@ApiTags('attendance')
@Controller('attendance')
export class AttendanceController {
  constructor(
    private readonly attendance: AttendanceService,
    private readonly exportsService: ExportsService,
  ) {}

  /** Current presence: where each person was last seen, most recent first. */
  @RequirePermission(PERMISSIONS.ATTENDANCE_READ)
  @Get('records')
  records(@Query() q: RecordsQueryDto): Promise<AttendanceRecordDto[]> {
    return this.attendance.records(q);
  }

  /** Attendance logs (one per person per shift instance), filtered and paginated, newest first. */
  @RequirePermission(PERMISSIONS.ATTENDANCE_READ)
  @Get('logs')
  logs(@Query() q: ListLogsQueryDto): Promise<Paginated<AttendanceLogDto>> {
    return this.attendance.logs(q);
  }

  /** Record a manual entry (an operator's override): its own log (source=manual), one per person and day. */
  @RequirePermission(PERMISSIONS.ATTENDANCE_WRITE)
  @ApiResponse({ status: 409, description: 'The person already has a manual entry that day; details.existingId names it (CONFLICT)' })
  @ApiResponse({
    status: 422,
    description: 'Unknown or archived person, unknown camera, time in the future, impossible check-out (UNPROCESSABLE_ENTITY)',
  })
  @Post('manual')
  createManual(@Body() dto: ManualEntryDto): Promise<AttendanceLogDto> {
    return this.attendance.manual(dto);
  }

  /** Counts by hour of check-in, day, camera and department over a range (default: the last 7 days). */
  @RequirePermission(PERMISSIONS.ATTENDANCE_READ)
  @Get('statistics')
  statistics(@Query() q: StatisticsQueryDto): Promise<AttendanceStatisticsDto> {
    return this.attendance.statistics(q);
  }

  /** Today at a glance: expected, present, late, missed, not arrived, on site now. */
  @RequirePermission(PERMISSIONS.ATTENDANCE_READ)
  @Get('overview')
  overview(): Promise<AttendanceOverviewDto> {
    return this.attendance.overview();
  }

  /** Logs awaiting Odoo sync (pending, with a check-in), oldest first. */
  @RequirePermission(PERMISSIONS.ATTENDANCE_READ)
  @Get('pending')
  pending(@Query() q: PaginationQueryDto): Promise<Paginated<AttendanceLogDto>> {
    return this.attendance.pending(q);
  }

  /** Start a CSV or PDF export of the logs matching the filters; poll GET /exports/{exportId}. */
  @RequirePermission(PERMISSIONS.ATTENDANCE_EXPORT)
  @ApiResponse({
    status: 422,
    description: 'A PDF would exceed EXPORT_PDF_MAX_ROWS rows; details give rows and limit (UNPROCESSABLE_ENTITY)',
  })
  @ApiResponse({ status: 503, description: 'The job queue is unavailable; the export is marked failed (SERVICE_UNAVAILABLE)' })
  @Post('export')
  @HttpCode(HttpStatus.ACCEPTED)
  requestExport(@Body() dto: CreateExportDto, @CurrentUser() actor: AuthPrincipal): Promise<ExportAcceptedDto> {
    return this.exportsService.request(dto, actor);
  }

  /** Delete an attendance log (automatic or manual). */
  @RequirePermission(PERMISSIONS.ATTENDANCE_DELETE)
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  remove(@Param('id') id: string): Promise<void> {
    return this.attendance.remove(id);
  }
}
