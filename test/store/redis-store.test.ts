/**
 * The Redis store against a real redis-server (Debian's package, on a free loopback port, stopped
 * afterwards): revocations reach running processes by pub/sub and late starters by keys with a
 * TTL; attempt counters are shared; nothing personal is written to Redis in clear.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { createStore, memoryStore, redisStore } from '../../src/store/index.js';
import type { SharedStore } from '../../src/store/index.js';
import { skipRedis, startRedisServer } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';

let server: RedisServer;
const open: SharedStore[] = [];

beforeAll(async () => {
  if (!skipRedis) server = await startRedisServer();
}, 20_000);

afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
  if (server?.running) await server.send('FLUSHALL');
});

afterAll(async () => {
  await server?.stop();
});

let prefixCounter = 0;
async function connected(options: { prefix?: string } = {}): Promise<SharedStore> {
  const store = redisStore({ url: server.url, prefix: options.prefix ?? `t${prefixCounter}:`, commandTimeoutMs: 500 });
  open.push(store);
  await store.ready();
  expect(store.metrics().state).toBe('up');
  return store;
}

async function within(ms: number, check: () => boolean): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return Date.now() - started;
}

describe.skipIf(skipRedis)('redisStore on a real redis-server', () => {
  it('a session revoked by one process is refused by another running one within a second (pub/sub)', async () => {
    prefixCounter++;
    const [a, b] = [await connected(), await connected()];
    expect(b.isRevoked('sess-1', 'member-1', 0)).toBe(false);
    await a.revoke('session', 'sess-1', Date.now() + 60_000);
    // Enforced on the publishing process before the promise settles.
    expect(a.isRevoked('sess-1', 'member-1', 0)).toBe(true);
    expect(await within(1_000, () => b.isRevoked('sess-1', 'member-1', 0))).toBeLessThan(1_000);
    expect(b.isRevoked('sess-2', 'member-1', 0)).toBe(false);
    expect(b.metrics().revocationsReceived).toBe(1);
  });

  it('a process started after the revocation loads it from its key, whose TTL ends with the revocation', async () => {
    prefixCounter++;
    const a = await connected();
    await a.revoke('session', 'sess-late', Date.now() + 30_000);
    const ttl = Number((await server.send('PTTL', `t${prefixCounter}:rev:s:sess-late`)).slice(1));
    expect(ttl).toBeGreaterThan(28_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
    const late = await connected();
    expect(late.isRevoked('sess-late', 'm', 0)).toBe(true);
  });

  it('a revoked member loses the sessions started before the revocation, not the ones started after', async () => {
    prefixCounter++;
    const [a, b] = [await connected(), await connected()];
    const before = Date.now() - 1_000;
    await a.revoke('member', 'member-x', Date.now() + 60_000);
    await within(1_000, () => b.isRevoked('any-session', 'member-x', before));
    expect(b.isRevoked('new-session', 'member-x', Date.now() + 10)).toBe(false);
    expect(b.isRevoked('any-session', 'member-y', before)).toBe(false);
  });

  it('an expired revocation is forgotten, and a revocation already over is not published', async () => {
    prefixCounter++;
    const [a, b] = [await connected(), await connected()];
    await a.revoke('session', 'short', Date.now() + 150);
    await within(1_000, () => b.isRevoked('short', 'm', 0));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(b.isRevoked('short', 'm', 0)).toBe(false);
    await a.revoke('session', 'over', Date.now() - 1);
    expect(a.isRevoked('over', 'm', 0)).toBe(false);
    expect(await server.send('EXISTS', `t${prefixCounter}:rev:s:over`)).toBe(':0\r\n');
  });

  it('attempts are counted across processes in one window, reset clears them, and the window ends', async () => {
    prefixCounter++;
    const [a, b, c] = [await connected(), await connected(), await connected()];
    const counts = [];
    for (const store of [a, b, c, a, b, c]) counts.push((await store.hit('code:member-1', 60_000)).count);
    expect(counts).toEqual([1, 2, 3, 4, 5, 6]);
    const hit = await b.hit('code:member-1', 60_000);
    expect(hit).toMatchObject({ count: 7, local: false });
    expect(hit.resetInMs).toBeGreaterThan(55_000);
    await c.reset('code:member-1');
    expect((await a.hit('code:member-1', 60_000)).count).toBe(1);
    expect((await a.hit('window', 100)).count).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await b.hit('window', 100)).count).toBe(1);
  });

  it('counter keys are digests: no email address or client address is written to Redis', async () => {
    prefixCounter++;
    const a = await connected();
    await a.hit('email_send:alice@example.com', 60_000);
    await a.hit('client_send:203.0.113.9', 60_000);
    const keys = await server.send('KEYS', '*');
    expect(keys).not.toContain('alice');
    expect(keys).not.toContain('203.0.113.9');
  });

  it('two prefixes on one Redis do not see each other', async () => {
    const a = await connected({ prefix: 'app-a:' });
    const b = await connected({ prefix: 'app-b:' });
    await a.revoke('session', 'shared-id', Date.now() + 60_000);
    await a.hit('k', 60_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(b.isRevoked('shared-id', 'm', 0)).toBe(false);
    expect((await b.hit('k', 60_000)).count).toBe(1);
  });

  it('close() leaves no connection open on the server', async () => {
    const before = Number(/connected_clients:(\d+)/.exec(await serverInfo())![1]);
    const store = redisStore({ url: server.url });
    await store.ready();
    expect(Number(/connected_clients:(\d+)/.exec(await serverInfo())![1])).toBe(before + 2);
    await store.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(Number(/connected_clients:(\d+)/.exec(await serverInfo())![1])).toBe(before);
  });
});

/** INFO clients, read whole (a bulk reply). */
async function serverInfo(): Promise<string> {
  return server.send('INFO', 'clients');
}

describe('store configuration', () => {
  it('redisStore refuses a URL that is not redis: or rediss:, and out-of-range numbers, naming the option', () => {
    expect(() => redisStore({ url: 'http://127.0.0.1:6379' })).toThrow(ConfigError);
    expect(() => redisStore({ url: 'not a url' })).toThrow(/option "url"/);
    expect(() => redisStore({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 0 })).toThrow(/commandTimeoutMs/);
    expect(() => redisStore({ url: 'redis://127.0.0.1:1', prefix: 'x'.repeat(101) })).toThrow(/prefix/);
  });

  it('createStore gives a memory store by default and a Redis store for a URL', async () => {
    const memory = createStore();
    expect(memory.kind).toBe('memory');
    const redis = createStore({ redis: 'redis://127.0.0.1:1' });
    expect(redis.kind).toBe('redis');
    await redis.close();
    expect(() => createStore({} as never)).toThrow(ConfigError);
  });

  it('memoryStore revokes, counts and resets in this process', async () => {
    let now = 1_000_000;
    const store = memoryStore({ now: () => now });
    expect(store.hasRevocations).toBe(false);
    await store.revoke('session', 's', now + 1_000);
    expect(store.hasRevocations).toBe(true);
    expect(store.isRevoked('s', 'm', 0)).toBe(true);
    expect((await store.hit('k', 500)).count).toBe(1);
    expect((await store.hit('k', 500)).count).toBe(2);
    now += 600;
    expect((await store.hit('k', 500)).count).toBe(1);
    await store.reset('k');
    expect((await store.hit('k', 500)).count).toBe(1);
    now += 1_000;
    expect(store.isRevoked('s', 'm', 0)).toBe(false);
    expect(store.metrics()).toMatchObject({ kind: 'memory', state: 'up', revocationsPublished: 1 });
  });
});
