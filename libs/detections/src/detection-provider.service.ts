import { Injectable } from '@nestjs/common';
import { EnvDto, SecretBox } from '@app/core';
import { FaceEngineService } from '@app/faces/face-engine.service';
import type { FaceProvider } from '@app/faces/engine/face-provider';
import type { DetectionProviderConfigEntity } from './entities/detection-provider-config.entity';
import { createExternalProvider, isExternalProviderKind, type ExternalProvider } from './providers';
import { effectiveSettings } from './provider-settings';

/**
 * Turns the provider configuration into the FaceProvider that does the work: the process's shared
 * built-in engine for `builtin`, otherwise a client of the external provider with the decrypted
 * key. External clients are reused while the configuration that built them is unchanged (each
 * keeps its own record of recent failures for health reports).
 */
@Injectable()
export class DetectionProviderService {
  private readonly box: SecretBox;
  private external: { fingerprint: string; provider: ExternalProvider & FaceProvider } | null = null;

  constructor(
    private readonly engine: FaceEngineService,
    env: EnvDto,
  ) {
    this.box = new SecretBox(env.ENCRYPTION_KEY);
  }

  /** The provider for a configuration row. Throws ProviderRejectedError for an unusable endpoint. */
  providerFor(config: DetectionProviderConfigEntity): FaceProvider {
    if (!isExternalProviderKind(config.kind)) return this.engine;
    const settings = effectiveSettings(config.settings);
    const fingerprint = JSON.stringify([config.kind, config.endpoint, config.apiKey, settings.timeoutMs]);
    if (this.external?.fingerprint === fingerprint) return this.external.provider;
    const provider = createExternalProvider({
      kind: config.kind,
      endpoint: config.endpoint,
      apiKey: this.apiKeyOf(config),
      timeoutMs: settings.timeoutMs,
    });
    this.external = { fingerprint, provider };
    return provider;
  }

  /** The decrypted API key (for the provider client only: never log or return it). */
  apiKeyOf(config: DetectionProviderConfigEntity): string | undefined {
    return this.box.decryptNullable(config.apiKey) ?? undefined;
  }

  /** The built-in engine, loaded (the api loads it lazily; a probe should not report "not loaded"). */
  async warmBuiltin(): Promise<void> {
    await this.engine.warmUp();
  }
}
