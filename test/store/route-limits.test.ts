/**
 * The routes' attempt limits over the default (memory) store: over the limit is 429
 * `too_many_attempts` with `Retry-After`, before Stytch is called; malformed input is not
 * counted; a success resets the code count; limits are configurable and can be turned off.
 * Also: `revokeSession` / `revokeMember` on the middleware, and the `store` option check.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { stytchRoutes } from '../../src/handlers/index.js';
import { stytchAuth } from '../../src/middleware/stytch-auth.js';
import { memoryStore } from '../../src/store/index.js';
import { useEmulator } from '../helpers/emulator.js';
import { loginWithMagicLink, routeCalls, seedMember, startApp } from '../handlers/harness.js';
import type { TestApp } from '../handlers/harness.js';
import { get, newSession, startApp as startMiddlewareApp } from '../middleware/support.js';

const emu = useEmulator();
let phoneCounter = 500;

async function pendingMfa(app: TestApp) {
  phoneCounter++;
  const seeded = seedMember(emu(), { mfa: 'required', phone: `+1500555${String(phoneCounter).padStart(4, '0')}` });
  const browser = app.browser();
  const res = await loginWithMagicLink(emu(), browser, seeded.email, seeded.org.organization_id);
  expect(res.location).toBe('/mfa');
  return { ...seeded, browser };
}

function latestSmsCode(memberId: string): string {
  const message = emu()
    .outbox.list()
    .filter((m) => m.kind === 'sms_otp' && m.memberId === memberId)
    .at(-1);
  if (message?.code === undefined) throw new Error('no SMS sent');
  return message.code;
}

describe('attempt limits of the routes', () => {
  it('the code after N wrong ones is 429 too_many_attempts with Retry-After, and never reaches Stytch', async () => {
    const app = await startApp(emu(), { routes: { limits: { codeAttempts: { max: 3, windowSeconds: 120 } } } });
    try {
      const { browser, member } = await pendingMfa(app);
      const right = latestSmsCode(member.member_id);
      const wrong = right === '000000' ? '111111' : '000000';
      for (let i = 0; i < 3; i++) expect((await browser.post('/auth/mfa/sms/authenticate', { json: { code: wrong } })).status).toBe(404);
      emu().calls.clear();
      const refused = await browser.post('/auth/mfa/sms/authenticate', { json: { code: right } });
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('too_many_attempts');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(100);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(120);
      expect(routeCalls(emu())).toEqual([]);
      // The same refusal for TOTP and recovery codes: the count is the member's.
      expect((await browser.post('/auth/mfa/totp/authenticate', { json: { code: right } })).status).toBe(429);
      expect((await browser.post('/auth/mfa/recovery', { json: { recovery_code: 'abcd-efgh-ijkl' } })).status).toBe(429);
    } finally {
      await app.close();
    }
  });

  it('malformed codes are not counted, and a success resets the count', async () => {
    const app = await startApp(emu(), { routes: { limits: { codeAttempts: { max: 2, windowSeconds: 120 } } } });
    try {
      const { browser, member } = await pendingMfa(app);
      const right = latestSmsCode(member.member_id);
      const wrong = right === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i++) expect((await browser.post('/auth/mfa/sms/authenticate', { json: { code: 'abc' } })).status).toBe(400);
      expect((await browser.post('/auth/mfa/sms/authenticate', { json: { code: wrong } })).status).toBe(404);
      expect((await browser.post('/auth/mfa/sms/authenticate', { json: { code: right } })).status).toBe(200);
      // Signed in now: step-up attempts start from zero again.
      expect((await browser.post('/auth/mfa/sms/authenticate', { json: { code: wrong } })).status).not.toBe(429);
    } finally {
      await app.close();
    }
  });

  it('login emails per address are limited (case-insensitive), and a wrong email is not counted', async () => {
    const app = await startApp(emu(), { routes: { limits: { emailSends: { max: 2, windowSeconds: 60 } } } });
    try {
      const seeded = seedMember(emu());
      const browser = app.browser();
      for (const email of [seeded.email, seeded.email.toUpperCase()]) {
        expect((await browser.post('/auth/login/email', { json: { email_address: email, organization_id: seeded.org.organization_id } })).status).toBe(202);
      }
      expect((await browser.post('/auth/login/email', { json: { email_address: 'not an email' } })).status).toBe(400);
      const sent = emu().outbox.list().length;
      const refused = await app.browser().post('/auth/login/email', { json: { email_address: seeded.email } });
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('too_many_attempts');
      expect(refused.headers['retry-after']).toBeDefined();
      expect(emu().outbox.list().length).toBe(sent);
      // Another address is not affected.
      expect((await browser.post('/auth/login/email', { json: { email_address: 'someone-else@example.com' } })).status).toBe(202);
    } finally {
      await app.close();
    }
  });

  it('sends per client address are limited when turned on, reading the address through clientAddress', async () => {
    const app = await startApp(emu(), { routes: { limits: { sendsPerClient: { max: 2, windowSeconds: 60 }, clientAddress: (req) => String(req.headers['x-test-client']) } } });
    try {
      const send = (client: string, n: number) => app.browser().post('/auth/login/email', { json: { email_address: `c${n}@example.com` }, headers: { 'x-test-client': client } });
      expect((await send('one', 1)).status).toBe(202);
      expect((await send('one', 2)).status).toBe(202);
      expect((await send('one', 3)).status).toBe(429);
      expect((await send('two', 4)).status).toBe(202);
    } finally {
      await app.close();
    }
  });

  it('limits: false turns every limit off', async () => {
    const app = await startApp(emu(), { routes: { limits: false } });
    try {
      const seeded = seedMember(emu());
      for (let i = 0; i < 12; i++) expect((await app.browser().post('/auth/login/email', { json: { email_address: seeded.email } })).status).toBe(202);
    } finally {
      await app.close();
    }
  });

  it('bad limits are a ConfigError naming the option', () => {
    const auth = stytchAuth({ projectId: 'project-test-00000000-0000-0000-0000-000000000000', secret: 'secret-test-x', env: {} });
    const routes = (limits: unknown) => () => stytchRoutes({ auth, appUrl: 'http://127.0.0.1:3000', limits: limits as never });
    expect(routes({ codeAttempts: { max: 0, windowSeconds: 60 } })).toThrow(/limits\.codeAttempts\.max/);
    expect(routes({ emailSends: { max: 1, windowSeconds: 1.5 } })).toThrow(/limits\.emailSends\.windowSeconds/);
    expect(routes({ codeAttemps: { max: 1, windowSeconds: 1 } })).toThrow(/Did you mean "limits\.codeAttempts"/);
    expect(routes({ clientAddress: 'x' })).toThrow(ConfigError);
  });
});

describe('revocation API of the middleware', () => {
  it('revokeSession refuses that session at once on every path; other sessions are untouched', async () => {
    const { url, auth } = await startMiddlewareApp(emu());
    const [one, two] = [newSession(emu()), newSession(emu())];
    expect((await get(`${url}/private`, { bearer: one.session_jwt })).status).toBe(200);
    await auth.revokeSession(one.session_id);
    const refused = await get(`${url}/me`, { bearer: one.session_jwt });
    expect(refused.body).toEqual({ status: 'signed_out', reason: 'session_not_found' });
    expect((await get(`${url}/private`, { cookie: `stytch_session=${one.session_token}` })).status).toBe(401);
    expect((await get(`${url}/private`, { bearer: two.session_jwt })).status).toBe(200);
  });

  it('revokeMember refuses the sessions the member started before, and a new sign-in works', async () => {
    const { url, auth } = await startMiddlewareApp(emu());
    const old = newSession(emu());
    expect((await get(`${url}/private`, { bearer: old.session_jwt })).status).toBe(200);
    emu().clock.advance(2_000);
    await auth.revokeMember(old.member_id);
    expect((await get(`${url}/private`, { bearer: old.session_jwt })).status).toBe(401);
    emu().clock.advance(2_000);
    const again = emu().admin.createSession({ member_id: old.member_id });
    expect((await get(`${url}/private`, { bearer: again.session_jwt })).status).toBe(200);
  });

  it('a store given to stytchAuth() is checked, reported in metrics(), and left open by close()', async () => {
    expect(() => stytchAuth({ env: {}, projectId: 'project-test-00000000-0000-0000-0000-000000000000', secret: 's', store: {} as never })).toThrow(/option "store"/);
    const store = memoryStore();
    const auth = stytchAuth({ env: {}, projectId: 'project-test-00000000-0000-0000-0000-000000000000', secret: 's', store });
    await auth.revokeSession('s-1');
    expect(auth.metrics().store).toMatchObject({ kind: 'memory', revocationsPublished: 1 });
    await auth.close();
    expect(store.isRevoked('s-1', 'm', 0)).toBe(true);
    // The default store is private to the instance and not reported.
    const plain = stytchAuth({ env: {}, projectId: 'project-test-00000000-0000-0000-0000-000000000000', secret: 's' });
    expect(plain.metrics().store).toBeUndefined();
    await plain.close();
  });
});
