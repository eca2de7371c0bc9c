import type { FindOperator, ValueTransformer } from 'typeorm';

/**
 * PostgreSQL NUMERIC comes back from `pg` as a string (it may not fit a double). Our NUMERIC
 * columns are small scores and measures (NUMERIC(5,2), NUMERIC(10,2)), so a JS number is exact
 * enough: read them as numbers, write them unchanged. NULL stays NULL.
 */
export const numericTransformer: ValueTransformer = {
  to: (value: number | null | undefined | FindOperator<unknown>): unknown => value,
  from: (value: string | number | null | undefined): number | null => {
    if (value === null || value === undefined) return null;
    const n = typeof value === 'number' ? value : Number(value);
    return Number.isNaN(n) ? null : n;
  },
};
