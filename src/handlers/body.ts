/**
 * Request body parsing for the drop-in routes, without `express.json()`: JSON or URL-encoded
 * forms only, with a size cap, into a flat record of strings. A body parsed earlier by the app
 * (Express's `req.body`) is reused so mounting order does not matter.
 */
import type { IncomingMessage } from 'node:http';
import { BadRequestError, StytchExpressError } from '../errors.js';

/** A parsed body: string values only; anything else is dropped (fields are validated one by one). */
export type FormFields = Record<string, string>;

function contentType(req: IncomingMessage): string {
  const value = req.headers['content-type'];
  return (value ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function toFields(value: unknown): FormFields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestError('invalid_body', 'The request body must be a JSON object or a form.');
  }
  const fields: FormFields = Object.create(null) as FormFields;
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    if (typeof field === 'string') fields[key] = field;
  }
  return fields;
}

async function readRaw(req: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new StytchExpressError('body_too_large', 413, 'Request body too large.');
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += buf.length;
    if (total > maxBytes) throw new StytchExpressError('body_too_large', 413, 'Request body too large.');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Read the body of a POST as flat string fields.
 *
 * Accepts `application/json` (an object) and `application/x-www-form-urlencoded`; an empty body
 * is `{}`. Other content types with a body are 415: text/plain and multipart are the "simple"
 * types a cross-site form can send without a preflight. Duplicate form keys are
 * rejected rather than guessed.
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<FormFields> {
  return toFields(await readBodyObject(req, maxBytes));
}

/**
 * Like {@link readBody}, but keeps a JSON body's values as sent (arrays, booleans, nested
 * objects) for routes that validate typed fields one by one. A form's values are strings.
 */
export async function readBodyObject(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  const preParsed = (req as IncomingMessage & { body?: unknown }).body;
  // Reuse a body the app already parsed; an empty object left by a parser that did not match the
  // content type (Express 4's body-parser) does not count while the stream is still unread.
  if (preParsed !== undefined && typeof preParsed === 'object' && preParsed !== null && !Buffer.isBuffer(preParsed)) {
    if (req.readableEnded || Object.keys(preParsed).length > 0) return asObject(preParsed);
  }
  if (req.readableEnded) return Object.create(null) as Record<string, unknown>;
  const type = contentType(req);
  const raw = await readRaw(req, maxBytes);
  if (raw.trim() === '') return Object.create(null) as Record<string, unknown>;
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new BadRequestError('invalid_body', 'The request body is not valid JSON.');
    }
    return asObject(parsed);
  }
  if (type === 'application/x-www-form-urlencoded') {
    const params = new URLSearchParams(raw);
    const fields: FormFields = Object.create(null) as FormFields;
    for (const [key, value] of params) {
      if (key in fields) throw new BadRequestError('invalid_body', 'A form field was sent twice.');
      fields[key] = value;
    }
    return fields;
  }
  throw new StytchExpressError('unsupported_media_type', 415, 'Send application/json or a URL-encoded form.');
}

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestError('invalid_body', 'The request body must be a JSON object or a form.');
  }
  // Own entries copied onto a prototype-less object: `__proto__` and friends stay plain keys.
  const out = Object.create(null) as Record<string, unknown>;
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) out[key] = field;
  return out;
}

/** Field rules used by the routes. */
export const FIELD_RULES = {
  // Loose on purpose (Stytch validates fully); enough to refuse junk without an upstream call.
  email: /^[^\s@<>"]{1,64}@[^\s@<>"]{1,190}\.[^\s@<>".]{1,63}$/,
  // Stytch ids (organization-test-<uuid>) and slugs: 2-128 of [A-Za-z0-9-._~] (reference 6.1).
  organization: /^[A-Za-z0-9._~-]{2,128}$/,
  sixDigits: /^\d{6}$/,
  // Recovery codes are xxxx-xxxx-xxxx of lowercase alphanumerics (reference 5.8).
  recoveryCode: /^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/,
  phone: /^\+[1-9]\d{6,14}$/,
} as const;

/**
 * A required string field matching `rule`, trimmed; otherwise a 400 with `code`.
 * The message names the field, never echoes its value.
 */
export function requireField(fields: FormFields, name: string, rule: RegExp, code: string): string {
  const value = fields[name]?.trim();
  if (value === undefined || value === '' || !rule.test(value)) {
    throw new BadRequestError(code, `Field ${name} is missing or malformed.`);
  }
  return value;
}

/** An optional string field: undefined when absent or empty, else validated like {@link requireField}. */
export function optionalField(fields: FormFields, name: string, rule: RegExp, code: string): string | undefined {
  const value = fields[name]?.trim();
  if (value === undefined || value === '') return undefined;
  return requireField(fields, name, rule, code);
}
