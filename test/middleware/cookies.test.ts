import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { getStytchContext } from '../../src/middleware/context.js';
import { createCookieWriter, readCookie } from '../../src/middleware/cookies.js';
import { getStytchAuth } from '../../src/middleware/auth-object.js';
import { stytchAuth } from '../../src/middleware/stytch-auth.js';
import { ConfigError } from '../../src/errors.js';
import { settleFaults, useEmulator } from '../helpers/emulator.js';
import { withClaims } from '../helpers/tokens.js';
import { clearing, emulatorOptions, get, listen, newSession, onCleanup, startApp } from './support.js';

const emu = useEmulator();
afterEach(() => {
  settleFaults(emu());
});
const nowSec = () => Math.floor(emu().clock.now() / 1000);
const expired = (s: { session_jwt: string }) => withClaims(emu(), s.session_jwt, (p) => void (p.exp = nowSec() - 10));
const line = (setCookies: string[], name: string) => setCookies.find((l) => l.startsWith(`${name}=`) && !l.startsWith(`${name}=;`));

describe('catalogue section 8: session cookies', () => {
  it('catalogue #63: both session cookies are HttpOnly, Secure, SameSite=Lax, Path=/ and host-only', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    const res = await get(`${app.url}/me`, { cookie: `stytch_session=${s.session_token}`, headers: { host: 'app.example.com' } });
    for (const name of ['stytch_session_jwt', 'stytch_session']) {
      const cookie = line(res.setCookies, name)!;
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/; SameSite=Lax/);
      expect(cookie).toMatch(/; Path=\//);
      expect(cookie).not.toMatch(/Domain=/i);
    }
  });

  it('catalogue #63: with the __Host- prefix the names carry it and cookies are always Secure', async () => {
    const app = await startApp(emu(), { cookies: { prefix: '__Host-' } });
    const s = newSession(emu());
    const res = await get(`${app.url}/me`, { cookie: `__Host-stytch_session=${s.session_token}` });
    expect(res.body.status).toBe('signed_in');
    expect(line(res.setCookies, '__Host-stytch_session_jwt')).toMatch(/; Secure/);
    expect(line(res.setCookies, '__Host-stytch_session')).toMatch(/; Path=\//);
  });

  it('plain HTTP to localhost on a loopback socket omits Secure (local development)', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    const res = await get(`${app.url}/me`, { cookie: `stytch_session=${s.session_token}`, headers: { host: 'localhost:3000' } });
    expect(line(res.setCookies, 'stytch_session')).not.toMatch(/Secure/);
  });

  it('catalogue #64: the cookie lifetime never outlives the session', async () => {
    const app = await startApp(emu());
    const s = newSession(emu(), { session_duration_minutes: 30 });
    const res = await get(`${app.url}/me`, { cookie: `stytch_session=${s.session_token}` });
    const sessionEnd = new Date(res.body.sessionExpiresAt as string).getTime();
    for (const name of ['stytch_session_jwt', 'stytch_session']) {
      const cookie = line(res.setCookies, name)!;
      const maxAge = Number(/Max-Age=(\d+)/.exec(cookie)![1]);
      expect(emu().clock.now() + maxAge * 1000).toBeLessThanOrEqual(sessionEnd);
      expect(new Date(/Expires=([^;]+)/.exec(cookie)![1]!).getTime()).toBeLessThanOrEqual(sessionEnd);
    }
  });

  it('catalogue #65: a JWT cookie over 4096 bytes is not written; the opaque cookie carries the session and a warning is logged', async () => {
    const app = await startApp(emu());
    const s = newSession(emu(), { custom_claims: { blob: 'x'.repeat(3_300) } });
    const res = await get(`${app.url}/me`, { cookie: `stytch_session=${s.session_token}` });
    expect(res.body.status).toBe('signed_in');
    expect(line(res.setCookies, 'stytch_session_jwt')).toBeUndefined();
    expect(clearing(res.setCookies, 'stytch_session_jwt')).toBeDefined();
    expect(line(res.setCookies, 'stytch_session')).toBeDefined();
    expect(res.setCookies.every((c) => c.length <= 4096)).toBe(true);
    expect(app.logs.some((l) => l.level === 'warn' && l.obj.event === 'session_jwt_cookie_too_large')).toBe(true);
  });

  it('an opaque token answered from the cache is not sent both cookies again', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    const first = await get(`${app.url}/private`, { cookie: `stytch_session=${s.session_token}` });
    expect(first.status).toBe(200);
    expect(line(first.setCookies, 'stytch_session_jwt')).toBeDefined();
    const again = await get(`${app.url}/private`, { cookie: `stytch_session=${s.session_token}` });
    expect(again.status).toBe(200);
    expect(again.setCookies).toEqual([]);
    expect(again.headers.get('cache-control')).toBe('no-store');
    expect(app.auth.metrics()).toMatchObject({ networkAuthentications: 1, cacheHits: 1, refreshes: 1 });
  });

  it('catalogue #66: secure: false is refused at construction', () => {
    expect(() => stytchAuth(emulatorOptions(emu(), { cookies: { secure: false as unknown as true } }))).toThrow(ConfigError);
  });

  it('catalogue #66: X-Forwarded-Proto can never take Secure away, and only with trustProxy does it count as HTTPS', async () => {
    // A new session per request: a token answered from the cache is not sent cookies again.
    const token = () => newSession(emu()).session_token;
    const untrusted = await startApp(emu());
    const a = await get(`${untrusted.url}/me`, { cookie: `stytch_session=${token()}`, headers: { host: 'app.example.com', 'x-forwarded-proto': 'http' } });
    expect(line(a.setCookies, 'stytch_session')).toMatch(/Secure/);
    const trusted = await startApp(emu(), { trustProxy: true });
    const b = await get(`${trusted.url}/me`, { cookie: `stytch_session=${token()}`, headers: { host: 'app.example.com', 'x-forwarded-proto': 'http' } });
    expect(line(b.setCookies, 'stytch_session')).toMatch(/Secure/);
    const c = await get(`${trusted.url}/me`, { cookie: `stytch_session=${token()}`, headers: { host: 'localhost', 'x-forwarded-proto': 'https' } });
    expect(line(c.setCookies, 'stytch_session')).toMatch(/Secure/);
  });

  it.each([
    ['X-Forwarded-For', { 'x-forwarded-for': '203.0.113.7' }],
    ['X-Forwarded-Proto', { 'x-forwarded-proto': 'https' }],
    ['Forwarded', { forwarded: 'for=203.0.113.7;proto=https' }],
    ['Via', { via: '1.1 proxy' }],
    ['X-Real-IP', { 'x-real-ip': '203.0.113.7' }],
  ])('a reverse proxy on the same host (loopback socket, loopback Host, %s) still gets Secure cookies', async (_name, headers) => {
    const app = await startApp(emu());
    const s = newSession(emu());
    const res = await get(`${app.url}/me`, { cookie: `stytch_session=${s.session_token}`, headers: { host: '127.0.0.1:3000', ...headers } });
    expect(line(res.setCookies, 'stytch_session')).toMatch(/; Secure/);
  });

  it('in production (NODE_ENV=production, read once) plain HTTP on loopback still gets Secure cookies', async () => {
    const app = await startApp(emu(), { env: { NODE_ENV: 'production' } });
    const s = newSession(emu());
    const res = await get(`${app.url}/me`, { cookie: `stytch_session=${s.session_token}`, headers: { host: 'localhost:3000' } });
    expect(line(res.setCookies, 'stytch_session')).toMatch(/; Secure/);
  });

  it('catalogue #67: responses that set or clear cookies, rejections and authenticated responses are no-store', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    expect((await get(`${app.url}/me`, { cookie: `stytch_session=${s.session_token}` })).headers.get('cache-control')).toBe('no-store');
    expect((await get(`${app.url}/me`, { cookie: 'stytch_session_jwt=a.b.c' })).headers.get('cache-control')).toBe('no-store');
    expect((await get(`${app.url}/private`)).headers.get('cache-control')).toBe('no-store');
    expect((await get(`${app.url}/private`, { bearer: s.session_jwt })).headers.get('cache-control')).toBe('no-store');
  });

  it('catalogue #68: an invalid session clears both cookies with the attributes they were set with', async () => {
    const app = await startApp(emu(), { sameSite: 'strict' });
    const res = await get(`${app.url}/me`, { cookie: 'stytch_session_jwt=aaa.bbb.ccc', headers: { host: 'app.example.com' } });
    for (const name of ['stytch_session_jwt', 'stytch_session']) {
      const cleared = clearing(res.setCookies, name)!;
      expect(cleared).toMatch(/; Path=\//);
      expect(cleared).toMatch(/; HttpOnly/);
      expect(cleared).toMatch(/; Secure/);
      expect(cleared).toMatch(/; SameSite=Strict/);
      expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
    }
  });

  it('catalogue #68: a bearer credential never clears cookies, and an outage never clears cookies', async () => {
    const app = await startApp(emu());
    expect((await get(`${app.url}/me`, { bearer: 'aaa.bbb.ccc' })).setCookies).toEqual([]);
    const s = newSession(emu());
    emu().faults.next('POST /v1/b2b/sessions/authenticate', { status: 503 });
    const res = await get(`${app.url}/me`, { cookie: `stytch_session_jwt=${expired(s)}` });
    expect(res.body.status).toBe('undecided');
    expect(res.setCookies).toEqual([]);
  });

  it('catalogue #69: after forgetSession (logout), the old JWT is refused in this process', async () => {
    const auth = stytchAuth(emulatorOptions(emu()));
    onCleanup(() => auth.close());
    const app = express();
    app.use(auth);
    app.post('/logout', (req, res) => {
      const a = getStytchAuth(req);
      if (a.isAuthenticated) getStytchContext(req).forgetSession(a.sessionId);
      res.json({ ok: true });
    });
    app.get('/me', (req, res) => res.json({ status: getStytchAuth(req).status }));
    const { url } = await listen(app);
    const s = newSession(emu());
    expect((await get(`${url}/me`, { bearer: s.session_jwt })).body.status).toBe('signed_in');
    await get(`${url}/logout`, { bearer: s.session_jwt, method: 'POST' });
    expect((await get(`${url}/me`, { bearer: s.session_jwt })).body.status).toBe('signed_out');
  });

  it.each([
    ['cookies.jwt', { cookies: { jwt: 'a;b' } }],
    ['cookies.token', { cookies: { token: 'a=b' } }],
    ['cookies.ist', { cookies: { ist: 'a\r\nSet-Cookie: x' } }],
    ['cookies.jwt', { cookies: { jwt: 'has space' } }],
    ['cookiePath', { cookiePath: '/; Domain=evil.example' }],
    ['cookieDomain', { cookieDomain: 'evil.example; Secure' }],
    ['cookies.prefix', { cookies: { prefix: '__Host-' }, cookieDomain: 'example.com' }],
    ['cookies', { cookies: { jwt: 'same', token: 'same' } }],
  ])('catalogue #72: an unsafe %s is refused at construction with a ConfigError naming it', (option, extra) => {
    let error: unknown;
    try {
      stytchAuth(emulatorOptions(emu(), extra as never));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(`"${option}"`);
  });

  it('catalogue #73: the session ends at its absolute lifetime whatever the activity', async () => {
    const app = await startApp(emu());
    const s = newSession(emu(), { session_duration_minutes: 5 });
    let jwt = s.session_jwt;
    for (let minute = 0; minute < 4; minute++) {
      const res = await get(`${app.url}/private`, { cookie: `stytch_session_jwt=${jwt}` });
      expect(res.status).toBe(200);
      jwt = line(res.setCookies, 'stytch_session_jwt')?.split(';')[0]!.slice('stytch_session_jwt='.length) ?? jwt;
      emu().clock.advance(60_000);
    }
    emu().clock.advance(2 * 60_000);
    expect((await get(`${app.url}/private`, { cookie: `stytch_session_jwt=${jwt}; stytch_session=${s.session_token}` })).status).toBe(401);
  });
});

describe('cookie helpers', () => {
  it('the cookie writer and readCookie round-trip with the library attributes', async () => {
    const auth = stytchAuth(emulatorOptions(emu()));
    onCleanup(() => auth.close());
    const writer = createCookieWriter(auth.context.config.cookies, () => emu().clock.now(), undefined);
    const app = express();
    app.use(auth);
    app.get('/set', (req, res) => {
      writer.set(req, res, 'pkce', 'v a;lue', { maxAgeSeconds: 600 });
      res.end();
    });
    app.get('/read', (req, res) => {
      const read = readCookie(req, 'pkce');
      res.json({ value: read.kind === 'value' ? read.value : read.kind === 'conflict' ? { conflict: true } : null });
    });
    app.get('/clear', (req, res) => {
      writer.clear(req, res, 'pkce');
      res.end();
    });
    const { url } = await listen(app);
    const set = await get(`${url}/set`);
    expect(set.setCookies[0]).toMatch(/^pkce=v%20a%3Blue; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/);
    expect((await get(`${url}/read`, { cookie: 'pkce=v%20a%3Blue' })).body).toEqual({ value: 'v a;lue' });
    expect((await get(`${url}/read`, { cookie: 'pkce=a; pkce=b' })).body).toEqual({ value: { conflict: true } });
    expect((await get(`${url}/read`, { cookie: 'pkce=duplicate' })).body).toEqual({ value: 'duplicate' });
    expect((await get(`${url}/read`, { cookie: 'pkce=%E0%A4%A' })).body).toEqual({ value: null });
    expect(clearing((await get(`${url}/clear`)).setCookies, 'pkce')).toBeDefined();
  });
});
