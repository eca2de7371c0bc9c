import { describe, expect, it } from '@jest/globals';
import { cpuPercentBetween, diskUsedPercent, hostMetrics, memoryUsedPercent, parseMemInfo, parseProcNetDev } from './host-sampler';
import { queuesFromSamples } from './system-metrics.service';

describe('host sampling', () => {
  it('parses /proc/net/dev without the loopback', () => {
    const text = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo: 1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       0          0',
      '  eth0: 5000      50    0    0    0     0          0         0     7000      70    0    0    0     0       0          0',
      '  eth1:  300       3    0    0    0     0          0         0      200       2    0    0    0     0       0          0',
    ].join('\n');
    expect(parseProcNetDev(text)).toEqual({ rxBytes: 5300, txBytes: 7200 });
  });

  it('parses MemTotal and MemAvailable', () => {
    expect(parseMemInfo('MemTotal:       16000000 kB\nMemFree:  1000 kB\nMemAvailable:    4000000 kB\n')).toEqual({
      totalBytes: 16000000 * 1024,
      availableBytes: 4000000 * 1024,
    });
    expect(parseMemInfo('nothing')).toBeNull();
  });

  it('computes CPU busy share, memory and disk percentages like top and df', () => {
    expect(cpuPercentBetween({ idle: 100, total: 200 }, { idle: 150, total: 400 })).toBe(75);
    expect(cpuPercentBetween({ idle: 100, total: 200 }, { idle: 100, total: 200 })).toBe(0);
    expect(memoryUsedPercent({ totalBytes: 1000, availableBytes: 250 })).toBe(75);
    // df: used / (used + available), reserved blocks excluded from both
    expect(diskUsedPercent({ path: '/', totalBytes: 1000, usedBytes: 600, availableBytes: 300 })).toBe(66.67);
  });

  it('turns a sample into metric rows and queue rows back into depths', () => {
    const rows = hostMetrics({
      cpuPercent: 12.5,
      load1: 0.5,
      cores: 2,
      memory: { totalBytes: 2 * 1024 ** 3, availableBytes: 1024 ** 3 },
      disk: { path: '/data', totalBytes: 10 * 1024 ** 3, usedBytes: 9 * 1024 ** 3, availableBytes: 1024 ** 3 },
      network: { rxBytesPerSec: 2048, txBytesPerSec: 1024 },
    });
    expect(rows).toEqual([
      { category: 'cpu', label: 'CPU usage', value: 12.5, unit: '%', limit: 100 },
      { category: 'cpu', label: 'Load average (1 min)', value: 0.5, unit: null, limit: 2 },
      { category: 'memory', label: 'Memory usage', value: 50, unit: '%', limit: 100 },
      { category: 'memory', label: 'Memory used', value: 1, unit: 'GB', limit: 2 },
      { category: 'disk', label: 'Disk usage (/data)', value: 90, unit: '%', limit: 100 },
      { category: 'disk', label: 'Disk free (/data)', value: 1, unit: 'GB', limit: 10 },
      { category: 'network', label: 'Network in', value: 2, unit: 'KB/s', limit: null },
      { category: 'network', label: 'Network out', value: 1, unit: 'KB/s', limit: null },
    ]);
    expect(
      queuesFromSamples([
        { category: 'queue', label: 'detection: waiting', value: 3, unit: 'jobs', limit: null },
        { category: 'queue', label: 'detection: failed', value: 1, unit: 'jobs', limit: null },
        { category: 'queue', label: 'bogus', value: 9, unit: 'jobs', limit: null },
        { category: 'cpu', label: 'x: waiting', value: 9, unit: null, limit: null },
      ]),
    ).toEqual({ detection: { waiting: 3, active: 0, delayed: 0, failed: 1 } });
  });
});
