import { describe, expect, it } from '@jest/globals';
import { ReportRenderError } from '@app/reports';
import { StorageTimeoutError } from '@app/storage';
import { ExportRejectedError, ExportTimeoutError, filterFromStored, publicFailureMessage } from './export-runner.service';
import { storedFilters } from './exports.service';
import { formatLogId, returned, escapeLike, expectedCondition } from './attendance.repository';

describe('export filters', () => {
  it('stores only the filters that were given and reads back only valid ones', () => {
    const stored = storedFilters({ search: 'ann', dateFrom: '2025-01-01', status: 'late', cameraId: '' });
    expect(stored).toEqual({ search: 'ann', dateFrom: '2025-01-01', status: 'late' });
    expect(filterFromStored(stored)).toMatchObject({ search: 'ann', dateFrom: '2025-01-01', status: 'late', cameraId: undefined });
    // tampered rows: unknown statuses and oversized values are dropped, not trusted
    expect(filterFromStored({ status: 'absent', odooStatus: 'synced', search: 'x'.repeat(500), source: 'manual' })).toMatchObject({
      status: undefined,
      odooStatus: 'synced',
      search: undefined,
      source: 'manual',
    });
    expect(filterFromStored(null)).toMatchObject({ search: undefined });
  });
});

describe('failure messages shown to the requester', () => {
  it('passes our own errors through and hides internal ones', () => {
    expect(publicFailureMessage(new ExportRejectedError('too many rows'))).toBe('too many rows');
    expect(publicFailureMessage(new ExportTimeoutError(300))).toMatch(/300 s/);
    expect(publicFailureMessage(new ReportRenderError('Chromium could not be started'))).toBe('Chromium could not be started');
    expect(publicFailureMessage(new StorageTimeoutError(1000))).toBe('The file store did not answer');
    expect(publicFailureMessage(new Error('relation "x" does not exist at character 42'))).toBe(
      'Internal error while producing the export',
    );
  });
});

describe('repository helpers', () => {
  it('formats log ids with at least three digits', () => {
    expect(formatLogId('2025-11-05', 1)).toBe('ATT-20251105-001');
    expect(formatLogId('2025-11-05', 1234)).toBe('ATT-20251105-1234');
  });

  it('reads rows of UPDATE ... RETURNING ([rows, count]) and of SELECT alike', () => {
    expect(returned([[{ id: 'a' }], 1])).toEqual([{ id: 'a' }]);
    expect(returned([[], 0])).toEqual([]);
    expect(returned([{ id: 'a' }, { id: 'b' }])).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(returned(undefined)).toEqual([]);
  });

  it('escapes LIKE wildcards and builds expected-people conditions', () => {
    expect(escapeLike('100%_\\')).toBe('100\\%\\_\\\\');
    const params: unknown[] = [];
    expect(expectedCondition({ all: false, employeeIds: ['E1'], departments: ['ops'] }, params)).toBe(
      '(fp.employee_id = ANY($1::text[]) OR lower(trim(fp.department)) = ANY($2::text[]))',
    );
    expect(params).toEqual([['E1'], ['ops']]);
    expect(expectedCondition({ all: true, employeeIds: [], departments: [] }, [])).toBe('TRUE');
    expect(expectedCondition({ all: false, employeeIds: [], departments: [] }, [])).toBe('FALSE');
  });
});
