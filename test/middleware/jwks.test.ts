import { afterEach, describe, expect, it } from 'vitest';
import { settleFaults, useEmulator } from '../helpers/emulator.js';
import { mintForged, payloadOf, resign } from '../helpers/tokens.js';
import { get, newSession, startApp } from './support.js';

const emu = useEmulator();
const JWKS = /^GET \/v1\/b2b\/sessions\/jwks\//;
const JWKS_FAULT = 'GET /v1/b2b/sessions/jwks/*';
const AUTHENTICATE = 'POST /v1/b2b/sessions/authenticate';
afterEach(() => {
  settleFaults(emu());
});

async function inBatches<T>(count: number, batch: number, run: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < count; start += batch) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - start) }, (_, j) => run(start + j)))));
  }
  return out;
}

describe('catalogue section 5: JWKS fetch and cache (through the middleware)', () => {
  it('catalogue #37: 500 concurrent cold-start requests cause exactly one JWKS fetch', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    emu().calls.clear();
    const statuses = await Promise.all(Array.from({ length: 500 }, () => get(`${app.url}/private`, { bearer: s.session_jwt }).then((r) => r.status)));
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(emu().calls.count(JWKS)).toBe(1);
    expect(emu().calls.count(AUTHENTICATE)).toBe(0);
  });

  it('a warm valid JWT costs zero upstream calls', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    await get(`${app.url}/private`, { bearer: s.session_jwt });
    await app.auth.context.policyCache.get(s.organization_id); // let the RBAC preload settle
    emu().calls.clear();
    for (let i = 0; i < 20; i++) expect((await get(`${app.url}/private`, { bearer: s.session_jwt })).status).toBe(200);
    expect(emu().calls.count()).toBe(0);
    expect(app.auth.metrics()).toMatchObject({ localVerifications: 1, cacheHits: 20, networkAuthentications: 0 });
  });

  it('catalogue #36: an unknown-kid flood causes at most one extra JWKS fetch per cooldown, and valid requests keep working', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    await get(`${app.url}/private`, { bearer: s.session_jwt });
    emu().clock.advance(30_000);
    const fresh = newSession(emu());
    emu().calls.clear();
    const payload = payloadOf(fresh.session_jwt);
    const statuses = await inBatches(1000, 100, (i) => get(`${app.url}/private`, { bearer: mintForged({ kid: `random-${i}` }, payload) }).then((r) => r.status));
    expect(statuses.every((status) => status === 401)).toBe(true);
    expect((await get(`${app.url}/private`, { bearer: fresh.session_jwt })).status).toBe(200);
    expect(emu().calls.count(JWKS)).toBeLessThanOrEqual(1);
    expect(emu().calls.count(AUTHENTICATE)).toBe(0);
  });

  it('catalogue #39: while the JWKS endpoint fails, a known key keeps verifying within the fallback window, with a warning and a metric', async () => {
    const app = await startApp(emu(), { jwks: { staleIfErrorMs: 30 * 60_000 } });
    await get(`${app.url}/private`, { bearer: newSession(emu()).session_jwt });
    emu().faults.next(JWKS_FAULT, { status: 500 }, 1000);
    emu().clock.advance(11 * 60_000);
    const s = newSession(emu());
    const res = await get(`${app.url}/private`, { bearer: s.session_jwt });
    expect(res.status).toBe(200);
    expect(app.auth.metrics().jwksStaleServed).toBeGreaterThanOrEqual(1);
    expect(app.logs.some((log) => log.obj.event === 'jwks_stale_served')).toBe(true);
  });

  it('catalogue #39: past the fallback window the request fails closed with 503', async () => {
    const app = await startApp(emu(), { jwks: { staleIfErrorMs: 60_000 } });
    await get(`${app.url}/private`, { bearer: newSession(emu()).session_jwt });
    emu().faults.next(JWKS_FAULT, { status: 500 }, 1000);
    emu().clock.advance(12 * 60_000);
    const res = await get(`${app.url}/private`, { bearer: newSession(emu()).session_jwt });
    expect(res.status).toBe(503);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.error.code).toBe('upstream_unavailable');
  });

  it('catalogue #40: during a JWKS outage a token with a never-seen kid is never accepted', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    await get(`${app.url}/private`, { bearer: s.session_jwt });
    emu().faults.next(JWKS_FAULT, { status: 500 }, 1000);
    emu().clock.advance(11 * 60_000);
    const res = await get(`${app.url}/private`, { bearer: mintForged({ kid: 'never-seen' }, payloadOf(newSession(emu()).session_jwt)) });
    expect([res.status, res.body.error.code]).toEqual([401, 'unauthenticated']);
  });

  it('catalogue #41: with the endpoint down and the cache stale, 50 sequential requests do not each try to refetch', async () => {
    const app = await startApp(emu());
    await get(`${app.url}/private`, { bearer: newSession(emu()).session_jwt });
    emu().faults.next(JWKS_FAULT, { status: 503 }, 1000);
    emu().clock.advance(11 * 60_000);
    const token = newSession(emu()).session_jwt;
    emu().calls.clear();
    for (let i = 0; i < 50; i++) expect((await get(`${app.url}/private`, { bearer: token })).status).toBe(200);
    expect(emu().calls.count(JWKS)).toBeLessThanOrEqual(2);
  });

  it('catalogue #41: the first request after recovery refetches successfully (errors are not cached)', async () => {
    const app = await startApp(emu());
    emu().faults.next(JWKS_FAULT, { status: 503 }, 1);
    const s = newSession(emu());
    expect((await get(`${app.url}/private`, { bearer: s.session_jwt })).status).toBe(503);
    emu().clock.advance(2_000);
    expect((await get(`${app.url}/private`, { bearer: s.session_jwt })).status).toBe(200);
  });

  it('catalogue #42: a malformed JWKS answer keeps the previous good keys', async () => {
    const app = await startApp(emu());
    await get(`${app.url}/private`, { bearer: newSession(emu()).session_jwt });
    emu().faults.next(JWKS_FAULT, { malformed: true }, 1000);
    emu().clock.advance(11 * 60_000);
    expect((await get(`${app.url}/private`, { bearer: newSession(emu()).session_jwt })).status).toBe(200);
  });

  it('catalogue #43: a hanging JWKS endpoint is cut off by the deadline (503, not a stalled request)', async () => {
    const app = await startApp(emu(), { jwks: { timeoutMs: 200 } });
    emu().faults.next(JWKS_FAULT, { hang: true }, 1);
    const started = performance.now();
    const res = await get(`${app.url}/private`, { bearer: newSession(emu()).session_jwt });
    expect(res.status).toBe(503);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('catalogue #43: the JWKS URL comes from configuration, never from the Host header', async () => {
    const app = await startApp(emu());
    emu().calls.clear();
    await get(`${app.url}/private`, { bearer: newSession(emu()).session_jwt, headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example' } });
    expect(emu().calls.list().map((c) => c.path)).toEqual([`/v1/b2b/sessions/jwks/${emu().projectId}`]);
  });

  it('catalogue #38: a token signed by a rotated-in key is accepted after one refetch once the cooldown has passed', async () => {
    const app = await startApp(emu());
    const before = newSession(emu());
    await get(`${app.url}/private`, { bearer: before.session_jwt });
    emu().admin.rotateKeys({ keepOld: true });
    emu().clock.advance(30_000);
    const after = newSession(emu());
    emu().calls.clear();
    expect((await get(`${app.url}/private`, { bearer: after.session_jwt })).status).toBe(200);
    expect(emu().calls.count(JWKS)).toBe(1);
  });

  it('catalogue #38: after a key is removed from the JWKS, its tokens fail within the max age', async () => {
    const app = await startApp(emu());
    const oldKid = emu().admin.currentKid();
    const s = newSession(emu());
    expect((await get(`${app.url}/private`, { bearer: s.session_jwt })).status).toBe(200);
    emu().admin.rotateKeys({ keepOld: true });
    emu().admin.removeKey(oldKid);
    emu().clock.advance(10 * 60_000);
    // A still-unexpired token signed with the removed key.
    const token = resign(emu(), { ...payloadOf(s.session_jwt), iat: Math.floor(emu().clock.now() / 1000), exp: Math.floor(emu().clock.now() / 1000) + 300 }, { kid: oldKid });
    expect((await get(`${app.url}/private`, { bearer: token })).status).toBe(401);
  });

  it('within the refetch cooldown after a rotation, a JWT cookie with the new kid lets the opaque cookie decide over the network', async () => {
    const app = await startApp(emu());
    await get(`${app.url}/private`, { bearer: newSession(emu()).session_jwt });
    emu().admin.rotateKeys({ keepOld: true });
    const s = newSession(emu());
    emu().calls.clear();
    const res = await get(`${app.url}/me`, { cookie: `stytch_session_jwt=${s.session_jwt}; stytch_session=${s.session_token}` });
    expect(res.body).toMatchObject({ status: 'signed_in', memberId: s.member_id });
    expect(emu().calls.count(AUTHENTICATE)).toBe(1);
    expect(emu().calls.count(JWKS)).toBe(0);
    // without the opaque cookie the unknown kid is just an invalid token (no upstream call)
    emu().calls.clear();
    expect((await get(`${app.url}/me`, { cookie: `stytch_session_jwt=${newSession(emu()).session_jwt}` })).body).toEqual({ status: 'signed_out', reason: 'invalid_token' });
    expect(emu().calls.count(AUTHENTICATE)).toBe(0);
  });
});
