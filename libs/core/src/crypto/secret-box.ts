import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';

/**
 * AES-256-GCM for secrets at rest (camera stream URLs with credentials, provider and Odoo API keys).
 * Format: enc:v1:<iv b64>.<tag b64>.<ciphertext b64>. The key comes from ENCRYPTION_KEY: 64 hex chars or
 * 44 base64 chars are used as-is, any other string is stretched with SHA-256.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (/^[0-9a-fA-F]{64}$/.test(secret)) this.key = Buffer.from(secret, 'hex');
    else if (/^[A-Za-z0-9+/]{43}=$/.test(secret)) this.key = Buffer.from(secret, 'base64');
    else this.key = createHash('sha256').update(secret, 'utf8').digest();
  }

  static isEncrypted(value: string | null | undefined): boolean {
    return typeof value === 'string' && value.startsWith(PREFIX);
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${iv.toString('base64')}.${cipher.getAuthTag().toString('base64')}.${data.toString('base64')}`;
  }

  decrypt(sealed: string): string {
    if (!SecretBox.isEncrypted(sealed)) throw new Error('Value is not an encrypted secret');
    const [iv, tag, data] = sealed.slice(PREFIX.length).split('.');
    if (!iv || !tag || data === undefined) throw new Error('Malformed encrypted secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  }

  encryptNullable(plain: string | null | undefined): string | null {
    return plain === null || plain === undefined || plain === '' ? null : this.encrypt(plain);
  }

  decryptNullable(sealed: string | null | undefined): string | null {
    return sealed ? this.decrypt(sealed) : null;
  }
}

/** What a secret looks like on read. */
export const MASK = '***';
export const maskSecret = (value: string | null | undefined): string | null => (value ? MASK : null);
