/**
 * The logout route publishes to the fleet store: a confirmed logout is kept in Redis as long as a
 * JWT of the session can still verify (ten minutes); a logout whose revoke Stytch has not
 * confirmed is kept until the session's own end, and a second instance refuses the session's
 * opaque token too, which Stytch would still accept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisStore } from '../../src/store/index.js';
import type { SharedStore } from '../../src/store/index.js';
import { useEmulator } from '../helpers/emulator.js';
import { skipRedis, startRedisServer } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';
import { seedMember, startApp } from '../handlers/harness.js';
import type { TestApp } from '../handlers/harness.js';

const REVOKE = 'POST /v1/b2b/sessions/revoke';
const emu = useEmulator();
let server: RedisServer;
let stores: SharedStore[] = [];
let apps: TestApp[] = [];

beforeAll(async () => {
  if (skipRedis) return;
  server = await startRedisServer();
  stores = [0, 1].map(() => redisStore({ url: server.url, prefix: 'logout:', now: () => emu().clock.now() }));
  await Promise.all(stores.map((store) => store.ready()));
  apps = await Promise.all(stores.map((store) => startApp(emu(), { auth: { store } })));
}, 20_000);

afterAll(async () => {
  for (const app of apps) await app.close();
  for (const store of stores) await store.close();
  await server?.stop();
});

async function pttl(sessionId: string): Promise<number> {
  return Number((await server.send('PTTL', `logout:rev:s:${sessionId}`)).slice(1));
}

async function eventually(ms: number, check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.skipIf(skipRedis)('logout route on a fleet store', () => {
  it('a confirmed logout is kept for ten minutes and refused by the other instance', async () => {
    const { member } = seedMember(emu());
    const session = emu().admin.createSession({ member_id: member.member_id, session_duration_minutes: 600 });
    const id = session.member_session.member_session_id;
    const browser = apps[0]!.browser();
    browser.setCookie('stytch_session_jwt', session.session_jwt);
    expect((await apps[1]!.browser().get('/auth/session', { headers: { authorization: `Bearer ${session.session_jwt}` } })).status).toBe(200);
    const out = await browser.post('/auth/logout');
    expect(out.body).toEqual({ status: 'signed_out', revocation: 'confirmed' });
    await eventually(1_000, async () => (await apps[1]!.browser().get('/auth/session', { headers: { authorization: `Bearer ${session.session_jwt}` } })).status === 401);
    const ttl = await pttl(id);
    expect(ttl).toBeGreaterThan(590_000);
    expect(ttl).toBeLessThanOrEqual(600_000);
  });

  it('a logout whose revoke is pending is kept until the session ends, and its opaque token is refused by the other instance', async () => {
    const { member } = seedMember(emu());
    const session = emu().admin.createSession({ member_id: member.member_id, session_duration_minutes: 600 });
    const id = session.member_session.member_session_id;
    const browser = apps[0]!.browser();
    browser.setCookie('stytch_session', session.session_token);
    emu().faults.next(REVOKE, { status: 503 });
    const out = await browser.post('/auth/logout');
    expect(out.body).toEqual({ status: 'signed_out', revocation: 'pending' });
    // 'pending' is the scripted 503 consumed.
    await eventually(1_000, async () => (await pttl(id)) > 600_000);
    expect(await pttl(id)).toBeGreaterThan(599 * 60_000);
    // Stytch still knows the session, but the other instance refuses it.
    const replay = apps[1]!.browser();
    replay.setCookie('stytch_session', session.session_token);
    expect((await replay.get('/auth/session')).status).toBe(401);
  });

  it('sign out everywhere: every session the member had is refused by the other instance, a new sign-in works', async () => {
    const { member } = seedMember(emu());
    const here = emu().admin.createSession({ member_id: member.member_id });
    const elsewhere = emu().admin.createSession({ member_id: member.member_id });
    const bearer = (jwt: string) => ({ headers: { authorization: `Bearer ${jwt}` } });
    for (const s of [here, elsewhere]) expect((await apps[1]!.browser().get('/auth/session', bearer(s.session_jwt))).status).toBe(200);
    const browser = apps[0]!.browser();
    browser.setCookie('stytch_session_jwt', here.session_jwt);
    const out = await browser.post('/auth/logout', { json: { everywhere: 'true' } });
    expect(out.body).toEqual({ status: 'signed_out', revocation: 'confirmed' });
    await eventually(1_000, async () => (await apps[1]!.browser().get('/auth/session', bearer(elsewhere.session_jwt))).status === 401);
    expect((await apps[1]!.browser().get('/auth/session', bearer(here.session_jwt))).status).toBe(401);
    const ttl = Number((await server.send('PTTL', `logout:rev:m:${member.member_id}`)).slice(1));
    expect(ttl).toBeGreaterThan(590_000);
    emu().clock.advance(1_000);
    const later = emu().admin.createSession({ member_id: member.member_id });
    for (const app of apps) expect((await app.browser().get('/auth/session', bearer(later.session_jwt))).status).toBe(200);
  });

  it('sign out everywhere while Stytch fails: the other sessions are refused by the fleet for a day, and the page says pending', async () => {
    const { member } = seedMember(emu());
    const here = emu().admin.createSession({ member_id: member.member_id });
    const elsewhere = emu().admin.createSession({ member_id: member.member_id });
    const browser = apps[0]!.browser();
    browser.setCookie('stytch_session_jwt', here.session_jwt);
    emu().faults.next(REVOKE, { status: 503 }, 2);
    // A form with a checked "everywhere" box.
    const out = await browser.post('/auth/logout', { form: { everywhere: 'on' } });
    expect(out.status).toBe(303);
    expect(out.location).toContain('revocation=pending');
    await eventually(1_000, async () => Number((await server.send('PTTL', `logout:rev:m:${member.member_id}`)).slice(1)) > 23 * 3_600_000);
    // Stytch still accepts the opaque token of the other session; the fleet does not.
    const replay = apps[1]!.browser();
    replay.setCookie('stytch_session', elsewhere.session_token);
    expect((await replay.get('/auth/session')).status).toBe(401);
  });
});
