/**
 * Property-based tests of `safeReturnTo` (catalogue #92-#95): whatever the input, the result is
 * the fallback or a path that every WHATWG URL parse keeps on the app's own origin, also after
 * one or two more rounds of percent-decoding, and never a value with a control character.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSafeReturnTo, safeReturnTo } from '../../src/session/return-to.js';

const ORIGIN = 'https://app.example';
const FALLBACK = '/dashboard';
const RUNS = { numRuns: 5_000 };

/** Pieces attackers combine: slashes, backslashes, encodings, userinfo, schemes, controls, full-width look-alikes. */
const piece = fc.constantFrom(
  '/', '//', '\\', '%2f', '%2F', '%5c', '%5C', '%252f', '%25', '.', '..', '%2e', '%2e%2e', '@', '%40', ':', 'javascript:', 'https:', 'http:',
  'evil.example', 'app.example', 'a', 'b', '?', '#', '&', '=', '\t', '\r', '\n', '%09', '%0d%0a', '%00', ' ', '%20', '\u3002', '\uff0f', '\uff0e',
  '\u2025', '\u00a0', '\u200b', '%E3%80%82', '%EF%BC%8F', '%ZZ', '%', '~', 'Location:', 'Set-Cookie:', '\u0000',
);
const crafted = fc.array(piece, { minLength: 1, maxLength: 8 }).map((parts) => parts.join(''));
const arbitrary = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 }), crafted, crafted.map((s) => `/${s}`));

function staysOnOrigin(path: string): boolean {
  try {
    return new URL(path, ORIGIN + '/base/').origin === ORIGIN;
  } catch {
    return false;
  }
}

function decodeOnce(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

describe('safeReturnTo (fuzz)', () => {
  it('returns the input or the fallback, and an accepted input stays on the origin after up to two more decodings', () => {
    fc.assert(
      fc.property(arbitrary, (value) => {
        const result = safeReturnTo(value, FALLBACK);
        expect(result === value || result === FALLBACK).toBe(true);
        if (result === FALLBACK) return;
        expect(result.startsWith('/')).toBe(true);
        // eslint-disable-next-line no-control-regex -- the point is that no control character gets through
        expect(result).not.toMatch(/[\u0000-\u0020\u007f-\uffff\\]/);
        expect(staysOnOrigin(result)).toBe(true);
        const once = decodeOnce(result);
        if (once !== undefined) {
          expect(staysOnOrigin(once)).toBe(true);
          expect(once.startsWith('//')).toBe(false);
          const twice = decodeOnce(once);
          if (twice !== undefined) expect(staysOnOrigin(twice)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('is the type guard: isSafeReturnTo(x) exactly when safeReturnTo keeps x', () => {
    fc.assert(
      fc.property(fc.oneof(arbitrary, fc.anything()), (value) => {
        expect(safeReturnTo(value, FALLBACK)).toBe(isSafeReturnTo(value) ? value : FALLBACK);
        if (typeof value !== 'string') expect(isSafeReturnTo(value)).toBe(false);
      }),
      { numRuns: 2_000 },
    );
  });

  it('never lets a CR or LF through in any spelling (no header injection)', () => {
    fc.assert(
      fc.property(crafted, (value) => {
        const result = safeReturnTo(`/${value}`, FALLBACK);
        expect(result).not.toMatch(/[\r\n]/);
        expect(decodeOnce(result) ?? '').not.toMatch(/[\r\n]/);
      }),
      RUNS,
    );
  });

  it('keeps ordinary same-origin paths with queries and fragments', () => {
    const segment = fc.string({ unit: fc.constantFrom('a', 'b', 'z', '0', '9', '-', '_', '~'), minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.option(segment), fc.option(segment), (segments, query, hash) => {
        const path = '/' + segments.join('/') + (query === null ? '' : `?q=${query}`) + (hash === null ? '' : `#${hash}`);
        expect(safeReturnTo(path, FALLBACK)).toBe(path);
      }),
      { numRuns: 1_000 },
    );
  });

  it('refuses huge values without work proportional to an attacker budget', () => {
    expect(safeReturnTo('/' + 'a'.repeat(1_000_000), FALLBACK)).toBe(FALLBACK);
    expect(safeReturnTo('/%25'.repeat(100_000), FALLBACK)).toBe(FALLBACK);
  });
});
