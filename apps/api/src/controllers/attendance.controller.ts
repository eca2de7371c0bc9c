import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
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

  /**
   * Record a manual entry (an operator's override): its own log marked source=manual, never merged
   * with automatic data. One per person and day: 409 when one exists (delete it to replace it).
   */
  @RequirePermission(PERMISSIONS.ATTENDANCE_WRITE)
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

  /** Logs awaiting Odoo sync (pending, with an arrival), oldest first. */
  @RequirePermission(PERMISSIONS.ATTENDANCE_READ)
  @Get('pending')
  pending(@Query() q: PaginationQueryDto): Promise<Paginated<AttendanceLogDto>> {
    return this.attendance.pending(q);
  }

  /**
   * Start a CSV or PDF export of the logs matching the filters. Answers 202 with the job id and the
   * export id; GET /exports/{exportId} gives its status and download URL when ready.
   */
  @RequirePermission(PERMISSIONS.ATTENDANCE_EXPORT)
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
