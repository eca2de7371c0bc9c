import { describe, expect, it } from '@jest/globals';
import { validateEnv } from '@app/core';
import { attachmentDisposition, StorageService } from './storage.service';
import { mapStorageError, StorageObjectNotFoundError, StorageTimeoutError, StorageUnavailableError } from './storage.errors';

describe('attachmentDisposition', () => {
  it('sends ASCII names as a plain quoted filename', () => {
    expect(attachmentDisposition('attendance-2025-11.csv')).toBe('attachment; filename="attendance-2025-11.csv"');
  });

  it('adds an RFC 5987 name for non-ASCII names and strips quotes from the fallback', () => {
    expect(attachmentDisposition('Détection "1".jpg')).toBe(
      `attachment; filename="D_tection _1_.jpg"; filename*=UTF-8''D%C3%A9tection%20%221%22.jpg`,
    );
  });
});

describe('mapStorageError', () => {
  it('maps network failures and timeouts to StorageUnavailableError', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(mapStorageError(refused, 'get')).toBeInstanceOf(StorageUnavailableError);
    expect(mapStorageError(new StorageTimeoutError(10), 'get')).toBeInstanceOf(StorageUnavailableError);
    expect(mapStorageError(new Error('Request failed after 1 retries: x'), 'put')).toBeInstanceOf(StorageUnavailableError);
  });

  it('maps a missing object to StorageObjectNotFoundError only when a key is given', () => {
    const missing = Object.assign(new Error('Not Found'), { code: 'NoSuchKey' });
    expect(mapStorageError(missing, 'get', 'a/b')).toBeInstanceOf(StorageObjectNotFoundError);
    expect(mapStorageError(missing, 'list')).toBe(missing);
  });

  it('passes other errors through', () => {
    const denied = Object.assign(new Error('Access Denied'), { code: 'AccessDenied' });
    expect(mapStorageError(denied, 'get', 'k')).toBe(denied);
  });
});

describe('StorageService.presignedGetUrl', () => {
  it('clamps the expiry to the SigV4 maximum of 7 days', async () => {
    const svc = new StorageService(validateEnv({ S3_ENDPOINT: 'http://127.0.0.1:1' }));
    const url = new URL(await svc.presignedGetUrl('k.jpg', 30 * 86400));
    expect(url.searchParams.get('X-Amz-Expires')).toBe('604800');
  });
});
