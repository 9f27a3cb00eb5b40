import { randomBytes, randomInt, randomUUID } from 'node:crypto';

/** `<kind>-test-<uuid v4>`, the shape of every Stytch test-environment id (reference 1.7). */
export function newId(kind: string): string {
  return `${kind}-test-${randomUUID()}`;
}

/** A 44-character URL-safe random token, like Stytch's opaque session tokens. */
export function newToken(): string {
  return randomBytes(33).toString('base64url');
}

/** A 6-digit numeric one-time code. */
export function newOtpCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** `xxxx-xxxx-xxxx` of lowercase alphanumerics (reference 5.8). */
export function newRecoveryCode(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const group = (): string => Array.from({ length: 4 }, () => alphabet[randomInt(0, alphabet.length)]).join('');
  return `${group()}-${group()}-${group()}`;
}

/** RFC 3339 UTC without fractional seconds, as the Stytch API prints timestamps. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
