import { describe, expect, it } from '@jest/globals';
import { parseWorkerCommand, workerHeartbeatKey } from './worker-heartbeat';

describe('worker control contract', () => {
  it('parses valid commands', () => {
    expect(parseWorkerCommand('{"command":"restart-queues"}')).toEqual({ command: 'restart-queues' });
    expect(parseWorkerCommand('{"command":"pause-queues","target":"h:1","queues":["detection"],"requestedBy":"u"}')).toEqual({
      command: 'pause-queues',
      target: 'h:1',
      queues: ['detection'],
      requestedBy: 'u',
    });
  });

  it('rejects malformed commands', () => {
    for (const raw of [
      '',
      'null',
      '{"command":"rm -rf"}',
      '{"command":"restart-queues","target":1}',
      '{"command":"resume-queues","queues":"all"}',
    ]) {
      expect(parseWorkerCommand(raw)).toBeNull();
    }
  });

  it('names heartbeat keys by worker id', () => {
    expect(workerHeartbeatKey('host-a:42')).toBe('worker:heartbeat:host-a:42');
  });
});
