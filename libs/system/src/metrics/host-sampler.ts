import { readFile, statfs } from 'node:fs/promises';
import { cpus, freemem, loadavg, totalmem } from 'node:os';

/** One metric sample, as stored in system_metrics and served by GET /system/health/metrics. */
export interface MetricSample {
  /** cpu | memory | disk | network | runtime | queue */
  category: string;
  label: string;
  value: number;
  unit: string | null;
  /** The value's ceiling when it has one (100 for percentages, total GB, ...). */
  limit: number | null;
}

export interface CpuTimes {
  idle: number;
  total: number;
}

export interface NetCounters {
  rxBytes: number;
  txBytes: number;
}

export interface HostSample {
  cpuPercent: number;
  load1: number;
  cores: number;
  memory: { totalBytes: number; availableBytes: number };
  disk: { path: string; totalBytes: number; availableBytes: number; usedBytes: number } | null;
  network: { rxBytesPerSec: number; txBytesPerSec: number } | null;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
const GB = 1024 ** 3;

export function cpuTimes(): CpuTimes {
  let idle = 0;
  let total = 0;
  for (const c of cpus()) {
    idle += c.times.idle;
    total += c.times.user + c.times.nice + c.times.sys + c.times.idle + c.times.irq;
  }
  return { idle, total };
}

/** Busy share of the CPU time between two readings, 0..100. */
export function cpuPercentBetween(a: CpuTimes, b: CpuTimes): number {
  const total = b.total - a.total;
  if (total <= 0) return 0;
  return round2(Math.min(100, Math.max(0, (1 - (b.idle - a.idle) / total) * 100)));
}

/** Sum of rx/tx bytes over the interfaces of /proc/net/dev (loopback excluded). */
export function parseProcNetDev(text: string): NetCounters {
  let rxBytes = 0;
  let txBytes = 0;
  for (const line of text.split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (!rest || name.trim() === 'lo') continue;
    const f = rest.trim().split(/\s+/).map(Number);
    if (f.length < 9 || !Number.isFinite(f[0]) || !Number.isFinite(f[8])) continue;
    rxBytes += f[0];
    txBytes += f[8];
  }
  return { rxBytes, txBytes };
}

/** MemTotal / MemAvailable of /proc/meminfo in bytes (available counts reclaimable cache as free). */
export function parseMemInfo(text: string): { totalBytes: number; availableBytes: number } | null {
  const kb = (name: string): number | null => {
    const m = new RegExp(`^${name}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : null;
  };
  const totalBytes = kb('MemTotal');
  const availableBytes = kb('MemAvailable');
  return totalBytes && availableBytes !== null ? { totalBytes, availableBytes } : null;
}

async function netCounters(): Promise<NetCounters | null> {
  try {
    return parseProcNetDev(await readFile('/proc/net/dev', 'utf8'));
  } catch {
    return null;
  }
}

async function memory(): Promise<{ totalBytes: number; availableBytes: number }> {
  try {
    const parsed = parseMemInfo(await readFile('/proc/meminfo', 'utf8'));
    if (parsed) return parsed;
  } catch {
    /* not Linux */
  }
  return { totalBytes: totalmem(), availableBytes: freemem() };
}

/** Usage of the file system holding `path`, as `df` reports it (reserved blocks count as used). */
export async function diskUsage(path: string): Promise<HostSample['disk']> {
  try {
    const s = await statfs(path);
    const usedBytes = (s.blocks - s.bfree) * s.bsize;
    const availableBytes = s.bavail * s.bsize;
    return { path, totalBytes: s.blocks * s.bsize, availableBytes, usedBytes };
  } catch {
    return null;
  }
}

/** Samples the host over `windowMs` (CPU busy share and network rates need two readings). */
export async function sampleHost(diskPath: string, windowMs = 1000): Promise<HostSample> {
  const cpu0 = cpuTimes();
  const net0 = await netCounters();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, windowMs));
  const cpu1 = cpuTimes();
  const net1 = await netCounters();
  const seconds = (performance.now() - t0) / 1000;
  return {
    cpuPercent: cpuPercentBetween(cpu0, cpu1),
    load1: round2(loadavg()[0] ?? 0),
    cores: cpus().length,
    memory: await memory(),
    disk: await diskUsage(diskPath),
    network:
      net0 && net1 && seconds > 0
        ? {
            rxBytesPerSec: Math.max(0, (net1.rxBytes - net0.rxBytes) / seconds),
            txBytesPerSec: Math.max(0, (net1.txBytes - net0.txBytes) / seconds),
          }
        : null,
  };
}

export function memoryUsedPercent(m: HostSample['memory']): number {
  return m.totalBytes > 0 ? round2(((m.totalBytes - m.availableBytes) / m.totalBytes) * 100) : 0;
}

export function diskUsedPercent(d: NonNullable<HostSample['disk']>): number {
  const denominator = d.usedBytes + d.availableBytes;
  return denominator > 0 ? round2((d.usedBytes / denominator) * 100) : 0;
}

/** The host sample as metric rows. */
export function hostMetrics(h: HostSample): MetricSample[] {
  const rows: MetricSample[] = [
    { category: 'cpu', label: 'CPU usage', value: h.cpuPercent, unit: '%', limit: 100 },
    { category: 'cpu', label: 'Load average (1 min)', value: h.load1, unit: null, limit: h.cores },
    { category: 'memory', label: 'Memory usage', value: memoryUsedPercent(h.memory), unit: '%', limit: 100 },
    {
      category: 'memory',
      label: 'Memory used',
      value: round2((h.memory.totalBytes - h.memory.availableBytes) / GB),
      unit: 'GB',
      limit: round2(h.memory.totalBytes / GB),
    },
  ];
  if (h.disk) {
    rows.push(
      { category: 'disk', label: `Disk usage (${h.disk.path})`, value: diskUsedPercent(h.disk), unit: '%', limit: 100 },
      {
        category: 'disk',
        label: `Disk free (${h.disk.path})`,
        value: round2(h.disk.availableBytes / GB),
        unit: 'GB',
        limit: round2((h.disk.usedBytes + h.disk.availableBytes) / GB),
      },
    );
  }
  if (h.network) {
    rows.push(
      { category: 'network', label: 'Network in', value: round2(h.network.rxBytesPerSec / 1024), unit: 'KB/s', limit: null },
      { category: 'network', label: 'Network out', value: round2(h.network.txBytesPerSec / 1024), unit: 'KB/s', limit: null },
    );
  }
  return rows;
}
