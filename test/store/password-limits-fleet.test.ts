/**
 * Password attempt limits hold across instances sharing a Redis store: wrong passwords spread over
 * two apps (two `stytchAuth()` instances, one `redisStore`) trip the member limit at N, on both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisStore } from '../../src/store/index.js';
import type { SharedStore } from '../../src/store/index.js';
import { useEmulator } from '../helpers/emulator.js';
import { skipRedis, startRedisServer } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';
import { seedMember, startApp, uniqueEmail } from '../handlers/harness.js';
import type { TestApp } from '../handlers/harness.js';

const emu = useEmulator();
const PASSWORD = 'correct horse battery staple 42';
let server: RedisServer;
let stores: SharedStore[] = [];
let apps: TestApp[] = [];

beforeAll(async () => {
  if (skipRedis) return;
  server = await startRedisServer();
  stores = [redisStore({ url: server.url, prefix: 'pwfleet:' }), redisStore({ url: server.url, prefix: 'pwfleet:' })];
  await Promise.all(stores.map((s) => s.ready()));
  const limits = { attemptLimits: { member: { max: 4, windowSeconds: 120 }, client: false as const } };
  apps = [await startApp(emu(), { auth: { store: stores[0]! }, routes: limits }), await startApp(emu(), { auth: { store: stores[1]! }, routes: limits })];
}, 60_000);

afterAll(async () => {
  for (const app of apps) await app.close();
  for (const store of stores) await store.close();
  await server?.stop();
});

describe.skipIf(skipRedis)('password limits across a fleet', () => {
  it('four wrong passwords over two instances trip the limit on both; an outage-free count, no upstream call after', async () => {
    const { org } = seedMember(emu());
    const email = uniqueEmail('fleetpw');
    emu().admin.createMember(org.organization_id, { email_address: email, status: 'active', password: PASSWORD });
    const body = { email_address: email, organization_id: org.organization_id };
    for (let i = 0; i < 4; i++) {
      const res = await apps[i % 2]!.browser().post('/auth/login/password', { json: { ...body, password: `wrong guess ${i}` } });
      expect([res.status, res.body.error.code]).toEqual([401, 'invalid_credentials']);
    }
    for (const app of apps) {
      emu().calls.clear();
      const blocked = await app.browser().post('/auth/login/password', { json: { ...body, password: PASSWORD } });
      expect([blocked.status, blocked.body.error.code]).toEqual([429, 'too_many_attempts']);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      expect(emu().calls.count(/passwords\/authenticate/)).toBe(0);
    }
  });
});
