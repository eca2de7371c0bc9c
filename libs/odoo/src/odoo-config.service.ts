import { Injectable } from '@nestjs/common';
import { EnvDto, MASK, RedisService, SecretBox, maskSecret, rootLogger, unprocessable } from '@app/core';
import { OdooClient } from './client/odoo.client';
import { OdooAuthError, OdooError, OdooTransportError } from './client/odoo.errors';
import type { OdooCallEvent } from './client/odoo.types';
import { OdooConfigDto, OdooTestResultDto, type UpdateOdooConfigDto } from './dto/odoo.dto';
import type { OdooConfigEntity, OdooConnectionStatus } from './entities/odoo-config.entity';
import { OdooAttendanceRepository, type OdooSyncCounts } from './repositories/odoo-attendance.repository';
import { OdooConfigRepository, type OdooConfigPatch } from './repositories/odoo-config.repository';

/** What a sync or a test needs to talk to Odoo: the settings and the decrypted key. */
export interface OdooConnection {
  config: OdooConfigEntity;
  login: string;
  apiKey: string;
}

/** Why Odoo cannot be called yet (422 for the API, a failed run for the worker). */
export class OdooNotConfiguredError extends Error {
  override name = 'OdooNotConfiguredError';
}

const COUNTS_KEY = 'odoo:counts';
const COUNTS_TTL_SECONDS = 5;

/**
 * The Odoo settings (odoo_config): read with the key masked, changed with the key encrypted at
 * rest (SecretBox), tested against the server, and turned into an OdooClient for the sync.
 */
@Injectable()
export class OdooConfigService {
  private readonly box: SecretBox;
  private readonly log = rootLogger().child({ context: 'OdooConfig' });

  constructor(
    private readonly repo: OdooConfigRepository,
    private readonly attendance: OdooAttendanceRepository,
    private readonly redis: RedisService,
    private readonly env: EnvDto,
  ) {
    this.box = new SecretBox(env.ENCRYPTION_KEY);
  }

  async getConfig(): Promise<OdooConfigDto> {
    const [config, counts] = await Promise.all([this.repo.get(), this.counts()]);
    return OdooConfigDto.from(config, counts, maskSecret(config.apiKey));
  }

  /**
   * Applies the changes. Changing where or as whom we connect resets the status to 'disconnected'
   * until the next test or sync proves it.
   */
  async updateConfig(dto: UpdateOdooConfigDto): Promise<OdooConfigDto> {
    const current = await this.repo.get();
    const patch: OdooConfigPatch = {};
    if (dto.baseUrl !== undefined) patch.baseUrl = dto.baseUrl.replace(/\/+$/, '');
    if (dto.database !== undefined) patch.database = dto.database;
    if (dto.company !== undefined) patch.company = dto.company;
    if (dto.login !== undefined) patch.login = dto.login;
    if (dto.autoSync !== undefined) patch.autoSync = dto.autoSync;
    if (dto.employeeMatchField !== undefined) patch.employeeMatchField = dto.employeeMatchField;
    if (dto.protocol !== undefined) patch.protocol = dto.protocol;
    if (dto.failureAlertThreshold !== undefined) patch.failureAlertThreshold = dto.failureAlertThreshold;
    let keyChanged = false;
    if (dto.apiKey !== undefined && dto.apiKey !== MASK) {
      patch.apiKey = dto.apiKey === null ? null : this.box.encrypt(dto.apiKey);
      keyChanged = true;
    }

    const next = { ...current, ...patch };
    if (next.autoSync && (!next.apiKey || !next.login)) {
      throw unprocessable('Automatic sync needs the login and the API key of the Odoo user', [
        { field: next.login ? 'apiKey' : 'login', issue: 'required when autoSync is on' },
      ]);
    }
    const connectionChanged =
      keyChanged ||
      (['baseUrl', 'database', 'login', 'protocol'] as const).some(
        (field) => patch[field] !== undefined && patch[field] !== current[field],
      );
    if (connectionChanged) patch.status = 'disconnected';

    const saved = await this.repo.update(patch);
    this.log.info({ fields: Object.keys(patch).filter((k) => k !== 'apiKey'), apiKeyChanged: keyChanged }, 'odoo config updated');
    return OdooConfigDto.from(saved, await this.counts(), maskSecret(saved.apiKey));
  }

  /**
   * Checks the stored settings against the server: version, authentication (uid) and read access to
   * hr.attendance. Records the outcome as the config status.
   */
  async testConnection(): Promise<OdooTestResultDto> {
    let connection: OdooConnection;
    try {
      connection = this.connectionFor(await this.repo.get());
    } catch (err) {
      if (err instanceof OdooNotConfiguredError) throw unprocessable(err.message);
      throw err;
    }
    const client = this.createClient(connection);
    let serverVersion: string | null = null;
    let latencyMs: number | null = null;
    let status: OdooConnectionStatus;
    let message: string;
    try {
      const version = await client.version();
      serverVersion = version.serverVersion;
      if (connection.config.protocol === 'json2' && version.major !== null && version.major < 19) {
        throw new OdooError(
          `The JSON-2 API needs Odoo 19 or later; this server runs ${version.serverVersion}: choose the jsonrpc protocol`,
          {
            retryable: false,
          },
        );
      }
      const started = performance.now();
      const uid = await client.authenticate();
      latencyMs = Math.round(performance.now() - started);
      await this.checkAttendanceAccess(client);
      status = 'connected';
      message = `Authenticated as '${connection.login}' (uid ${uid}) on database '${connection.config.database}', Odoo ${serverVersion}`;
    } catch (err) {
      status = err instanceof OdooTransportError ? 'disconnected' : 'error';
      message = err instanceof Error ? err.message : String(err);
    }
    await this.repo.setStatus(status);
    return { status, serverVersion, latencyMs, message };
  }

  /** Odoo settings with the decrypted key; throws OdooNotConfiguredError when something is missing. */
  connectionFor(config: OdooConfigEntity): OdooConnection {
    if (!config.login) throw new OdooNotConfiguredError('Odoo is not configured: set the login of the Odoo user');
    if (!config.apiKey) throw new OdooNotConfiguredError('Odoo is not configured: set the API key of the Odoo user');
    let apiKey: string;
    try {
      apiKey = this.box.decrypt(config.apiKey);
    } catch {
      throw new OdooNotConfiguredError('The stored Odoo API key cannot be decrypted (was ENCRYPTION_KEY changed?): enter it again');
    }
    return { config, login: config.login, apiKey };
  }

  /** Throws a 422 when a sync could not even start. */
  async requireConfigured(): Promise<OdooConfigEntity> {
    const config = await this.repo.get();
    try {
      this.connectionFor(config);
    } catch (err) {
      if (err instanceof OdooNotConfiguredError) throw unprocessable(err.message);
      throw err;
    }
    return config;
  }

  createClient(connection: OdooConnection, onCall?: (event: OdooCallEvent) => void): OdooClient {
    return new OdooClient({
      baseUrl: connection.config.baseUrl,
      database: connection.config.database,
      login: connection.login,
      apiKey: connection.apiKey,
      protocol: connection.config.protocol,
      timeoutMs: this.env.ODOO_REQUEST_TIMEOUT_MS,
      ...(onCall ? { onCall } : {}),
    });
  }

  /** Pending / failed / synced log counts, cached for a few seconds (screens poll them). */
  async counts(): Promise<OdooSyncCounts> {
    const cached = await this.redis.getJson<OdooSyncCounts>(COUNTS_KEY);
    if (cached && typeof cached.pending === 'number') return cached;
    const counts = await this.attendance.counts();
    await this.redis.setJson(COUNTS_KEY, counts, COUNTS_TTL_SECONDS);
    return counts;
  }

  async invalidateCounts(): Promise<void> {
    await this.redis.del(COUNTS_KEY);
  }

  private async checkAttendanceAccess(client: OdooClient): Promise<void> {
    try {
      // Positional domain: every Odoo version names search_count's first argument differently.
      await client.executeKw('hr.attendance', 'search_count', [[]]);
    } catch (err) {
      if (err instanceof OdooAuthError) {
        throw new OdooAuthError(`The Odoo user cannot read attendances (hr.attendance): ${err.message}`);
      }
      if (err instanceof OdooError && !err.retryable) {
        throw new OdooError(`Odoo has no usable hr.attendance model (is the Attendances app installed?): ${err.message}`, {
          retryable: false,
        });
      }
      throw err;
    }
  }
}
