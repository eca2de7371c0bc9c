import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { RedisService } from '@app/core';
import type { OdooEmployeeMatchField } from '../client/odoo.types';
import type { EmployeeLookup } from './odoo-sync.types';

/** Which Odoo and which field a cached answer is about: changing either makes the old answers unreachable. */
export interface EmployeeScope {
  baseUrl: string;
  database: string;
  field: OdooEmployeeMatchField;
}

const KEY_PREFIX = 'odoo:employees';

/**
 * Finds the Odoo employee (hr.employee) behind each of our employee codes, matched on the
 * configured field (barcode or identification_id). Answers, "not found" included, are cached in
 * Redis for a few minutes so a sync of thousands of logs asks Odoo once per batch at most and every
 * worker process shares them; an unreachable Redis only means asking Odoo again.
 */
@Injectable()
export class OdooEmployeeDirectory {
  constructor(private readonly redis: RedisService) {}

  /**
   * Lookups for every code. `ask` runs the Odoo search (the caller wraps it with its retry policy);
   * only codes missing from the cache are sent. `recheckUnknown` asks again for codes cached as not
   * found or ambiguous (an operator retrying failures has probably fixed them in Odoo).
   */
  async resolve(
    scope: EmployeeScope,
    codes: string[],
    ttlSeconds: number,
    ask: (codes: string[]) => Promise<Array<{ id: number; name: string; value: string }>>,
    recheckUnknown = false,
  ): Promise<Map<string, EmployeeLookup>> {
    const wanted = [...new Set(codes)];
    const result = new Map<string, EmployeeLookup>();
    if (wanted.length === 0) return result;
    const keys = wanted.map((code) => this.key(scope, code));
    let cached: Array<string | null> = [];
    try {
      cached = await this.redis.client.mget(...keys);
    } catch {
      cached = [];
    }
    const misses: string[] = [];
    wanted.forEach((code, i) => {
      const raw = cached[i];
      const hit = raw ? parseLookup(raw) : null;
      if (hit && (hit.kind === 'found' || !recheckUnknown)) result.set(code, hit);
      else misses.push(code);
    });
    if (misses.length === 0) return result;

    const rows = await ask(misses);
    const byValue = new Map<string, Array<{ id: number; name: string }>>();
    for (const row of rows) {
      const list = byValue.get(row.value) ?? [];
      list.push({ id: row.id, name: row.name });
      byValue.set(row.value, list);
    }
    const writes: Array<[string, string]> = [];
    for (const code of misses) {
      const matches = byValue.get(code) ?? [];
      const lookup: EmployeeLookup =
        matches.length === 0
          ? { kind: 'missing' }
          : matches.length === 1
            ? { kind: 'found', id: matches[0]!.id, name: matches[0]!.name }
            : { kind: 'ambiguous', ids: matches.map((m) => m.id).sort((a, b) => a - b) };
      result.set(code, lookup);
      writes.push([this.key(scope, code), JSON.stringify(lookup)]);
    }
    try {
      const pipeline = this.redis.client.pipeline();
      for (const [key, value] of writes) pipeline.set(key, value, 'EX', ttlSeconds);
      await pipeline.exec();
    } catch {
      /* cache only */
    }
    return result;
  }

  /** Drops a cached answer (the employee turned out to be gone from Odoo). */
  async forget(scope: EmployeeScope, code: string): Promise<void> {
    await this.redis.del(this.key(scope, code));
  }

  private key(scope: EmployeeScope, code: string): string {
    const fingerprint = createHash('sha256')
      .update(`${scope.baseUrl}\u0000${scope.database}\u0000${scope.field}`)
      .digest('hex')
      .slice(0, 16);
    return `${KEY_PREFIX}:${fingerprint}:${code}`;
  }
}

function parseLookup(raw: string): EmployeeLookup | null {
  try {
    const value = JSON.parse(raw) as EmployeeLookup;
    if (value.kind === 'found' && typeof value.id === 'number') return value;
    if (value.kind === 'missing') return value;
    if (value.kind === 'ambiguous' && Array.isArray(value.ids)) return value;
    return null;
  } catch {
    return null;
  }
}
