import { describe, expect, it } from '@jest/globals';
import { REDACTED, isSecretKey, redactSecrets, redactText } from './redact';

describe('redactSecrets', () => {
  it('drops secret-named keys at every depth and keeps the rest', () => {
    const input = {
      result: [{ subject: 'EMP-1', similarity: 0.9, token: 't' }],
      apiKey: 'k',
      nested: { api_key: 'k', 'x-api-key': 'k', Authorization: 'Bearer k', password: 'p', clientSecret: 's', keep: 1 },
      trackId: 'TRACK-1',
    };
    expect(redactSecrets(input)).toEqual({
      result: [{ subject: 'EMP-1', similarity: 0.9 }],
      nested: { keep: 1 },
      trackId: 'TRACK-1',
    });
    // the input is not modified
    expect(input.apiKey).toBe('k');
  });

  it('masks known secret values inside strings', () => {
    const key = '00000000-1111-2222-3333-444444444444';
    const out = redactSecrets({ message: `Recognition service with API Key ${key} not found`, list: [key] }, [key]);
    expect(out).toEqual({ message: `Recognition service with API Key ${REDACTED} not found`, list: [REDACTED] });
  });

  it('survives cycles, shared references, binary data and odd values', () => {
    const shared = { n: 1 };
    const cyclic: Record<string, unknown> = { a: shared, b: shared, big: 10n, fn: () => 1, buf: Buffer.alloc(3) };
    cyclic.self = cyclic;
    expect(redactSecrets(cyclic)).toEqual({ a: { n: 1 }, b: { n: 1 }, big: '10', buf: '[binary 3 bytes]', self: '[Circular]' });
    expect(redactSecrets(undefined)).toBeUndefined();
    expect(redactSecrets([undefined, 'x'])).toEqual([null, 'x']);
  });
});

describe('redactText / isSecretKey', () => {
  it('ignores empty and very short secrets', () => {
    expect(redactText('abc', ['', undefined, 'ab'])).toBe('abc');
    expect(redactText('key=supersecret;', ['supersecret'])).toBe(`key=${REDACTED};`);
  });

  it('recognises secret key names in any spelling', () => {
    for (const key of ['apiKey', 'API_KEY', 'x-api-key', 'accessToken', 'Authorization', 'passwd', 'Set-Cookie']) {
      expect(isSecretKey(key)).toBe(true);
    }
    for (const key of ['subject', 'similarity', 'personId', 'trackId', 'keyPoints']) {
      expect(isSecretKey(key)).toBe(false);
    }
  });
});
