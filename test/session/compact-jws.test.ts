/**
 * The strict compact-JWS parser and the registered-claim rules that replaced jose's `jwtVerify`
 * on the session path (pure functions: no keys, no network). End-to-end attacks with real
 * signatures live in test/middleware (algorithms, claims, token types).
 */
import { describe, expect, it } from 'vitest';
import { decodeBase64urlStrict, decodeJsonObject, isCanonicalBase64url, parseCompactJws } from '../../src/session/compact-jws.js';
import type { CompactJws } from '../../src/session/compact-jws.js';
import { checkRegisteredClaims } from '../../src/session/jwt-claims.js';
import type { ClaimsPolicy } from '../../src/session/jwt-claims.js';

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const rawB64 = (bytes: Buffer): string => bytes.toString('base64url');
const HEADER = { alg: 'RS256', typ: 'JWT', kid: 'jwk-test-1' };
const PAYLOAD = { sub: 'member-test-1' };
const SIGNATURE = rawB64(Buffer.alloc(256, 7));
const token = (header: unknown = HEADER, payload: unknown = PAYLOAD, signature = SIGNATURE): string => `${b64(header)}.${b64(payload)}.${signature}`;

function parsed(value: string): CompactJws {
  const result = parseCompactJws(value);
  if (typeof result === 'string') throw new Error(`refused: ${result}`);
  return result;
}

/** The same bytes, spelled with non-zero spare bits in the last character (a non-canonical alias). */
function nonCanonical(segment: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(segment.at(-1)!);
  return segment.slice(0, -1) + alphabet[last + 1]!;
}

describe('parseCompactJws: segments and encoding', () => {
  it('accepts a well-formed RS256 JWT and exposes what the signature covers', () => {
    const value = token();
    const jws = parsed(value);
    expect(jws.kid).toBe('jwk-test-1');
    expect(jws.header).toEqual(HEADER);
    expect(jws.signingInput.toString('latin1')).toBe(value.slice(0, value.lastIndexOf('.')));
    expect(jws.signature).toEqual(Buffer.alloc(256, 7));
    expect(jws.encodedPayload).toBe(b64(PAYLOAD));
  });

  it.each([
    ['an empty string', ''],
    ['one segment', b64(HEADER)],
    ['two segments', `${b64(HEADER)}.${b64(PAYLOAD)}`],
  ])('refuses %s', (_name, value) => {
    expect(parseCompactJws(value)).toBe('segments');
  });

  it.each([
    ['four segments', `${token()}.${SIGNATURE}`],
    ['five segments (a JWE)', `${token()}.a.b`],
    ['an empty signature (unsigned token)', token(HEADER, PAYLOAD, '')],
  ])('refuses %s', (_name, value) => {
    expect(parseCompactJws(value)).toBe('signature_encoding');
  });

  it('refuses an empty header or payload segment', () => {
    expect(parseCompactJws(`.${b64(PAYLOAD)}.${SIGNATURE}`)).toBe('header_encoding');
    expect(parseCompactJws(`${b64(HEADER)}..${SIGNATURE}`)).toBe('payload_encoding');
  });

  it('refuses "=" padding in any segment', () => {
    const padded = (segment: string): string => segment + '='.repeat((4 - (segment.length % 4)) % 4 || 1);
    expect(parseCompactJws(`${padded(b64(HEADER))}.${b64(PAYLOAD)}.${SIGNATURE}`)).toBe('header_encoding');
    expect(parseCompactJws(`${b64(HEADER)}.${padded(b64(PAYLOAD))}.${SIGNATURE}`)).toBe('payload_encoding');
    expect(parseCompactJws(`${b64(HEADER)}.${b64(PAYLOAD)}.${padded(SIGNATURE)}`)).toBe('signature_encoding');
  });

  it('refuses the standard base64 alphabet, whitespace and other characters', () => {
    for (const bad of ['+', '/', ' ', '\t', '\n', '%', 'é', '\u0000']) {
      expect(parseCompactJws(token(HEADER, PAYLOAD, `${SIGNATURE.slice(0, 10)}${bad}${SIGNATURE.slice(11)}`))).toBe('signature_encoding');
    }
  });

  it('catalogue #19: refuses non-canonical base64url that lenient decoders read as the same bytes', () => {
    const signature = rawB64(Buffer.alloc(254, 7)); // 254 bytes: 339 characters, 2 spare bits
    const alias = nonCanonical(signature);
    expect(Buffer.from(alias, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    expect(parseCompactJws(token(HEADER, PAYLOAD, signature))).not.toBeTypeOf('string');
    expect(parseCompactJws(token(HEADER, PAYLOAD, alias))).toBe('signature_encoding');
    const payload = b64({ sub: 'member' }); // 16 bytes: 22 characters, 4 spare bits
    expect(parseCompactJws(`${b64(HEADER)}.${nonCanonical(payload)}.${SIGNATURE}`)).toBe('payload_encoding');
  });

  it('refuses a segment whose length cannot encode whole bytes (1 mod 4)', () => {
    expect(parseCompactJws(token(HEADER, PAYLOAD, `${rawB64(Buffer.alloc(255, 7))}A`))).toBe('signature_encoding');
    expect(isCanonicalBase64url('A')).toBe(false);
    expect(isCanonicalBase64url('AAAAA')).toBe(false);
  });

  it('decodes only canonical base64url', () => {
    expect(decodeBase64urlStrict('AQ')).toEqual(Buffer.from([1]));
    expect(decodeBase64urlStrict('AR')).toBeUndefined();
    expect(decodeBase64urlStrict('AQI')).toEqual(Buffer.from([1, 2]));
    expect(decodeBase64urlStrict('AQJ')).toBeUndefined();
    expect(decodeBase64urlStrict('AQID')).toEqual(Buffer.from([1, 2, 3]));
    expect(decodeBase64urlStrict('AQ==')).toBeUndefined();
    expect(decodeBase64urlStrict('')).toBeUndefined();
  });
});

describe('parseCompactJws: the header', () => {
  const utf8Invalid = (bytes: number[]): string =>
    rawB64(Buffer.concat([Buffer.from('{"alg":"RS256","typ":"JWT","x":"'), Buffer.from(bytes), Buffer.from('"}')]));

  it.each([
    ['an overlong "/"', [0xc0, 0xaf]],
    ['a lone surrogate', [0xed, 0xa0, 0x80]],
    ['a truncated sequence', [0xe2, 0x82]],
    ['a bare continuation byte', [0x80]],
  ])('refuses invalid UTF-8 (%s) instead of replacing it', (_name, bytes) => {
    expect(parseCompactJws(`${utf8Invalid(bytes)}.${b64(PAYLOAD)}.${SIGNATURE}`)).toBe('header_json');
  });

  it.each([
    ['not JSON', 'alg=RS256'],
    ['an array', [HEADER]],
    ['a string', '"RS256"'],
    ['a number', '42'],
    ['null', 'null'],
  ])('refuses a header that is %s', (_name, header) => {
    expect(parseCompactJws(token(header))).toBe('header_json');
  });

  it.each([
    ['none', 'none'],
    ['None', 'None'],
    ['NONE', 'NONE'],
    ['an empty string', ''],
    ['HS256', 'HS256'],
    ['RS384', 'RS384'],
    ['RS512', 'RS512'],
    ['PS256', 'PS256'],
    ['ES256', 'ES256'],
    ['lower-case rs256', 'rs256'],
    ['RS256 with a trailing space', 'RS256 '],
    ['an array holding RS256', ['RS256']],
    ['a number', 256],
    ['null', null],
    ['an object', { toString: 'RS256' }],
  ])('catalogue #9-#12: refuses alg %s', (_name, alg) => {
    expect(parseCompactJws(token({ ...HEADER, alg }))).toBe('alg');
  });

  it('refuses a header without alg', () => {
    expect(parseCompactJws(token({ typ: 'JWT' }))).toBe('alg');
  });

  it('a __proto__ member cannot supply alg through the prototype', () => {
    const header = b64('{"__proto__":{"alg":"RS256"},"typ":"JWT"}');
    expect(parseCompactJws(`${header}.${b64(PAYLOAD)}.${SIGNATURE}`)).toBe('alg');
  });

  it.each(['JWT', 'jwt', 'Jwt', 'application/jwt', 'APPLICATION/JWT', 'Application/Jwt'])('accepts typ %s like jose', (typ) => {
    expect(parseCompactJws(token({ ...HEADER, typ }))).not.toBeTypeOf('string');
  });

  it.each([
    ['missing', undefined],
    ['at+jwt', 'at+jwt'],
    ['application/at+jwt', 'application/at+jwt'],
    ['logout+jwt', 'logout+jwt'],
    ['JWE', 'JWE'],
    ['an empty string', ''],
    ['JWT with a trailing space', 'JWT '],
    ['text/jwt', 'text/jwt'],
    ['an array', ['JWT']],
    ['a number', 1],
    ['null', null],
  ])('catalogue #17: refuses typ %s', (_name, typ) => {
    expect(parseCompactJws(token({ ...HEADER, typ }))).toBe('typ');
  });

  it.each([
    ['crit', ['exp']],
    ['crit', []],
    ['crit', 'b64'],
    ['b64', false],
    ['b64', true],
    ['jku', 'http://127.0.0.1:9/jwks'],
    ['x5u', 'http://127.0.0.1:9/cert'],
    ['jwk', { kty: 'RSA', n: 'AQAB', e: 'AQAB' }],
    ['x5c', ['MIIB']],
    ['jku', null],
  ])('catalogue #13, #16: refuses a header carrying %s (%j)', (param, value) => {
    expect(parseCompactJws(token({ ...HEADER, [param]: value }))).toBe(`header_${param}`);
  });

  it.each([
    ['a number', 1],
    ['null', null],
    ['an object', { id: 'jwk-test-1' }],
    ['an array', ['jwk-test-1']],
    ['a boolean', true],
  ])('refuses a kid that is %s', (_name, kid) => {
    expect(parseCompactJws(token({ ...HEADER, kid }))).toBe('kid_not_string');
  });

  it('accepts a header without kid (the key set decides whether that is usable)', () => {
    expect(parsed(token({ alg: 'RS256', typ: 'JWT' })).kid).toBeUndefined();
  });
});

describe('decodeJsonObject: the payload', () => {
  it('returns the claims of a JSON object payload', () => {
    expect(decodeJsonObject(b64({ sub: 'member-test-1', n: 1 }))).toEqual({ sub: 'member-test-1', n: 1 });
  });

  it.each([
    ['an array', [PAYLOAD]],
    ['a string', '"member"'],
    ['a number', '1'],
    ['null', 'null'],
    ['true', 'true'],
    ['invalid JSON', '{"sub":'],
    ['empty', ' '],
  ])('catalogue #28: refuses a payload that is %s', (_name, payload) => {
    expect(decodeJsonObject(b64(payload))).toBeUndefined();
  });

  it('catalogue #28: refuses a payload with an overlong UTF-8 byte', () => {
    const bytes = Buffer.concat([Buffer.from('{"sub":"'), Buffer.from([0xc1, 0x81]), Buffer.from('"}')]);
    expect(decodeJsonObject(rawB64(bytes))).toBeUndefined();
  });

  it('refuses a non-canonical payload encoding', () => {
    const segment = b64({ sub: 'member' });
    expect(decodeJsonObject(nonCanonical(segment))).toBeUndefined();
  });

  it('keeps __proto__ as a plain own key, never as the prototype', () => {
    const claims = decodeJsonObject(b64('{"__proto__":{"polluted":true},"sub":"m"}'))!;
    expect(Object.hasOwn(claims, '__proto__')).toBe(true);
    expect((claims as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe('checkRegisteredClaims', () => {
  const NOW = 1_900_000_000;
  const policy: ClaimsPolicy = { issuers: new Set(['stytch.com/project-test-1', 'https://auth.example.test']), audience: 'project-test-1', toleranceSeconds: 0 };
  const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    iss: 'stytch.com/project-test-1',
    aud: ['project-test-1'],
    sub: 'member-test-1',
    iat: NOW - 10,
    nbf: NOW - 10,
    exp: NOW + 300,
    ...extra,
  });
  const without = (claim: string): Record<string, unknown> => {
    const copy = claims();
    delete copy[claim];
    return copy;
  };

  it('accepts a well-formed claim set, with either documented issuer', () => {
    expect(checkRegisteredClaims(claims(), policy, NOW)).toBe('ok');
    expect(checkRegisteredClaims(claims({ iss: 'https://auth.example.test' }), policy, NOW)).toBe('ok');
  });

  it.each(['iss', 'aud', 'sub', 'iat', 'exp'])('catalogue #24: refuses a token without %s', (claim) => {
    expect(checkRegisteredClaims(without(claim), policy, NOW)).toBe(`missing_${claim}`);
  });

  it('accepts a token without nbf', () => {
    expect(checkRegisteredClaims(without('nbf'), policy, NOW)).toBe('ok');
  });

  const BAD_TIMES: [string, unknown][] = [
    ['true', true],
    ['false', false],
    ['null', null],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['NaN', NaN],
    ['""', ''],
    ['" "', ' '],
    ['"invalid"', 'invalid'],
    ['"1700000000"', '1700000000'],
    ['[]', []],
    ['["foo"]', ['foo']],
    ['{}', {}],
    ['{foo:"bar"}', { foo: 'bar' }],
  ];
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    it.each(BAD_TIMES)(`catalogue #25: refuses ${claim} = %s`, (_name, value) => {
      expect(checkRegisteredClaims(claims({ [claim]: value }), policy, NOW)).toBe(`${claim}_type`);
    });
  }

  it('catalogue #25: an exp of 1e999 (JSON for Infinity) is refused, not "never expires"', () => {
    const payload = decodeJsonObject(b64(`{"iss":"stytch.com/project-test-1","aud":"project-test-1","sub":"m","iat":${NOW},"exp":1e999}`))!;
    expect(payload.exp).toBe(Infinity);
    expect(checkRegisteredClaims(payload, policy, NOW)).toBe('exp_type');
  });

  it.each([
    ['another project', 'project-test-2', 'aud'],
    ['an empty array', [], 'aud'],
    ['an object', { 'project-test-1': true }, 'aud'],
    ['a case variant', 'PROJECT-TEST-1', 'aud'],
    ['an array of other projects', ['project-test-2'], 'aud'],
    ['a nested array', [['project-test-1']], 'aud'],
    ['null', null, 'aud'],
  ])('catalogue #26: refuses aud as %s', (_name, aud, verdict) => {
    expect(checkRegisteredClaims(claims({ aud }), policy, NOW)).toBe(verdict);
  });

  it('catalogue #26: accepts aud equal to the project id, or an array containing it', () => {
    expect(checkRegisteredClaims(claims({ aud: 'project-test-1' }), policy, NOW)).toBe('ok');
    expect(checkRegisteredClaims(claims({ aud: ['project-test-2', 'project-test-1'] }), policy, NOW)).toBe('ok');
  });

  it.each([
    ['another project', 'stytch.com/project-test-2'],
    ['the base URL with a trailing slash', 'https://auth.example.test/'],
    ['a case variant of the base URL', 'https://AUTH.example.test'],
    ['a case variant of the project issuer', 'Stytch.com/project-test-1'],
    ['an array containing the right value', ['stytch.com/project-test-1']],
    ['a number', 1],
    ['null', null],
    ['an empty string', ''],
  ])('catalogue #27: refuses iss as %s', (_name, iss) => {
    expect(checkRegisteredClaims(claims({ iss }), policy, NOW)).toBe('iss');
  });

  it.each([
    ['a number', 1],
    ['null', null],
    ['an array', ['member-test-1']],
  ])('refuses sub as %s', (_name, sub) => {
    expect(checkRegisteredClaims(claims({ sub }), policy, NOW)).toBe('sub');
  });

  it('catalogue #20: exp equal to now, or earlier, is expired', () => {
    expect(checkRegisteredClaims(claims({ exp: NOW }), policy, NOW)).toBe('expired');
    expect(checkRegisteredClaims(claims({ exp: NOW - 1 }), policy, NOW)).toBe('expired');
    expect(checkRegisteredClaims(claims({ exp: NOW + 1 }), policy, NOW)).toBe('ok');
  });

  it('catalogue #21: the clock tolerance extends exp, and no further', () => {
    const tolerant = { ...policy, toleranceSeconds: 30 };
    expect(checkRegisteredClaims(claims({ exp: NOW - 29 }), tolerant, NOW)).toBe('ok');
    expect(checkRegisteredClaims(claims({ exp: NOW - 30 }), tolerant, NOW)).toBe('expired');
    expect(checkRegisteredClaims(claims({ exp: NOW - 31 }), tolerant, NOW)).toBe('expired');
  });

  it('catalogue #22: nbf in the future beyond the tolerance is refused', () => {
    expect(checkRegisteredClaims(claims({ nbf: NOW + 1 }), policy, NOW)).toBe('nbf');
    expect(checkRegisteredClaims(claims({ nbf: NOW }), policy, NOW)).toBe('ok');
    const tolerant = { ...policy, toleranceSeconds: 30 };
    expect(checkRegisteredClaims(claims({ nbf: NOW + 30 }), tolerant, NOW)).toBe('ok');
    expect(checkRegisteredClaims(claims({ nbf: NOW + 31 }), tolerant, NOW)).toBe('nbf');
  });

  it('reports expired only when every other rule passed', () => {
    expect(checkRegisteredClaims(claims({ exp: NOW - 1, aud: 'project-test-2' }), policy, NOW)).toBe('aud');
    expect(checkRegisteredClaims(claims({ exp: NOW - 1, iss: 'stytch.com/other' }), policy, NOW)).toBe('iss');
    expect(checkRegisteredClaims(claims({ exp: NOW - 1, nbf: NOW + 5 }), policy, NOW)).toBe('nbf');
    expect(checkRegisteredClaims(claims({ exp: NOW - 1, iat: 'x' }), policy, NOW)).toBe('iat_type');
  });
});
