import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { SESSION_CLAIM } from '../../src/client/types.js';
import { requirePermission } from '../../src/middleware/require-permission.js';
import { stytchAuth } from '../../src/middleware/stytch-auth.js';
import { settleFaults, useEmulator } from '../helpers/emulator.js';
import { flipBit, mintForged, payloadOf, resign, withClaims } from '../helpers/tokens.js';
import { clearing, emulatorOptions, get, listen, newSession, onCleanup, startApp } from './support.js';

const emu = useEmulator();
const AUTHENTICATE = 'POST /v1/b2b/sessions/authenticate';
afterEach(() => {
  settleFaults(emu());
});
const nowSec = () => Math.floor(emu().clock.now() / 1000);

/** A genuine session JWT that has just expired while its session lives on. */
function expiredJwt(s: { session_jwt: string }): string {
  return withClaims(emu(), s.session_jwt, (p) => void (p.exp = nowSec() - 10));
}

function cookieValue(setCookies: string[], name: string): string | undefined {
  const line = setCookies.find((l) => l.startsWith(`${name}=`) && !l.startsWith(`${name}=;`));
  return line?.slice(name.length + 1).split(';')[0];
}

describe('catalogue section 6: network fallback to sessions/authenticate', () => {
  it('catalogue #44: an expired but genuine JWT costs exactly one upstream call and gets fresh cookies', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    const token = expiredJwt(s);
    emu().calls.clear();
    const res = await get(`${app.url}/private`, { cookie: `stytch_session_jwt=${token}` });
    expect(res.status).toBe(200);
    expect(emu().calls.count(AUTHENTICATE)).toBe(1);
    const fresh = cookieValue(res.setCookies, 'stytch_session_jwt');
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(token);
    expect(payloadOf(fresh!)[SESSION_CLAIM].id).toBe(s.session_id);
    expect(cookieValue(res.setCookies, 'stytch_session')).toBeDefined();
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(app.auth.metrics()).toMatchObject({ networkAuthentications: 1, refreshes: 1 });
    // the fresh JWT is then a local cache hit
    emu().calls.clear();
    expect((await get(`${app.url}/me`, { cookie: `stytch_session_jwt=${fresh!}` })).body.verifiedBy).toBe('cache');
    expect(emu().calls.count(/sessions/)).toBe(0);
  });

  it('catalogue #44: an opaque token alone is checked over the network and gets a JWT cookie', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    emu().calls.clear();
    const res = await get(`${app.url}/me`, { cookie: `stytch_session=${s.session_token}` });
    expect(res.body).toMatchObject({ status: 'signed_in', verifiedBy: 'network', credential: 'session_cookie', memberId: s.member_id });
    expect(emu().calls.count(AUTHENTICATE)).toBe(1);
    expect(cookieValue(res.setCookies, 'stytch_session_jwt')).toBeDefined();
  });

  it('catalogue #44: a Stytch 4xx (session_not_found) signs out and clears both cookies', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    emu().admin.revokeSession({ member_session_id: s.session_id });
    const res = await get(`${app.url}/private`, { cookie: `stytch_session_jwt=${expiredJwt(s)}; stytch_session=${s.session_token}` });
    expect(res.status).toBe(401);
    expect(clearing(res.setCookies, 'stytch_session_jwt')).toBeDefined();
    expect(clearing(res.setCookies, 'stytch_session')).toBeDefined();
  });

  it('the session is extended only when sessionDurationMinutes is configured', async () => {
    const app = await startApp(emu(), { sessionDurationMinutes: 120 });
    const s = newSession(emu());
    const res = await get(`${app.url}/me`, { cookie: `stytch_session=${s.session_token}` });
    const expires = new Date(res.body.sessionExpiresAt as string).getTime();
    expect(expires).toBeGreaterThan(emu().clock.now() + 119 * 60_000);
  });

  it('for a bearer credential no cookies are written on refresh', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    const res = await get(`${app.url}/me`, { bearer: expiredJwt(s) });
    expect(res.body.verifiedBy).toBe('network');
    expect(res.setCookies).toEqual([]);
  });

  it('catalogue #45: definitely invalid tokens never cause an upstream call', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    const kid = String(JSON.parse(Buffer.from(s.session_jwt.split('.')[0]!, 'base64url').toString()).kid);
    const tokens = [
      flipBit(s.session_jwt, 2),
      mintForged({ kid }, payloadOf(expiredJwt(s))),
      resign(emu(), payloadOf(s.session_jwt), { alg: 'RS512' }),
      withClaims(emu(), s.session_jwt, (p) => void (p.iss = 'stytch.com/other')),
      withClaims(emu(), s.session_jwt, (p) => void (p.aud = 'other')),
      resign(emu(), payloadOf(s.session_jwt), { typ: 'at+jwt' }),
      'not-a-jwt',
      mintForged({ kid: 'still-unknown' }, payloadOf(s.session_jwt)),
      withClaims(emu(), s.session_jwt, (p) => {
        delete p[SESSION_CLAIM];
        p.scope = 'read';
      }),
    ];
    emu().calls.clear();
    for (const token of tokens) expect((await get(`${app.url}/private`, { bearer: token })).status).toBe(401);
    expect(emu().calls.count(AUTHENTICATE)).toBe(0);
  });

  it('catalogue #46: RBAC is enforced on the network path too', async () => {
    const auth = stytchAuth(emulatorOptions(emu()));
    onCleanup(() => auth.close());
    const app = express();
    app.use(auth);
    app.get('/members', requirePermission('stytch.member', 'delete'), (_req, res) => res.json({ ok: true }));
    const { url } = await listen(app);
    const member = newSession(emu());
    const admin = newSession(emu(), { roles: ['stytch_admin'] });
    emu().calls.clear();
    const denied = await get(`${url}/members`, { cookie: `stytch_session_jwt=${expiredJwt(member)}` });
    expect(denied.status).toBe(403);
    expect(emu().calls.count(AUTHENTICATE)).toBe(1);
    expect((await get(`${url}/members`, { cookie: `stytch_session_jwt=${expiredJwt(admin)}` })).status).toBe(200);
  });

  it('catalogue #47: a revoked token replayed many times costs at most one upstream call per negative-cache period', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    emu().admin.revokeSession({ member_session_id: s.session_id });
    emu().calls.clear();
    for (let i = 0; i < 200; i++) expect((await get(`${app.url}/private`, { cookie: `stytch_session=${s.session_token}` })).status).toBe(401);
    expect(emu().calls.count(AUTHENTICATE)).toBe(1);
    const jwt = expiredJwt(s);
    for (let i = 0; i < 50; i++) expect((await get(`${app.url}/private`, { bearer: jwt })).status).toBe(401);
    expect(emu().calls.count(AUTHENTICATE)).toBe(2);
  });

  it.each([
    ['never answers', { hang: true } as const],
    ['drops the connection mid-body', { drop: 'mid_body' } as const],
    ['drops before headers', { drop: 'before_headers' } as const],
  ])('catalogue #48: an upstream that %s ends in 503 within the deadline', async (_name, fault) => {
    const app = await startApp(emu(), { networkTimeoutMs: 300 });
    const s = newSession(emu());
    emu().faults.next(AUTHENTICATE, fault);
    const started = performance.now();
    const res = await get(`${app.url}/private`, { cookie: `stytch_session=${s.session_token}` });
    expect(res.status).toBe(503);
    expect(res.setCookies).toEqual([]);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('catalogue #49: sessions/authenticate is not retried: a 503 costs exactly one upstream call', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    emu().faults.next(AUTHENTICATE, { status: 503 });
    emu().calls.clear();
    expect((await get(`${app.url}/private`, { cookie: `stytch_session=${s.session_token}` })).status).toBe(503);
    expect(emu().calls.count(AUTHENTICATE)).toBe(1);
    expect((await get(`${app.url}/private`, { cookie: `stytch_session=${s.session_token}` })).status).toBe(200);
  });

  it('catalogue #50: an upstream 429 with Retry-After gives 503 and nothing is retried before Retry-After', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    emu().faults.next(AUTHENTICATE, { status: 429, errorType: 'too_many_requests', retryAfterSeconds: 20 });
    emu().calls.clear();
    const first = await get(`${app.url}/private`, { cookie: `stytch_session=${s.session_token}` });
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('20');
    const second = await get(`${app.url}/private`, { cookie: `stytch_session=${s.session_token}` });
    expect(second.status).toBe(503);
    expect(emu().calls.count(AUTHENTICATE)).toBe(1);
    emu().clock.advance(20_000);
    expect((await get(`${app.url}/private`, { cookie: `stytch_session=${s.session_token}` })).status).toBe(200);
    expect(emu().calls.count(AUTHENTICATE)).toBe(2);
  });

  it('catalogue #50: an upstream 429 without Retry-After gives 503, never 2xx', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    emu().faults.next(AUTHENTICATE, { status: 429, errorType: 'too_many_requests' });
    const res = await get(`${app.url}/me`, { cookie: `stytch_session=${s.session_token}` });
    expect(res.body).toEqual({ status: 'undecided', reason: 'upstream_rate_limited' });
    expect((await get(`${app.url}/private`, { cookie: `stytch_session=${s.session_token}` })).status).toBe(503);
  });

  it.each([
    ['invalid JSON', { malformed: true } as const, 503],
    ['a 500', { status: 500 } as const, 503],
  ])('catalogue #51: an unusable upstream answer (%s) is never authenticated and its text never echoed', async (_name, fault, status) => {
    const app = await startApp(emu());
    const s = newSession(emu());
    emu().faults.next(AUTHENTICATE, fault);
    const res = await get(`${app.url}/private`, { cookie: `stytch_session=${s.session_token}` });
    expect(res.status).toBe(status);
    expect(res.body.error.message).toBe('The authentication service is unavailable. Try again later.');
    expect(res.setCookies).toEqual([]);
  });

  it('catalogue #52: after N consecutive failures the breaker opens: fail fast with no upstream call, local JWTs keep working, then a probe closes it', async () => {
    const app = await startApp(emu(), { circuitBreaker: { failureThreshold: 3, coolOffMs: 10_000 } });
    const s = newSession(emu());
    const local = newSession(emu());
    emu().faults.next(AUTHENTICATE, { status: 503 }, 3);
    for (let i = 0; i < 3; i++) expect((await get(`${app.url}/private`, { cookie: `stytch_session=${s.session_token}` })).status).toBe(503);
    expect(app.auth.metrics().circuit).toBe('open');
    emu().calls.clear();
    const open = await get(`${app.url}/me`, { cookie: `stytch_session=${s.session_token}` });
    expect(open.body).toEqual({ status: 'undecided', reason: 'circuit_open' });
    expect(emu().calls.count(AUTHENTICATE)).toBe(0);
    expect((await get(`${app.url}/private`, { bearer: local.session_jwt })).status).toBe(200);
    emu().clock.advance(10_000);
    expect((await get(`${app.url}/private`, { cookie: `stytch_session=${s.session_token}` })).status).toBe(200);
    expect(emu().calls.count(AUTHENTICATE)).toBe(1);
    expect(app.auth.metrics().circuit).toBe('closed');
  });

  it('catalogue #53: 20 parallel requests with one expired JWT share one upstream call and all get the same new JWT', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    const token = expiredJwt(s);
    emu().calls.clear();
    const responses = await Promise.all(Array.from({ length: 20 }, () => get(`${app.url}/private`, { cookie: `stytch_session_jwt=${token}` })));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(emu().calls.count(AUTHENTICATE)).toBe(1);
    const jwts = new Set(responses.map((r) => cookieValue(r.setCookies, 'stytch_session_jwt')));
    expect(jwts.size).toBe(1);
    expect([...jwts][0]).toBeDefined();
  });

  it('the project credentials being refused is a misconfiguration: undecided, and nobody is logged out', async () => {
    const app = await startApp(emu(), { secret: 'wrong-secret' });
    const s = newSession(emu());
    const res = await get(`${app.url}/private`, { cookie: `stytch_session=${s.session_token}` });
    expect(res.status).toBe(503);
    expect(res.setCookies).toEqual([]);
    expect(app.logs.some((l) => l.level === 'error' && l.obj.event === 'stytch_credentials_rejected')).toBe(true);
  });
});
