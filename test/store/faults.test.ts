/**
 * The fleet store when Redis fails, checked by assertions on answers, state and counters:
 * Redis killed mid-run and restarted, and Redis slow (DEBUG SLEEP longer than the command
 * deadline). In both: no valid member is signed out, a revocation made on an instance is enforced
 * there at once, limits count per process, each state change is logged once and counted, the
 * store recovers by itself, and no answer is a 500.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redisStore } from '../../src/store/index.js';
import type { SharedStore } from '../../src/store/index.js';
import type { StytchAuthMiddleware } from '../../src/middleware/stytch-auth.js';
import { useEmulator } from '../helpers/emulator.js';
import { skipRedis, startRedisServer } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';
import { get, newSession, startApp } from '../middleware/support.js';

const emu = useEmulator();
let server: RedisServer;
const stores: SharedStore[] = [];

beforeAll(async () => {
  if (!skipRedis) server = await startRedisServer();
}, 20_000);

afterEach(async () => {
  while (stores.length > 0) await stores.pop()!.close();
  if (!server?.running) await server?.restart();
  await server?.send('FLUSHALL');
});

afterAll(async () => {
  await server?.stop();
});

interface Instance {
  url: string;
  auth: StytchAuthMiddleware;
  store: SharedStore;
  storeLogs: Record<string, unknown>[];
}

/** One app instance with its own Redis connection, as one process of a fleet would have. */
async function instance(): Promise<Instance> {
  const storeLogs: Record<string, unknown>[] = [];
  const sink = (obj: Record<string, unknown>) => storeLogs.push(obj);
  const store = redisStore({ url: server.url, prefix: 'faults:', commandTimeoutMs: 150, probeIntervalMs: 100, logger: { info: sink, warn: sink, error: sink }, now: () => emu().clock.now() });
  stores.push(store);
  await store.ready();
  const { url, auth } = await startApp(emu(), { store });
  return { url, auth, store, storeLogs };
}

const events = (i: Instance, name: string) => i.storeLogs.filter((entry) => entry.event === name).length;

async function eventually(ms: number, check: () => boolean | Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}

/** GET /private with the session JWT as bearer; never a 500. */
async function status(i: Instance, jwt: string): Promise<number> {
  const res = await get(`${i.url}/private`, { bearer: jwt });
  expect(res.status).not.toBe(500);
  return res.status;
}

describe.skipIf(skipRedis)('Redis outages', () => {
  it('Redis killed mid-run and restarted: valid members stay in, local revocations hold, limits count per process, one log line per change, recovery is automatic', async () => {
    const [a, b] = [await instance(), await instance()];
    const valid = newSession(emu());
    const revokedBefore = newSession(emu());
    const revokedDuring = newSession(emu());
    for (const s of [valid, revokedBefore, revokedDuring]) {
      expect(await status(a, s.session_jwt)).toBe(200);
      expect(await status(b, s.session_jwt)).toBe(200);
    }
    await a.auth.revokeSession(revokedBefore.session_id);
    await eventually(1_000, async () => (await status(b, revokedBefore.session_jwt)) === 401);

    await server.kill();
    await eventually(3_000, () => a.store.metrics().state === 'down' && b.store.metrics().state === 'down');
    // A fresh session (no cache entry anywhere) and a cached one: both still signed in, on both.
    const fresh = newSession(emu());
    for (let round = 0; round < 5; round++) {
      for (const i of [a, b]) {
        expect(await status(i, valid.session_jwt)).toBe(200);
        expect(await status(i, fresh.session_jwt)).toBe(200);
        // What was known before the outage is still refused.
        expect(await status(i, revokedBefore.session_jwt)).toBe(401);
      }
    }
    // A revocation made during the outage is enforced on its instance at once.
    await a.auth.revokeSession(revokedDuring.session_id);
    expect(await status(a, revokedDuring.session_jwt)).toBe(401);
    expect(a.auth.metrics().store).toMatchObject({ state: 'down', revocationsUnpublished: 1 });
    // Limits fall back to per-process counting.
    expect(await a.store.hit('code:m', 60_000)).toMatchObject({ count: 1, local: true });
    expect(await a.store.hit('code:m', 60_000)).toMatchObject({ count: 2, local: true });
    expect(await b.store.hit('code:m', 60_000)).toMatchObject({ count: 1, local: true });
    // One line per state change, however many requests and commands failed.
    expect(events(a, 'stytch.store.unavailable')).toBe(1);
    expect(events(b, 'stytch.store.unavailable')).toBe(1);
    expect(a.auth.metrics().store?.outages).toBe(1);

    await server.restart();
    await eventually(5_000, () => a.store.metrics().state === 'up' && b.store.metrics().state === 'up');
    // The revocation made during the outage reaches the other instance after recovery...
    await eventually(1_000, async () => (await status(b, revokedDuring.session_jwt)) === 401);
    // ...and an instance started now (Redis came back empty) still sees both revocations.
    const late = await instance();
    expect(await status(late, revokedDuring.session_jwt)).toBe(401);
    expect(await status(late, revokedBefore.session_jwt)).toBe(401);
    expect(await status(late, valid.session_jwt)).toBe(200);
    expect(a.auth.metrics().store).toMatchObject({ state: 'up', outages: 1, revocationsUnpublished: 0 });
    expect(events(a, 'stytch.store.recovered')).toBe(1);
    expect(events(b, 'stytch.store.recovered')).toBe(1);
    // Shared counting again.
    expect(await a.store.hit('code:after', 60_000)).toMatchObject({ count: 1, local: false });
    expect(await b.store.hit('code:after', 60_000)).toMatchObject({ count: 2, local: false });
  }, 30_000);

  it('Redis slow (DEBUG SLEEP longer than the deadline): requests never wait on it, revocations hold locally, limits count per process, then it recovers', async () => {
    const [a, b] = [await instance(), await instance()];
    const valid = newSession(emu());
    const revoked = newSession(emu());
    expect(await status(a, valid.session_jwt)).toBe(200);
    expect(await status(b, revoked.session_jwt)).toBe(200);

    const sleeping = server.send('DEBUG', 'SLEEP', '2');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const fresh = newSession(emu());
    for (const i of [a, b]) {
      for (const jwt of [valid.session_jwt, fresh.session_jwt]) {
        const started = Date.now();
        expect(await status(i, jwt)).toBe(200);
        expect(Date.now() - started).toBeLessThan(1_000);
      }
    }
    let started = Date.now();
    await a.auth.revokeSession(revoked.session_id);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await status(a, revoked.session_jwt)).toBe(401);
    started = Date.now();
    expect(await a.store.hit('slow:k', 60_000)).toMatchObject({ count: 1, local: true });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(a.store.metrics().state).toBe('down');
    expect(events(a, 'stytch.store.unavailable')).toBe(1);
    expect(a.store.metrics().commandFailures).toBeGreaterThan(0);

    expect(await sleeping).toBe('+OK\r\n');
    await eventually(3_000, () => a.store.metrics().state === 'up');
    await eventually(1_000, async () => (await status(b, revoked.session_jwt)) === 401);
    expect(await status(b, valid.session_jwt)).toBe(200);
    expect(events(a, 'stytch.store.unavailable')).toBe(1);
    expect(events(a, 'stytch.store.recovered')).toBe(1);
    expect(a.auth.metrics().store?.outages).toBe(1);
  }, 30_000);

  it('Redis down when an instance starts: ready() gives up in time, members are served, and it connects when Redis comes', async () => {
    await server.kill();
    const storeLogs: Record<string, unknown>[] = [];
    const sink = (obj: Record<string, unknown>) => storeLogs.push(obj);
    const store = redisStore({ url: server.url, prefix: 'faults:', readyTimeoutMs: 300, probeIntervalMs: 100, logger: { info: sink, warn: sink, error: sink } });
    stores.push(store);
    const started = Date.now();
    await store.ready();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(store.metrics().state).toBe('down');
    const { url, auth } = await startApp(emu(), { store });
    const valid = newSession(emu());
    expect((await get(`${url}/private`, { bearer: valid.session_jwt })).status).toBe(200);
    await auth.revokeSession('some-session');
    await server.restart();
    await eventually(5_000, () => store.metrics().state === 'up');
    expect(storeLogs.filter((entry) => entry.event === 'stytch.store.unavailable').length).toBe(1);
    await eventually(1_000, async () => (await server.send('EXISTS', 'faults:rev:s:some-session')) === ':1\r\n');
    // Subscribed too, although the first connection attempt failed: a new revocation arrives by pub/sub.
    const other = redisStore({ url: server.url, prefix: 'faults:' });
    stores.push(other);
    await other.ready();
    await other.revoke('session', 'published-later', Date.now() + 60_000);
    await eventually(1_000, () => store.isRevoked('published-later', 'm', 0));
  }, 30_000);
});
