import { describe, expect, it } from '@jest/globals';
import { numericTransformer } from './transformers';

describe('numericTransformer', () => {
  it('reads NUMERIC strings as numbers and keeps NULL', () => {
    expect(numericTransformer.from('12.50')).toBe(12.5);
    expect(numericTransformer.from('0')).toBe(0);
    expect(numericTransformer.from('-3.25')).toBe(-3.25);
    expect(numericTransformer.from(7)).toBe(7);
    expect(numericTransformer.from(null)).toBeNull();
    expect(numericTransformer.from(undefined)).toBeNull();
  });

  it('writes values unchanged', () => {
    expect(numericTransformer.to(12.5)).toBe(12.5);
    expect(numericTransformer.to(null)).toBeNull();
  });
});
