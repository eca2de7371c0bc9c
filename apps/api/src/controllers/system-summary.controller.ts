import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PERMISSIONS, RequirePermission } from '@app/auth';
import { SystemSummaryDto, SystemSummaryService } from '@app/attendance';

@ApiTags('system')
@Controller('system')
export class SystemSummaryController {
  constructor(private readonly summaryService: SystemSummaryService) {}

  /** Dashboard figures: active cameras, registered people, detected today, alerts, overrides, completion, last sync (cached ~15 s). */
  @RequirePermission(PERMISSIONS.SYSTEM_READ)
  @Get('summary')
  summary(): Promise<SystemSummaryDto> {
    return this.summaryService.summary();
  }
}
