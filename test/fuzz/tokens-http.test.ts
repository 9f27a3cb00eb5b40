/**
 * Property-based tests of the token path over real HTTP (catalogue #2, #6-#8, #12, #14, #24-#29,
 * #45): arbitrary bearer and cookie values, JWT-shaped strings with arbitrary JSON, and tokens
 * well signed by the emulator's real key over arbitrary claims. No exception escapes, no 500, and
 * nothing that fails locally ever costs a `sessions/authenticate` call.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { callsTo, JWT_COOKIE, signedInBrowser, startResilienceApp, TOKEN_COOKIE } from '../resilience/support.js';
import type { ResilienceApp } from '../resilience/support.js';

const emu = useEmulator();
let app: ResilienceApp;
let validPayload: Record<string, unknown>;
let realKid: string;
beforeAll(async () => {
  app = await startResilienceApp(emu());
  const { session, browser } = signedInBrowser(emu(), app);
  expect((await browser.get('/api/me')).status).toBe(200); // keys loaded
  validPayload = JSON.parse(Buffer.from(session.session_jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  realKid = JSON.parse(Buffer.from(session.session_jwt.split('.')[0]!, 'base64url').toString('utf8')).kid as string;
});
afterAll(async () => {
  await app.close();
});

const AUTHENTICATE_CALLS = /^POST \/v1\/b2b\/sessions\/authenticate$/;
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value) ?? 'null').toString('base64url');

/** Characters an HTTP client can put in a header value (printable ASCII and tab). */
const headerChar = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\t', '.', '-', '_', '=', '%'),
);
const headerValue = fc.string({ unit: headerChar, minLength: 1, maxLength: 200 });
const b64urlPart = fc.string({ unit: fc.constantFrom(...'ABCxyz019-_'.split('')), minLength: 1, maxLength: 40 });

async function send(credential: { bearer?: string; jwtCookie?: string; tokenCookie?: string }) {
  const headers: Record<string, string> = {};
  if (credential.bearer !== undefined) headers.authorization = `Bearer ${credential.bearer}`;
  const cookies = [];
  if (credential.jwtCookie !== undefined) cookies.push(`${JWT_COOKIE}=${credential.jwtCookie}`);
  if (credential.tokenCookie !== undefined) cookies.push(`${TOKEN_COOKIE}=${credential.tokenCookie}`);
  if (cookies.length > 0) headers.cookie = cookies.join('; ');
  return app.browser().get('/api/me', { headers });
}

describe('token extraction and verification over HTTP (fuzz)', () => {
  it('arbitrary bearer values and JWT cookies: 401, never 500, never an upstream call', async () => {
    emu().calls.clear();
    await fc.assert(
      fc.asyncProperty(headerValue, fc.boolean(), async (value, asCookie) => {
        const res = await send(asCookie ? { jwtCookie: value.replace(/[;\t ]/g, 'x') } : { bearer: value });
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('unauthenticated');
        expect(res.text).not.toContain(value.length > 8 ? value : '\u0000');
      }),
      { numRuns: 300 },
    );
    expect(callsTo(emu(), AUTHENTICATE_CALLS)).toBe(0);
  });

  it('JWT-shaped tokens with arbitrary JSON (or non-JSON) header, payload and signature: 401 and no upstream call', async () => {
    emu().calls.clear();
    const part = fc.oneof(fc.jsonValue().map(b64), b64urlPart, fc.constant(b64('{"alg":"RS256","kid":"' + 'x'.repeat(50) + '"}')));
    const header = fc.oneof(
      part,
      fc.record({ alg: fc.oneof(fc.constantFrom('RS256', 'none', 'HS256', 'PS256', '__proto__'), fc.jsonValue()), kid: fc.oneof(fc.constant(realKid), fc.jsonValue()), typ: fc.oneof(fc.constant('JWT'), fc.jsonValue()) }, { requiredKeys: [] }).map(b64),
    );
    await fc.assert(
      fc.asyncProperty(header, part, b64urlPart, fc.boolean(), async (h, p, sig, asCookie) => {
        const token = `${h}.${p}.${sig}`;
        const res = await send(asCookie ? { jwtCookie: token } : { bearer: token });
        expect(res.status).toBe(401);
      }),
      { numRuns: 300 },
    );
    expect(callsTo(emu(), AUTHENTICATE_CALLS)).toBe(0);
  });

  it('well-signed tokens over arbitrary claim values: never 500; a 200 names exactly the subject of the token, within our audience and issuer', async () => {
    const claim = fc.constantFrom('exp', 'iat', 'nbf', 'sub', 'aud', 'iss', 'https://stytch.com/session', 'https://stytch.com/organization', '__proto__', 'scope');
    const weird = fc.oneof(fc.jsonValue(), fc.constantFrom(null, true, '', ' ', '1700000000', [], {}, { roles: 'admin' }, Number.MAX_SAFE_INTEGER, -1));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(claim, weird), { maxLength: 3 }), fc.boolean(), async (changes, asCookie) => {
        const payload: Record<string, unknown> = structuredClone(validPayload);
        for (const [name, value] of changes) Object.defineProperty(payload, name, { value, enumerable: true, configurable: true, writable: true });
        const token = emu().admin.signJwt(payload);
        const res = await send(asCookie ? { jwtCookie: token } : { bearer: token });
        expect([200, 401, 503]).toContain(res.status);
        if (res.status === 200) {
          // A token Stytch signed is authoritative for who it names, but only within our audience and
          // issuer and with a well-typed session claim; time claims must be numbers within their windows
          // (a past exp is refreshed by Stytch, catalogue #44, and then the network vouched for it).
          const nowSec = emu().clock.now() / 1000;
          const network = res.body.verifiedBy === 'network';
          // The same token can repeat across runs; a repeat is served from the verified-token cache,
          // which holds local verifications and network answers alike (for as long as that JWT lives).
          const cached = res.body.verifiedBy === 'cache';
          for (const name of new Set(changes.map(([n]) => n))) {
            const value = payload[name]; // the last change of a claim wins
            if (JSON.stringify(value) === JSON.stringify(validPayload[name]) || name === '__proto__' || name === 'scope') continue;
            if (name === 'exp') expect(typeof value === 'number' && (value > nowSec || network || cached)).toBe(true);
            else if (name === 'iat' || name === 'nbf') expect(typeof value === 'number' && value <= nowSec).toBe(true);
            else if (name === 'sub') expect(typeof value === 'string' && value.length > 0).toBe(true);
            else expect.fail(`a token with a changed ${name} claim was accepted`);
          }
          // The identity is the token's own subject (or, refreshed, the session's real member): never a mix.
          if (cached) expect([validPayload.sub, payload.sub]).toContain(res.body.memberId);
          else expect(res.body.memberId).toBe(network ? validPayload.sub : payload.sub);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('arbitrary opaque session cookies: malformed ones never reach Stytch, well-formed unknown ones are 401 after at most one call each', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(headerValue.map((v) => v.replace(/[;\t ]/g, '')), b64urlPart), async (value) => {
        emu().calls.clear();
        const res = await send({ tokenCookie: value });
        expect(res.status).toBe(401);
        const wellFormed = /^[A-Za-z0-9_-]{8,8192}$/.test(value);
        expect(callsTo(emu(), AUTHENTICATE_CALLS)).toBeLessThanOrEqual(wellFormed ? 1 : 0);
      }),
      { numRuns: 200 },
    );
  });
});
