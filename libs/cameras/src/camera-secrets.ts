import { Injectable } from '@nestjs/common';
import { EnvDto, SecretBox } from '@app/core';
import { maskStreamUrl } from './stream/stream-url';

/** Encrypts stream URLs at rest (they may carry credentials) and gives their masked form. */
@Injectable()
export class CameraSecrets {
  private readonly box: SecretBox;

  constructor(env: EnvDto) {
    this.box = new SecretBox(env.ENCRYPTION_KEY);
  }

  /** `{streamUrl, streamUrlMasked}` columns for a plain URL (both null for none). */
  seal(url: string | null | undefined): { streamUrl: string | null; streamUrlMasked: string | null } {
    if (url === null || url === undefined || url === '') return { streamUrl: null, streamUrlMasked: null };
    return { streamUrl: this.box.encrypt(url), streamUrlMasked: maskStreamUrl(url) };
  }

  /** The plain URL of a `cameras.stream_url` value (legacy plain values are returned as they are). */
  open(sealed: string | null | undefined): string | null {
    if (!sealed) return null;
    return SecretBox.isEncrypted(sealed) ? this.box.decrypt(sealed) : sealed;
  }
}
