import { Controller, Get, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { UuidParam } from '@app/core';
import type { AuthPrincipal } from '@app/core';
import { CurrentUser, PERMISSIONS, RequirePermission } from '@app/auth';
import { ExportDto, ExportsService } from '@app/attendance';

@ApiTags('exports')
@Controller('exports')
export class ExportsController {
  constructor(private readonly exportsService: ExportsService) {}

  /** Status of an export and, once completed, a presigned download URL (requester or admin only). */
  @RequirePermission(PERMISSIONS.ATTENDANCE_EXPORT)
  @Get(':id')
  get(@Param('id', UuidParam) id: string, @CurrentUser() actor: AuthPrincipal): Promise<ExportDto> {
    return this.exportsService.get(id, actor);
  }
}
