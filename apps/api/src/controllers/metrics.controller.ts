import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RawResponse } from '@app/core';
import { PERMISSIONS, RequirePermission } from '@app/auth';
import { ApiMetricsService } from '@app/system';

@ApiTags('system')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: ApiMetricsService) {}

  /** Prometheus metrics of this api process (text exposition format). */
  @RequirePermission(PERMISSIONS.SYSTEM_READ)
  @RawResponse()
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text format 0.0.4 (not wrapped in the envelope)', schema: { type: 'string' } })
  @Get()
  async scrape(@Res({ passthrough: true }) res: Response): Promise<string> {
    res.setHeader('Content-Type', this.metrics.contentType);
    res.setHeader('Cache-Control', 'no-store');
    return this.metrics.metrics();
  }
}
