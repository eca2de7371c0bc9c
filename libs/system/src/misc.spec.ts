import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGitCommit, readPackageVersion } from './version/app-version';
import { formatUptime } from './services/system-services.service';
import { metricsTokenAccepted } from './prometheus/metrics-auth';
import { canonicalTimeZone, zoneOffset } from './settings/timezones';
import { jsonDepth } from './settings/settings.dto';

describe('version', () => {
  const sha = 'a'.repeat(40);
  it('reads the commit of a checkout: detached, loose ref, packed ref', () => {
    const root = mkdtempSync(join(tmpdir(), 'ver-'));
    mkdirSync(join(root, '.git/refs/heads'), { recursive: true });
    writeFileSync(join(root, 'package.json'), '{"version":"2.3.4"}');
    expect(readPackageVersion(root)).toBe('2.3.4');
    writeFileSync(join(root, '.git/HEAD'), `${sha}\n`);
    expect(readGitCommit(root)).toBe(sha);
    writeFileSync(join(root, '.git/HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(root, '.git/refs/heads/main'), `${'b'.repeat(40)}\n`);
    expect(readGitCommit(root)).toBe('b'.repeat(40));
    writeFileSync(join(root, '.git/HEAD'), 'ref: refs/heads/release\n');
    writeFileSync(join(root, '.git/packed-refs'), `# pack-refs\n${'c'.repeat(40)} refs/heads/release\n`);
    expect(readGitCommit(root)).toBe('c'.repeat(40));
    writeFileSync(join(root, '.git/HEAD'), 'ref: refs/../../etc/passwd\n');
    expect(readGitCommit(root)).toBeNull();
    expect(readGitCommit(join(root, 'nowhere'))).toBeNull();
    expect(readPackageVersion(join(root, 'nowhere'))).toBe('0.0.0');
  });
});

describe('helpers', () => {
  it('formats uptime', () => {
    expect(formatUptime(42)).toBe('0m 42s');
    expect(formatUptime(3 * 3600 + 61)).toBe('3h 1m');
    expect(formatUptime(2 * 86400 + 5 * 3600 + 7 * 60)).toBe('2d 5h 7m');
  });

  it('checks the metrics bearer token', () => {
    expect(metricsTokenAccepted(undefined, '')).toBe(true);
    expect(metricsTokenAccepted(undefined, 'tok')).toBe(false);
    expect(metricsTokenAccepted('Bearer tok', 'tok')).toBe(true);
    expect(metricsTokenAccepted('Bearer to', 'tok')).toBe(false);
    expect(metricsTokenAccepted('Basic tok', 'tok')).toBe(false);
  });

  it('accepts runtime time zones (fixing case, keeping aliases) and rejects the rest', () => {
    expect(canonicalTimeZone('europe/paris')).toBe('Europe/Paris');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    expect(canonicalTimeZone('US/Eastern')).toBe('US/Eastern');
    expect(canonicalTimeZone('Mars/Base')).toBeNull();
    expect(canonicalTimeZone('../../etc')).toBeNull();
    expect(zoneOffset('Asia/Tokyo', new Date('2026-01-01T00:00:00Z'))).toEqual({ offset: '+09:00', minutes: 540 });
    expect(zoneOffset('America/New_York', new Date('2026-01-01T00:00:00Z'))).toEqual({ offset: '-05:00', minutes: -300 });
  });

  it('measures JSON depth', () => {
    expect(jsonDepth(1)).toBe(0);
    expect(jsonDepth({})).toBe(1);
    expect(jsonDepth({ a: [{ b: 1 }] })).toBe(3);
  });
});
