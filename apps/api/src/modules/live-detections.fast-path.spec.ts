import { describe, expect, it } from '@jest/globals';
import type { EnvDto, RateLimiter, RedisService } from '@app/core';
import type { TokenService } from '@app/auth';
import type { UsersRepository } from '@app/users';
import type { LiveDetectionsService } from '@app/detections';
import { LiveDetectionsFastPath } from './live-detections.fast-path';

const USER = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

/** Only match() is exercised: the token check is a fake that knows one token. */
function fastPath(): LiveDetectionsFastPath {
  const redis = { client: { defineCommand: () => undefined } } as unknown as RedisService;
  const tokens = {
    verifyAccess: (token: string) => (token === 'good' ? { sub: USER } : token === 'odd-sub' ? { sub: 'not-a-uuid' } : null),
  } as unknown as TokenService;
  return new LiveDetectionsFastPath({} as RateLimiter, {} as UsersRepository, {} as LiveDetectionsService, redis, {} as EnvDto, tokens);
}

describe('LiveDetectionsFastPath.match', () => {
  const fp = fastPath();
  const bearer = 'Bearer good';

  it('takes GET of the live path with a canonical query and a valid token', () => {
    expect(fp.match('GET', '/api/v1/detections/live', bearer)).toEqual({ userId: USER, cameraId: null, limit: 20 });
    expect(fp.match('GET', '/api/v1/detections/live?', bearer)).toEqual({ userId: USER, cameraId: null, limit: 20 });
    expect(fp.match('GET', '/api/v1/detections/live?cameraId=CAM-01&limit=5', bearer)).toEqual({
      userId: USER,
      cameraId: 'CAM-01',
      limit: 5,
    });
    // What Express's query parser decodes to the same canonical values, the DTO reads the same way.
    expect(fp.match('GET', '/api/v1/detections/live?%63ameraId=CAM-01&limit=020', bearer)).toEqual({
      userId: USER,
      cameraId: 'CAM-01',
      limit: 20,
    });
  });

  it('leaves everything else to Express (which answers it, with its validation and errors)', () => {
    const declined: Array<[string | undefined, string, string | undefined]> = [
      ['POST', '/api/v1/detections/live', bearer],
      ['HEAD', '/api/v1/detections/live', bearer],
      ['GET', '/api/v1/detections/livex', bearer],
      ['GET', '/api/v1/detections/live/', bearer],
      ['GET', '/api/v1/detections/events', bearer],
      ['GET', '/api/v1/detections/live?limit=0', bearer],
      ['GET', '/api/v1/detections/live?limit=101', bearer],
      ['GET', '/api/v1/detections/live?limit=%2B20', bearer],
      ['GET', '/api/v1/detections/live?cameraId=%20CAM-01', bearer],
      ['GET', '/api/v1/detections/live?cameraId=A&cameraId=B', bearer],
      ['GET', '/api/v1/detections/live?other=1', bearer],
      ['GET', '/api/v1/detections/live?cameraId=+CAM-01', bearer], // "+" is a space: the DTO would trim it
      ['GET', '/api/v1/detections/live?cameraId=CAM-01#x', bearer],
      ['GET', '/api/v1/detections/live#x', bearer],
      ['GET', '/api/v1/detections/live', undefined],
      ['GET', '/api/v1/detections/live', 'Basic abc'],
      ['GET', '/api/v1/detections/live', 'Bearer bad'],
      ['GET', '/api/v1/detections/live', 'Bearer odd-sub'],
    ];
    for (const [method, url, auth] of declined) expect([method, url, auth, fp.match(method, url, auth)]).toEqual([method, url, auth, null]);
  });
});
