import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import type { EnvDto } from '@app/core';
import { TokenService } from './token.service';

const env = { JWT_SECRET: 'unit-test-secret-unit-test-secret-0001', JWT_ACCESS_TTL_SECONDS: 900 } as EnvDto;
const claims = { sub: '2f1c1c7e-8a3f-4a57-9c1e-1d7b5d2f0a11', email: 'a@b.test', role: 'ROLE-ADMIN', permissions: ['*'] };

describe('TokenService.verifyAccess', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('verifies a token once and answers repeats from the memo, with the same claims', () => {
    const jwt = new JwtService();
    const tokens = new TokenService(jwt, env);
    const token = tokens.signAccess(claims);
    const verify = jest.spyOn(jwt, 'verify');
    const first = tokens.verifyAccess(token);
    const second = tokens.verifyAccess(token);
    expect(first).toMatchObject(claims);
    expect(second).toEqual(first);
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('refuses a remembered token once it has expired', () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const tokens = new TokenService(new JwtService(), env);
    const token = tokens.signAccess(claims);
    expect(tokens.verifyAccess(token)).not.toBeNull();
    jest.setSystemTime(new Date('2026-01-01T00:15:01Z'));
    expect(tokens.verifyAccess(token)).toBeNull();
  });

  it('never remembers a bad token: a forged or foreign one is refused every time', () => {
    const jwt = new JwtService();
    const tokens = new TokenService(jwt, env);
    const foreign = new TokenService(new JwtService(), { ...env, JWT_SECRET: 'another-secret-another-secret-another-0002' } as EnvDto);
    const token = foreign.signAccess(claims);
    const verify = jest.spyOn(jwt, 'verify');
    expect(tokens.verifyAccess(token)).toBeNull();
    expect(tokens.verifyAccess(token)).toBeNull();
    expect(tokens.verifyAccess(`${tokens.signAccess(claims)}x`)).toBeNull();
    expect(verify).toHaveBeenCalledTimes(3);
  });
});
