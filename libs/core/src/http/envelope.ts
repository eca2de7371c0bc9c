import { SetMetadata } from '@nestjs/common';

export interface PageMeta {
  page: number;
  pageSize: number;
  total: number;
  totalPages: number;
}

/** What a service returns for a paginated list; the envelope interceptor lifts `meta` out. */
export class Paginated<T> {
  constructor(
    readonly items: T[],
    readonly meta: PageMeta,
  ) {}

  static of<T>(items: T[], total: number, page: number, pageSize: number): Paginated<T> {
    return new Paginated(items, { page, pageSize, total, totalPages: Math.ceil(total / pageSize) });
  }

  map<U>(fn: (item: T) => U): Paginated<U> {
    return new Paginated(this.items.map(fn), this.meta);
  }
}

export interface SuccessEnvelope<T> {
  success: true;
  data: T;
  meta?: PageMeta;
}

export function envelope<T>(value: T): SuccessEnvelope<unknown> {
  if (value instanceof Paginated) return { success: true, data: value.items, meta: value.meta };
  return { success: true, data: value ?? null };
}

/** Marks a route whose body must not be wrapped (files, metrics, health probes of orchestrators). */
export const RAW_RESPONSE = 'raw-response';
export const RawResponse = (): MethodDecorator & ClassDecorator => SetMetadata(RAW_RESPONSE, true);
