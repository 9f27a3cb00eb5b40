/**
 * Typed readers for request fields. A missing required field or a field of the wrong type is a
 * 400 `invalid_argument` naming the field; `null` counts as "not given" for optional fields, as
 * the SDK drops undefined keys but other clients send explicit nulls.
 */
import { badRequest } from './http-errors.js';

export type Body = Record<string, unknown>;

const wrongType = (field: string, expected: string): Error =>
  badRequest('invalid_argument', `The field '${field}' must be ${expected}.`, { field });

export function reqString(body: Body, field: string): string {
  const value = body[field];
  if (value === undefined || value === null || value === '') {
    throw badRequest('invalid_argument', `The field '${field}' is required.`, { field });
  }
  if (typeof value !== 'string') throw wrongType(field, 'a string');
  return value;
}

export function optString(body: Body, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw wrongType(field, 'a string');
  return value;
}

/** An optional string that must not be empty when present (an empty string counts as absent). */
export function optNonEmpty(body: Body, field: string): string | undefined {
  const value = optString(body, field);
  return value === '' ? undefined : value;
}

export function optBool(body: Body, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw wrongType(field, 'a boolean');
  return value;
}

export function optInt(body: Body, field: string, min: number, max: number, errorType = 'invalid_argument'): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType(field, 'an integer');
  if (value < min || value > max) {
    throw badRequest(errorType, `The field '${field}' must be between ${min} and ${max}.`, { field });
  }
  return value;
}

export function optObject(body: Body, field: string): Record<string, unknown> | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) throw wrongType(field, 'an object');
  return value;
}

export function optStringArray(body: Body, field: string): string[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw wrongType(field, 'an array of strings');
  return value;
}

export function optEnum<T extends string>(body: Body, field: string, allowed: readonly T[]): T | undefined {
  const value = optString(body, field);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw badRequest('invalid_argument', `The field '${field}' must be one of ${allowed.join(', ')}.`, { field });
  }
  return value as T;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A required, syntactically plausible email address, lower-cased. */
export function reqEmail(body: Body, field = 'email_address'): string {
  const value = reqString(body, field);
  if (value.length > 254 || !EMAIL.test(value)) throw badRequest('invalid_email', `The field '${field}' is not a valid email address.`, { field });
  return value.toLowerCase();
}

const E164 = /^\+[1-9]\d{6,14}$/;

export function optPhone(body: Body, field: string): string | undefined {
  const value = optNonEmpty(body, field);
  if (value === undefined) return undefined;
  if (!E164.test(value)) throw badRequest('invalid_phone_number', `The field '${field}' must be an E.164 phone number.`, { field });
  return value;
}
