// Query-string checks at the edge: a bad value is a 400 naming its parameter.
import { FieldError, isUuid } from './http-errors';

export function optionalUuid(name: string, v: unknown): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || !isUuid(v)) throw new FieldError(name, `${name} must be a sweep id (uuid), got '${String(v)}'`);
  return v;
}

export function optionalString(name: string, v: unknown, allowed?: readonly string[]): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || v.length > 200) throw new FieldError(name, `${name} must be a single string`);
  if (allowed && !allowed.includes(v)) throw new FieldError(name, `${name} must be one of ${allowed.join(', ')}, got '${v}'`);
  return v;
}

export function optionalInt(name: string, v: unknown, min: number, max: number): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n < min || n > max) {
    throw new FieldError(name, `${name} must be an integer in [${min}, ${max}], got '${String(v)}'`);
  }
  return n;
}
