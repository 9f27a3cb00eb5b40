import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COOKIE_ABSENT, COOKIE_CONFLICT, isCompactJwsShape, isOpaqueTokenShape, isValidCookieName, parseBearer, scanCookieHeader, scanCookiePair } from '../../src/session/credentials.js';

const value = (v: string) => ({ kind: 'value', value: v });

describe('parseBearer', () => {
  it('reads a bearer token whatever the scheme case', () => {
    expect(parseBearer('Bearer abc')).toEqual({ kind: 'token', value: 'abc' });
    expect(parseBearer('bearer abc')).toEqual({ kind: 'token', value: 'abc' });
    expect(parseBearer('BEARER abc')).toEqual({ kind: 'token', value: 'abc' });
  });

  it.each([['Bearer'], ['Bearer '], ['Bearer a b'], ['Bearer\tx'], ['Bearer x\t'], ['Bearer  x']])('treats %j as malformed', (header) => {
    expect(parseBearer(header).kind).toBe('malformed');
  });

  it('leaves other schemes to someone else', () => {
    expect(parseBearer('Basic abc').kind).toBe('absent');
    expect(parseBearer('Bearerx abc').kind).toBe('absent');
    expect(parseBearer(undefined).kind).toBe('absent');
  });
});

describe('scanCookieHeader', () => {
  it('finds a cookie among others', () => {
    expect(scanCookieHeader('a=1; stytch_session=tok; b=2', 'stytch_session')).toEqual(value('tok'));
  });

  it('does not match a longer or shorter name', () => {
    expect(scanCookieHeader('stytch_session_jwt=x', 'stytch_session')).toBe(COOKIE_ABSENT);
    expect(scanCookieHeader('xstytch_session=x', 'stytch_session')).toBe(COOKIE_ABSENT);
  });

  it('reports a name sent twice with different values as a conflict', () => {
    expect(scanCookieHeader('s=a; s=b', 's')).toBe(COOKIE_CONFLICT);
  });

  it('reads a cookie whose value is literally "duplicate" as that value, not as a conflict', () => {
    expect(scanCookieHeader('s=duplicate', 's')).toEqual(value('duplicate'));
  });

  it('accepts a name sent twice with the same value', () => {
    expect(scanCookieHeader('s=a; s=a', 's')).toEqual(value('a'));
  });

  it('strips optional quotes and whitespace', () => {
    expect(scanCookieHeader(' s = "abc" ;t=1', 's')).toEqual(value('abc'));
  });
});

describe('scanCookiePair', () => {
  it('reads both session cookies in one pass, each exactly as scanCookieHeader would', () => {
    const name = fc.constantFrom('stytch_session', 'stytch_session_jwt', 's', 'x');
    const cookieValue = fc.string({ unit: fc.constantFrom('a', 'b', '"', ' ', '=', '.', 'duplicate'), maxLength: 8 });
    const header = fc.oneof(
      fc.array(fc.tuple(name, cookieValue), { maxLength: 6 }).map((pairs) => pairs.map(([n, v]) => `${n}=${v}`).join('; ')),
      fc.string({ unit: fc.constantFrom('s', 'x', '=', ';', ' ', '\t', '"', 'a'), maxLength: 24 }),
    );
    fc.assert(
      fc.property(header, name, name, (h, first, second) => {
        expect(scanCookiePair(h, first, second)).toEqual({ first: scanCookieHeader(h, first), second: scanCookieHeader(h, second) });
      }),
      { numRuns: 2000 },
    );
  });

  it('reports a conflict of one name and still reads the other', () => {
    expect(scanCookiePair('j=a; t=x; j=b', 'j', 't')).toEqual({ first: COOKIE_CONFLICT, second: value('x') });
  });
});

describe('token shapes', () => {
  it('accepts a compact JWS of three base64url segments', () => {
    expect(isCompactJwsShape('aaa.bbb.ccc', 100)).toBe(true);
  });

  it.each([['aaa.bbb'], ['a.b.c.d'], ['a.b.c.d.e'], ['.b.c'], ['a..c'], ['a.b.'], [' a.b.c'], ['a.b.c '], ['a+b.c.d'], ['a.b.c='], ['{"a":1}']])(
    'refuses %j',
    (value) => {
      expect(isCompactJwsShape(value, 100)).toBe(false);
    },
  );

  it('refuses a token over the length cap before looking at it', () => {
    expect(isCompactJwsShape(`${'a'.repeat(50)}.${'b'.repeat(50)}.c`, 100)).toBe(false);
  });

  it('accepts only base64url opaque tokens within the cap', () => {
    expect(isOpaqueTokenShape('mZAYn5aLEqKUlZ_Ad9U_fWr38GaAQ1oFAhT8ds245v7Q', 100)).toBe(true);
    expect(isOpaqueTokenShape('has.dot.inside', 100)).toBe(false);
    expect(isOpaqueTokenShape('short', 100)).toBe(false);
    expect(isOpaqueTokenShape('a'.repeat(101), 100)).toBe(false);
  });

  it('validates cookie names against header injection', () => {
    expect(isValidCookieName('stytch_session')).toBe(true);
    for (const bad of ['a;b', 'a=b', 'a b', 'a\r\nb', '', 'a,b']) expect(isValidCookieName(bad)).toBe(false);
  });
});
