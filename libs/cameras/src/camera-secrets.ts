import { Injectable } from '@nestjs/common';
import { EnvDto, SecretBox, unprocessable } from '@app/core';
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

  /**
   * The plain URL of a `cameras.stream_url` value (legacy plain values are returned as they are).
   * 422 when it cannot be decrypted (ENCRYPTION_KEY changed): the URL has to be entered again.
   */
  open(sealed: string | null | undefined): string | null {
    if (!sealed) return null;
    if (!SecretBox.isEncrypted(sealed)) return sealed;
    try {
      return this.box.decrypt(sealed);
    } catch {
      throw unprocessable('The stored stream URL cannot be decrypted (was ENCRYPTION_KEY changed?): enter the URL again');
    }
  }
}
