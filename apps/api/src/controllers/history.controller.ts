import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiPaginatedResponse, Paginated } from '@app/core';
import { PERMISSIONS, RequirePermission } from '@app/auth';
import { PersonHistoryEntryDto, PersonHistoryQueryDto, PersonHistoryService } from '@app/faces';

@ApiTags('history')
@Controller('history')
export class HistoryController {
  constructor(private readonly history: PersonHistoryService) {}

  /**
   * A person's detections and attendance logs merged into one timeline, newest first; filter by
   * `kind` and the `from` (inclusive) / `to` (exclusive) instants.
   */
  @RequirePermission(PERMISSIONS.HISTORY_READ)
  @ApiPaginatedResponse(PersonHistoryEntryDto)
  @Get('person/:employeeId')
  person(@Param('employeeId') employeeId: string, @Query() q: PersonHistoryQueryDto): Promise<Paginated<PersonHistoryEntryDto>> {
    return this.history.person(employeeId, q);
  }
}
