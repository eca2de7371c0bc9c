import { describe, expect, it } from '@jest/globals';
import { UnrecoverableError } from 'bullmq';
import { DetectFramePayload, InvalidJobPayloadError, validateJobPayload, validatePayload } from './job-payloads';
import { JOB_CATALOGUE, JOB_NAMES, QUEUE_ID_PREFIX, QUEUE_NAMES, queueOfJobId } from './queue.constants';
import { toJobStatus } from './jobs.producer';

describe('validatePayload', () => {
  it('returns a class instance for a valid payload', () => {
    const p = validatePayload(DetectFramePayload, { cameraId: 'CAM-01', trigger: 'manual', requestedBy: 'u1' });
    expect(p).toBeInstanceOf(DetectFramePayload);
    expect(p.cameraId).toBe('CAM-01');
  });

  it('rejects bad values, unknown properties and non-objects with an unrecoverable error', () => {
    const bad = (): unknown => validatePayload(DetectFramePayload, { cameraId: '', trigger: 'cron', extra: 1 });
    expect(bad).toThrow(InvalidJobPayloadError);
    try {
      bad();
    } catch (err) {
      expect(err).toBeInstanceOf(UnrecoverableError);
      const problems = (err as InvalidJobPayloadError).problems.join('\n');
      expect(problems).toMatch(/cameraId/);
      expect(problems).toMatch(/trigger/);
      expect(problems).toMatch(/extra/);
    }
    expect(() => validatePayload(DetectFramePayload, null)).toThrow(/must be an object/);
    expect(() => validatePayload(DetectFramePayload, ['x'])).toThrow(/must be an object/);
  });

  it('validates by job name', () => {
    expect(validateJobPayload('odoo-sync', { trigger: 'scheduled', recordIds: ['a', 'b'] }).recordIds).toEqual(['a', 'b']);
    expect(() => validateJobPayload('odoo-sync', { trigger: 'manual', recordIds: [1] })).toThrow(/recordIds/);
    expect(() => validateJobPayload('mark-missed', { trigger: 'scheduled', date: '5 Nov' })).toThrow(/YYYY-MM-DD/);
    expect(() => validateJobPayload('export-attendance', {})).toThrow(/exportId/);
  });
});

describe('job catalogue', () => {
  it('puts every job on a known queue with at least one attempt', () => {
    for (const name of JOB_NAMES) {
      expect(QUEUE_NAMES).toContain(JOB_CATALOGUE[name].queue);
      expect(JOB_CATALOGUE[name].attempts).toBeGreaterThanOrEqual(1);
    }
    expect(JOB_CATALOGUE['detect-frame']).toMatchObject({ attempts: 3, backoff: { type: 'exponential', delay: 1000 } });
    expect(JOB_CATALOGUE['odoo-sync']).toMatchObject({ attempts: 5, backoff: { type: 'exponential' } });
    expect(JOB_CATALOGUE['export-attendance'].attempts).toBe(2);
  });

  it('finds the queue from a public id prefix, without colons', () => {
    for (const q of QUEUE_NAMES) {
      expect(QUEUE_ID_PREFIX[q]).not.toContain(':');
      expect(queueOfJobId(`${QUEUE_ID_PREFIX[q]}abc`)).toBe(q);
    }
    expect(queueOfJobId('det_')).toBeNull();
    expect(queueOfJobId('xyz_1')).toBeNull();
    expect(queueOfJobId('')).toBeNull();
  });

  it('maps BullMQ states to public statuses', () => {
    expect(['waiting', 'delayed', 'prioritized', 'waiting-children'].map((s) => toJobStatus(s as never))).toEqual([
      'queued',
      'queued',
      'queued',
      'queued',
    ]);
    expect(toJobStatus('active')).toBe('active');
    expect(toJobStatus('completed')).toBe('completed');
    expect(toJobStatus('failed')).toBe('failed');
    expect(toJobStatus('unknown')).toBeNull();
  });
});
