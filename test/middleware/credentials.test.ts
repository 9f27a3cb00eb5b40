import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { getStytchAuth } from '../../src/middleware/auth-object.js';
import { requireAuth } from '../../src/middleware/require-auth.js';
import { stytchAuth } from '../../src/middleware/stytch-auth.js';
import { settleFaults, useEmulator } from '../helpers/emulator.js';
import { payloadOf } from '../helpers/tokens.js';
import { clearing, emulatorOptions, get, listen, newSession, onCleanup, rawGet, startApp } from './support.js';

const emu = useEmulator();
const AUTHENTICATE = 'POST /v1/b2b/sessions/authenticate';
afterEach(() => {
  settleFaults(emu());
});

describe('catalogue section 1: credential extraction', () => {
  it('catalogue #1: no credentials gives an API caller 401 JSON with no upstream call', async () => {
    const app = await startApp(emu(), { loginUrl: '/login' });
    emu().calls.clear();
    const res = await get(`${app.url}/private`);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(emu().calls.count()).toBe(0);
  });

  it('catalogue #1: no credentials on a browser navigation redirects 303 to the login page with return_to', async () => {
    const app = await startApp(emu(), { loginUrl: '/login' });
    const res = await get(`${app.url}/private?tab=1`, { headers: { 'sec-fetch-mode': 'navigate', accept: 'text/html' } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?return_to=%2Fprivate%3Ftab%3D1');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it.each([['Basic abc'], ['Bearer'], ['Bearer a b'], ['Bearer\tx'], ['Bearer x.y']])(
    'catalogue #2: Authorization %j gets 401 with no upstream call',
    async (header) => {
      const app = await startApp(emu());
      emu().calls.clear();
      const res = await get(`${app.url}/private`, { headers: { authorization: header } });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthenticated');
      expect(emu().calls.count()).toBe(0);
    },
  );

  it('catalogue #2: the bearer scheme is matched case-insensitively', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    const res = await get(`${app.url}/private`, { headers: { authorization: `bearer ${s.session_jwt}` } });
    expect(res.status).toBe(200);
    expect(res.body.memberId).toBe(s.member_id);
  });

  it('catalogue #3: a bearer token takes precedence and identity never mixes with the cookie', async () => {
    const app = await startApp(emu());
    const a = newSession(emu());
    const b = newSession(emu());
    const res = await get(`${app.url}/me`, { bearer: a.session_jwt, cookie: `stytch_session_jwt=${b.session_jwt}; stytch_session=${b.session_token}` });
    expect(res.body).toMatchObject({ status: 'signed_in', memberId: a.member_id, organizationId: a.organization_id, credential: 'bearer' });
  });

  it('catalogue #3: the JWT cookie takes precedence over the opaque token cookie', async () => {
    const app = await startApp(emu());
    const a = newSession(emu());
    const b = newSession(emu());
    emu().calls.clear();
    const res = await get(`${app.url}/me`, { cookie: `stytch_session=${b.session_token}; stytch_session_jwt=${a.session_jwt}` });
    expect(res.body).toMatchObject({ memberId: a.member_id, credential: 'jwt_cookie' });
    expect(emu().calls.count(AUTHENTICATE)).toBe(0);
  });

  it('catalogue #3: an invalid bearer token never falls back to a valid cookie', async () => {
    const app = await startApp(emu());
    const b = newSession(emu());
    const res = await get(`${app.url}/me`, { bearer: 'aaa.bbb.ccc', cookie: `stytch_session_jwt=${b.session_jwt}` });
    expect(res.body).toEqual({ status: 'signed_out', reason: 'invalid_token' });
  });

  it('catalogue #4: a req.auth set by an earlier middleware is never trusted', async () => {
    const auth = stytchAuth(emulatorOptions(emu()));
    onCleanup(() => auth.close());
    const app = express();
    app.use((req, _res, next) => {
      (req as unknown as { auth: unknown }).auth = { member_id: 'admin', isAuthenticated: true, status: 'signed_in' };
      next();
    });
    app.use(auth);
    app.get('/private', requireAuth(), (_req, res) => res.json({ ok: true }));
    app.get('/me', (req, res) => res.json(getStytchAuth(req)));
    const { url } = await listen(app);
    expect((await get(`${url}/private`)).status).toBe(401);
    expect((await get(`${url}/me`)).body).toMatchObject({ status: 'signed_out', reason: 'no_credentials' });
  });

  it.each([
    ['stytch_session_jwt', 'attacker first'],
    ['stytch_session_jwt', 'victim first'],
    ['stytch_session', 'attacker first'],
    ['stytch_session', 'victim first'],
  ])('catalogue #5: duplicate %s cookies (%s) sign out and clear both cookies', async (name, order) => {
    const app = await startApp(emu());
    const attacker = newSession(emu());
    const victim = newSession(emu());
    const value = (s: typeof attacker) => (name === 'stytch_session_jwt' ? s.session_jwt : s.session_token);
    const pair = order === 'attacker first' ? [value(attacker), value(victim)] : [value(victim), value(attacker)];
    emu().calls.clear();
    const res = await get(`${app.url}/me`, { cookie: `${name}=${pair[0]}; ${name}=${pair[1]}` });
    expect(res.body).toEqual({ status: 'signed_out', reason: 'duplicate_credentials' });
    expect(clearing(res.setCookies, 'stytch_session_jwt')).toBeDefined();
    expect(clearing(res.setCookies, 'stytch_session')).toBeDefined();
    expect(emu().calls.count(AUTHENTICATE)).toBe(0);
    expect((await get(`${app.url}/private`, { cookie: `${name}=${pair[0]}; ${name}=${pair[1]}` })).status).toBe(401);
  });

  it('catalogue #5: the same cookie sent twice with the same value is fine', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    const res = await get(`${app.url}/me`, { cookie: `stytch_session_jwt=${s.session_jwt}; stytch_session_jwt=${s.session_jwt}` });
    expect(res.body.status).toBe('signed_in');
  });

  it.each([
    ['broken percent-encoding', Buffer.from('stytch_session_jwt=%E0%A4%A')],
    ['raw bytes >= 0x80', Buffer.concat([Buffer.from('stytch_session_jwt=abc.'), Buffer.from([0xc3, 0xa9, 0xff]), Buffer.from('.def')])],
    ['a tab inside the value', Buffer.from('stytch_session=abcdefgh\tijklmnop')],
    ['a non-base64url JWT segment', Buffer.from('stytch_session_jwt=eyJh*.eyJ+.c2ln')],
    ['broken percent-encoding in the opaque token', Buffer.from('stytch_session=%E0%A4%Aabcdefgh')],
  ])('catalogue #6: %s in a cookie gets 401, never 500, with no upstream call', async (_name, cookie) => {
    const app = await startApp(emu());
    emu().calls.clear();
    const res = await rawGet(app.url, '/private', [Buffer.concat([Buffer.from('Cookie: '), cookie])]);
    expect(res.status).toBe(401);
    expect(res.text).toContain('"code":"unauthenticated"');
    expect(emu().calls.count()).toBe(0);
  });

  it('catalogue #6: a control character in a cookie is refused by Node with 400 before the middleware runs', async () => {
    const app = await startApp(emu());
    const res = await rawGet(app.url, '/private', [Buffer.from('Cookie: stytch_session=abcdefgh\x01ijklmnop')]);
    expect(res.status).toBe(400);
  });

  it('catalogue #7: an over-cap token is refused before any decoding or JWKS work, as cookie and as bearer', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    const big = `${s.session_jwt.split('.')[0]}.${'A'.repeat(9000)}.${s.session_jwt.split('.')[2]}`;
    emu().calls.clear();
    expect((await get(`${app.url}/private`, { bearer: big })).status).toBe(401);
    expect((await get(`${app.url}/private`, { cookie: `stytch_session_jwt=${big}` })).status).toBe(401);
    expect((await get(`${app.url}/private`, { cookie: `stytch_session=${'A'.repeat(9000)}` })).status).toBe(401);
    expect(emu().calls.count()).toBe(0);
    expect(app.auth.metrics()).toMatchObject({ localVerifications: 0, jwksFetches: 0 });
  });

  it('catalogue #7: the token cap is configurable', async () => {
    const app = await startApp(emu(), { maxTokenBytes: 256 });
    const s = newSession(emu());
    expect((await get(`${app.url}/private`, { bearer: s.session_jwt })).status).toBe(401);
  });

  it('catalogue #7: headers over 16 KiB are answered 431 by Node before the middleware runs', async () => {
    const app = await startApp(emu());
    const res = await rawGet(app.url, '/private', [Buffer.from(`X-Big: ${'a'.repeat(17 * 1024)}`)]);
    expect(res.status).toBe(431);
  });

  it.each([
    ['two segments', (jwt: string) => jwt.split('.').slice(0, 2).join('.')],
    ['four segments', (jwt: string) => `${jwt}.AAAA`],
    ['a JWE-shaped string with PBES2 and a huge p2c', () => `${Buffer.from(JSON.stringify({ alg: 'PBES2-HS512+A256KW', enc: 'A256GCM', p2c: 2_000_000_000, p2s: 'AAAA' })).toString('base64url')}.AAAA.AAAA.AAAA.AAAA`],
    ['JSON serialisation', (jwt: string) => JSON.stringify({ protected: jwt.split('.')[0], payload: jwt.split('.')[1], signature: jwt.split('.')[2] })],
    ['leading whitespace', (jwt: string) => ` ${jwt}`],
    ['an empty signature segment', (jwt: string) => `${jwt.split('.').slice(0, 2).join('.')}.`],
    ['an empty payload segment', (jwt: string) => `${jwt.split('.')[0]}..${jwt.split('.')[2]}`],
  ])('catalogue #8: %s gets 401 with no upstream call', async (_name, make) => {
    const app = await startApp(emu());
    const s = newSession(emu());
    const token = make(s.session_jwt);
    emu().calls.clear();
    const res = await get(`${app.url}/me`, { cookie: `stytch_session_jwt=${encodeURIComponent(token)}` });
    expect(res.body).toEqual({ status: 'signed_out', reason: 'malformed_credentials' });
    expect(emu().calls.count()).toBe(0);
    expect(app.auth.metrics().localVerifications).toBe(0);
  });

  it('a valid session cookie carries the whole identity on the auth object', async () => {
    const app = await startApp(emu());
    const s = newSession(emu(), { custom_claims: { plan: 'pro' } });
    const res = await get(`${app.url}/me`, { cookie: `stytch_session_jwt=${s.session_jwt}` });
    const claims = payloadOf(s.session_jwt);
    expect(res.body).toMatchObject({
      isAuthenticated: true,
      status: 'signed_in',
      memberId: s.member_id,
      organizationId: s.organization_id,
      sessionId: s.session_id,
      roles: expect.arrayContaining(['stytch_member']),
      customClaims: { plan: 'pro' },
      verifiedBy: 'local_jwt',
      credential: 'jwt_cookie',
      tokenIssuedAt: new Date(claims.iat * 1000).toISOString(),
    });
  });
});
