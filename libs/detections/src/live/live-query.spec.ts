import { describe, expect, it } from '@jest/globals';
import { parseLiveQuery } from './live-query';

describe('live detections fast path: query', () => {
  it('takes canonical queries', () => {
    expect(parseLiveQuery({})).toEqual({ cameraId: null, limit: 20 });
    expect(parseLiveQuery({ cameraId: 'CAM-01', limit: '100' })).toEqual({ cameraId: 'CAM-01', limit: 100 });
    expect(parseLiveQuery({ limit: '1' })).toEqual({ cameraId: null, limit: 1 });
  });

  it('leaves everything else to the regular route (which answers 400 or normalises)', () => {
    for (const q of [
      { limit: '0' },
      { limit: '101' },
      { limit: '+5' },
      { limit: '5.5' },
      { cameraId: ' CAM-01' },
      { cameraId: '../x' },
      { cameraId: ['CAM-01', 'CAM-02'] },
      { other: '1' },
      null,
    ]) {
      expect(parseLiveQuery(q)).toBeNull();
    }
  });
});
