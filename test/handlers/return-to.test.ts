import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSafeReturnTo, safeReturnTo } from '../../src/session/return-to.js';
import { HARMLESS_LOOKALIKES, OPEN_REDIRECT_PAYLOADS } from './open-redirect-payloads.js';

const ORIGIN = 'https://app.example.com';

function staysOnOrigin(target: string): boolean {
  return target.startsWith('/') && !target.startsWith('//') && new URL(target, ORIGIN).origin === ORIGIN;
}

describe('safeReturnTo', () => {
  it('keeps plain same-origin paths with query and fragment', () => {
    for (const path of ['/', '/dashboard', '/a/b/c', '/settings?tab=members&x=1', '/docs#install', '/a-b_c.d~e', '/caf%C3%A9', '/a%2Fb']) {
      expect(safeReturnTo(path, '/fallback')).toBe(path);
    }
  });

  it('falls back for values that are not strings', () => {
    for (const value of [undefined, null, 42, ['/a'], { toString: () => '/a' }, true]) {
      expect(safeReturnTo(value, '/fallback')).toBe('/fallback');
    }
  });

  it(`catalogue #92: falls back for every one of the ${OPEN_REDIRECT_PAYLOADS.length} open-redirect payloads`, () => {
    expect(OPEN_REDIRECT_PAYLOADS.length).toBeGreaterThanOrEqual(200);
    const accepted = OPEN_REDIRECT_PAYLOADS.filter((payload) => safeReturnTo(payload, '/fallback') !== '/fallback');
    expect(accepted).toEqual([]);
  });

  it('catalogue #93: refuses //, /// and /\\ prefixes', () => {
    for (const payload of ['//evil.com', '///evil.com', '/\\evil.com', '/\\/evil.com']) expect(isSafeReturnTo(payload)).toBe(false);
  });

  it('catalogue #95: refuses CR/LF, raw or encoded', () => {
    for (const payload of ['/a\r\nSet-Cookie: x=1', '/a%0d%0aSet-Cookie:%20x=1', '/a%250d%250a']) expect(isSafeReturnTo(payload)).toBe(false);
  });

  it('keeps look-alikes that stay encoded in the path on the same origin', () => {
    for (const payload of HARMLESS_LOOKALIKES) expect(staysOnOrigin(safeReturnTo(payload, '/fallback'))).toBe(true);
  });

  it('never returns anything that leaves the origin, for arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.string({ unit: 'binary' }).map((s) => '/' + s), fc.webPath()), (value) => {
        const target = safeReturnTo(value, '/fallback');
        expect(staysOnOrigin(target)).toBe(true);
        // One more round of decoding by a careless app must still stay home.
        let decoded = target;
        try {
          decoded = decodeURIComponent(target);
        } catch {
          decoded = target;
        }
        expect(staysOnOrigin(decoded.replace(/[\t\n\r]/g, ''))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
