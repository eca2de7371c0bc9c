import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiPaginatedResponse, Paginated } from '@app/core';
import { PERMISSIONS, RequirePermission } from '@app/auth';
import { AuditLogDto, AuditService, ListAuditQueryDto } from '@app/audit';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** The audit trail, newest first. */
  @RequirePermission(PERMISSIONS.AUDIT_READ)
  @ApiPaginatedResponse(AuditLogDto)
  @Get()
  list(@Query() q: ListAuditQueryDto): Promise<Paginated<AuditLogDto>> {
    return this.audit.list(q);
  }
}
