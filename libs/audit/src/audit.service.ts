import { Injectable } from '@nestjs/common';
import { Paginated, pageWindow, rootLogger } from '@app/core';
import { AuditRepository } from './audit.repository';
import { AuditLogDto, ListAuditQueryDto } from './dto/audit.dto';
import { redactSecrets } from './redact';

export interface AuditEntry {
  actor: string;
  actorRole?: string | null;
  action: string;
  resourceType?: string | null;
  resourceId?: string | null;
  message: string;
  context?: Record<string, unknown> | null;
  severity?: 'info' | 'warning' | 'critical';
  ipAddress?: string | null;
  userAgent?: string | null;
}

@Injectable()
export class AuditService {
  constructor(private readonly repo: AuditRepository) {}

  /** Writes one audit row; secrets in the context are redacted. Never throws into the caller. */
  async record(e: AuditEntry): Promise<void> {
    try {
      await this.repo.insert({
        actor: e.actor.slice(0, 255),
        actorRole: e.actorRole ?? null,
        action: e.action.slice(0, 100),
        resourceType: e.resourceType?.slice(0, 50) ?? null,
        resourceId: e.resourceId?.slice(0, 100) ?? null,
        message: e.message,
        context: e.context ? (redactSecrets(e.context) as Record<string, unknown>) : null,
        severity: e.severity ?? 'info',
        ipAddress: e.ipAddress ?? null,
        userAgent: e.userAgent ?? null,
        timestamp: new Date(),
      });
    } catch (err) {
      rootLogger().error({ err: (err as Error).message, action: e.action }, 'audit write failed');
    }
  }

  async list(q: ListAuditQueryDto): Promise<Paginated<AuditLogDto>> {
    const { page, pageSize, skip, take } = pageWindow(q);
    const [rows, total] = await this.repo.list({ ...q, skip, take });
    return Paginated.of(rows.map(AuditLogDto.from), total, page, pageSize);
  }

  deleteOlderThan(cutoff: Date): Promise<number> {
    return this.repo.deleteOlderThan(cutoff);
  }
}
