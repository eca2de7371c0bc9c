import { Controller, Get, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { badRequest, notFound } from '@app/core';
import { PERMISSIONS, RequirePermission } from '@app/auth';
import { JobView, JobsProducer } from '@app/queue';

@ApiTags('jobs')
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: JobsProducer) {}

  /** Status of a background job queued by the API (detection, export, Odoo sync, ...). */
  @RequirePermission(PERMISSIONS.JOBS_READ)
  @Get(':id')
  async get(@Param('id') id: string): Promise<JobView> {
    if (!/^[A-Za-z0-9_-]{1,120}$/.test(id)) throw badRequest('Malformed job id', [{ field: 'id', issue: 'malformed' }]);
    const job = await this.jobs.getJob(id);
    if (!job) throw notFound('Job', id);
    return job;
  }
}
