import { Controller, Get } from '@nestjs/common';
import { ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { serviceUnavailable } from '@app/core';
import { Public } from '@app/auth';
import { HealthService, ReadinessReport } from '@app/system/health/health.service';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** The process is up (for orchestrator liveness probes). */
  @Public()
  @Get('live')
  live(): { status: 'ok'; uptimeSeconds: number; pid: number } {
    return this.health.live();
  }

  /** PostgreSQL, Redis and object storage all answer; 503 with per-dependency details otherwise. */
  @Public()
  @Get('ready')
  @ApiServiceUnavailableResponse({ description: 'A dependency is down; details name it' })
  async ready(): Promise<ReadinessReport> {
    const report = await this.health.ready();
    if (report.status !== 'ready') throw serviceUnavailable('Not ready: a dependency is down', report.checks);
    return report;
  }
}
