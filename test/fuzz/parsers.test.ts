/**
 * Property-based tests (fast-check, bounded runs) of the pure credential parsers: the bearer
 * parser, the cookie scanner, the token shape checks and the cookie reader. Each is checked
 * against a tiny reference model on arbitrary strings, bytes and huge values; none may throw.
 * Catalogue #2, #5, #6, #7, #8.
 */
import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCookie } from '../../src/middleware/cookies.js';
import { COOKIE_ABSENT, COOKIE_CONFLICT, isCompactJwsShape, isOpaqueTokenShape, parseBearer, scanCookieHeader } from '../../src/session/credentials.js';

const RUNS = { numRuns: 2_000 };

/** Strings mixing the characters that matter to these parsers with arbitrary unicode and bytes. */
const tricky = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: fc.constantFrom('a', 'Z', '0', '-', '_', '.', '=', ';', ' ', '\t', '"', '%', 'é', '\u0000', '\r', '\n', ','), maxLength: 80 }),
  fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);

describe('parseBearer (fuzz)', () => {
  it('never throws and only yields a token for "Bearer <one value without space or tab>" in any letter case', () => {
    fc.assert(
      fc.property(fc.oneof(tricky, tricky.map((s) => `Bearer ${s}`), tricky.map((s) => `bEaReR${s}`)), (header) => {
        const result = parseBearer(header);
        expect(['absent', 'malformed', 'token']).toContain(result.kind);
        if (result.kind === 'token') {
          expect(header.slice(0, 7).toLowerCase()).toBe('bearer ');
          expect(result.value).toBe(header.slice(7));
          // Node never hands CR/LF in a header value; space and tab are what could split a token.
          expect(result.value).not.toMatch(/[ \t]/);
          expect(result.value.length).toBeGreaterThan(0);
        }
      }),
      RUNS,
    );
  });

  it('a huge header is handled without throwing', () => {
    expect(parseBearer('Bearer ' + 'a'.repeat(1_000_000)).kind).toBe('token');
    expect(parseBearer('Bearer ' + 'a '.repeat(100_000)).kind).toBe('malformed');
  });
});

describe('scanCookieHeader (fuzz)', () => {
  const name = fc.constantFrom('stytch_session', 'stytch_session_jwt', 'a', 'x-y');
  const value = fc.string({ unit: fc.constantFrom('a', 'b', '1', '-', '_', '.', '%', '='), maxLength: 12 });

  it('agrees with a reference model on headers built from name=value pairs', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value), { maxLength: 6 }), name, fc.constantFrom('; ', ';', ' ;  '), (pairs, wanted, sep) => {
        const header = pairs.map(([n, v]) => `${n}=${v}`).join(sep);
        const values = pairs.filter(([n]) => n === wanted).map(([, v]) => v.trim());
        const expected = values.length === 0 ? COOKIE_ABSENT : new Set(values).size > 1 ? COOKIE_CONFLICT : { kind: 'value', value: values[0] };
        expect(scanCookieHeader(header, wanted)).toEqual(expected);
      }),
      RUNS,
    );
  });

  it('never throws on arbitrary headers and returns absent, a conflict or a raw value found in the header', () => {
    fc.assert(
      fc.property(tricky, name, (header, wanted) => {
        const result = scanCookieHeader(header, wanted);
        if (result.kind === 'value') expect(header).toContain(result.value);
      }),
      RUNS,
    );
  });

  it('a cookie planted twice with different values is never silently resolved, whatever the order', () => {
    fc.assert(
      fc.property(value, value, fc.array(fc.tuple(fc.constantFrom('other', 'x'), value), { maxLength: 3 }), (a, b, noise) => {
        fc.pre(a.trim() !== b.trim());
        const parts = [`stytch_session=${a}`, ...noise.map(([n, v]) => `${n}=${v}`), `stytch_session=${b}`];
        expect(scanCookieHeader(parts.join('; '), 'stytch_session')).toBe(COOKIE_CONFLICT);
        expect(scanCookieHeader(parts.reverse().join('; '), 'stytch_session')).toBe(COOKIE_CONFLICT);
      }),
      RUNS,
    );
  });
});

describe('token shape checks (fuzz)', () => {
  const b64url = /^[A-Za-z0-9_-]+$/;
  const jwsLike = fc.oneof(
    tricky,
    fc.array(fc.string({ unit: fc.constantFrom('a', 'Z', '9', '-', '_', '+', '/', '=', ' ', '.'), maxLength: 20 }), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('.')),
  );

  it('isCompactJwsShape is exactly "three non-empty base64url segments within the cap"', () => {
    fc.assert(
      fc.property(jwsLike, fc.integer({ min: 1, max: 100 }), (value, max) => {
        const parts = value.split('.');
        const expected = value.length <= max && parts.length === 3 && parts.every((p) => b64url.test(p));
        expect(isCompactJwsShape(value, max)).toBe(expected);
      }),
      RUNS,
    );
  });

  it('isOpaqueTokenShape is exactly "8 or more base64url characters within the cap"', () => {
    fc.assert(
      fc.property(jwsLike, fc.integer({ min: 8, max: 100 }), (value, max) => {
        expect(isOpaqueTokenShape(value, max)).toBe(value.length >= 8 && value.length <= max && b64url.test(value));
      }),
      RUNS,
    );
  });

  it('an over-cap token is refused by length alone, however large', () => {
    expect(isCompactJwsShape('a.b.' + 'c'.repeat(5_000_000), 8192)).toBe(false);
    expect(isOpaqueTokenShape('a'.repeat(5_000_000), 8192)).toBe(false);
  });
});

describe('readCookie (fuzz)', () => {
  it('never throws; percent-decodes well-formed values and refuses broken escapes', () => {
    fc.assert(
      fc.property(tricky, fc.constantFrom('stytch_session', 'a'), (header, name) => {
        const req = { headers: { cookie: header } } as unknown as IncomingMessage;
        const result = readCookie(req, name);
        const raw = scanCookieHeader(header, name);
        if (raw.kind !== 'value') expect(result).toBe(raw);
        else if (!raw.value.includes('%')) expect(result).toEqual(raw);
        else {
          let decoded: string | undefined;
          try {
            decoded = decodeURIComponent(raw.value);
          } catch {
            decoded = undefined;
          }
          expect(result).toEqual(decoded === undefined ? COOKIE_ABSENT : { kind: 'value', value: decoded });
        }
      }),
      RUNS,
    );
  });
});
