import { describe, expect, it } from '@jest/globals';
import { CAMERA_ID_PATTERN, formatCameraId, parseCameraNumber } from './camera-id';
import { dateInZone, timestampKey } from './site-time';

describe('camera ids', () => {
  it('formats CAM-NN with at least two digits and parses only that form', () => {
    expect([1, 9, 10, 99, 100].map(formatCameraId)).toEqual(['CAM-01', 'CAM-09', 'CAM-10', 'CAM-99', 'CAM-100']);
    expect(parseCameraNumber('CAM-07')).toBe(7);
    expect(parseCameraNumber('CAM-100')).toBe(100);
    expect(parseCameraNumber('cam-07')).toBeNull();
    expect(parseCameraNumber('CAM-07b')).toBeNull();
    expect(parseCameraNumber('GATE-1')).toBeNull();
  });

  it('accepts ids of letters, digits, - and _ up to 50 characters', () => {
    for (const ok of ['CAM-01', 'gate_2', 'A', 'x'.repeat(50)]) expect(CAMERA_ID_PATTERN.test(ok)).toBe(true);
    for (const bad of ['', '-CAM', 'CAM 01', 'CAM/01', '../x', 'x'.repeat(51), 'CAM-01\n']) expect(CAMERA_ID_PATTERN.test(bad)).toBe(false);
  });
});

describe('site time', () => {
  it('gives the calendar date in a time zone', () => {
    const at = new Date('2025-11-05T23:30:00Z');
    expect(dateInZone(at, 'UTC')).toBe('2025-11-05');
    expect(dateInZone(at, 'Asia/Tokyo')).toBe('2025-11-06');
    expect(dateInZone(at, 'America/New_York')).toBe('2025-11-05');
  });

  it('builds snapshot key timestamps that sort by time and have no colons', () => {
    const a = timestampKey(new Date('2025-11-05T09:59:59.999Z'));
    const b = timestampKey(new Date('2025-11-05T10:00:00.000Z'));
    expect(a).toBe('2025-11-05T09-59-59-999Z');
    expect(a < b).toBe(true);
  });
});
