import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AlertIdParam } from '../alert-id.pipe';
import { ClearNotificationsQueryDto, ListAlertsQueryDto, NotificationDto } from './alert.dto';
import type { NotificationEntity } from '../entities/notification.entity';

const query = (q: Record<string, unknown>): { value: ListAlertsQueryDto; errors: string[] } => {
  const value = plainToInstance(ListAlertsQueryDto, q);
  return { value, errors: validateSync(value, { whitelist: true, forbidNonWhitelisted: true }).map((e) => e.property) };
};

describe('alert query and ids', () => {
  it('parses levels as one or a comma-separated list, booleans strictly', () => {
    expect(query({ level: 'high' }).value.level).toEqual(['high']);
    expect(query({ level: 'high, critical' }).value.level).toEqual(['high', 'critical']);
    expect(query({ level: ['low', 'medium'] }).value.level).toEqual(['low', 'medium']);
    expect(query({ level: 'high,urgent' }).errors).toEqual(['level']);
    expect(query({ acknowledged: 'true', resolved: '0', muted: 'false' }).value).toMatchObject({
      acknowledged: true,
      resolved: false,
      muted: false,
    });
    expect(query({ acknowledged: 'yes' }).errors).toEqual(['acknowledged']);
    expect(query({ kind: 'Camera Offline' }).errors).toEqual(['kind']);
    expect(query({ cameraId: '../x' }).errors).toEqual(['cameraId']);
    expect(query({ page: '2', pageSize: '50', cameraId: 'CAM-01', kind: 'camera_offline' }).errors).toEqual([]);
  });

  it('accepts ALERT- ids only', () => {
    expect(AlertIdParam.transform('ALERT-MJ2K1X0Q-3FA9C1')).toBe('ALERT-MJ2K1X0Q-3FA9C1');
    for (const bad of ['alert-1', 'ALERT-', 'ALERT-a/b', `ALERT-${'x'.repeat(45)}`, "ALERT-1' OR 1=1", 42]) {
      expect(() => AlertIdParam.transform(bad)).toThrow(/alert id/);
    }
  });

  it('validates the clear scope', () => {
    const ok = plainToInstance(ClearNotificationsQueryDto, { scope: 'acknowledged' });
    expect(validateSync(ok)).toHaveLength(0);
    expect(validateSync(plainToInstance(ClearNotificationsQueryDto, { scope: 'everything' }))).toHaveLength(1);
  });

  it('shows a broadcast as acknowledged only for the users who did', () => {
    const n = {
      id: 'n1',
      userId: null,
      title: 't',
      message: null,
      level: 'info',
      acknowledged: false,
      acknowledgedBy: ['u1'],
      dismissedBy: [],
      link: null,
      timestamp: new Date('2026-01-01T00:00:00Z'),
      source: null,
    } as unknown as NotificationEntity;
    expect(NotificationDto.from(n, 'u1').acknowledged).toBe(true);
    expect(NotificationDto.from(n, 'u2').acknowledged).toBe(false);
    expect(NotificationDto.from({ ...n, userId: 'u2', acknowledged: true } as NotificationEntity, 'u2').acknowledged).toBe(true);
  });
});
