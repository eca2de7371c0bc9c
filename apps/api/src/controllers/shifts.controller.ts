import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Put } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { PERMISSIONS, RequirePermission } from '@app/auth';
import { CreateShiftDto, ShiftDto, ShiftsService, UpdateShiftDto } from '@app/attendance';

@ApiTags('shifts')
@Controller('shifts')
export class ShiftsController {
  constructor(private readonly shifts: ShiftsService) {}

  /** Shift schedules by start time, with who they expect and live compliance of the current or latest instance. */
  @RequirePermission(PERMISSIONS.ATTENDANCE_READ)
  @Get()
  list(): Promise<ShiftDto[]> {
    return this.shifts.list();
  }

  /** One shift with its live figures. */
  @RequirePermission(PERMISSIONS.ATTENDANCE_READ)
  @Get(':id')
  get(@Param('id') id: string): Promise<ShiftDto> {
    return this.shifts.get(id);
  }

  /** Create a shift (an end before the start = a night shift ending the next day). */
  @RequirePermission(PERMISSIONS.ATTENDANCE_WRITE)
  @ApiResponse({ status: 409, description: 'A shift with this id exists (CONFLICT)' })
  @Post()
  create(@Body() dto: CreateShiftDto): Promise<ShiftDto> {
    return this.shifts.create(dto);
  }

  /** Change a shift: only the fields given change. */
  @RequirePermission(PERMISSIONS.ATTENDANCE_WRITE)
  @Put(':id')
  update(@Param('id') id: string, @Body() dto: UpdateShiftDto): Promise<ShiftDto> {
    return this.shifts.update(id, dto);
  }

  /** Delete a shift; its attendance logs stay (without shift). */
  @RequirePermission(PERMISSIONS.ATTENDANCE_WRITE)
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  remove(@Param('id') id: string): Promise<void> {
    return this.shifts.remove(id);
  }
}
