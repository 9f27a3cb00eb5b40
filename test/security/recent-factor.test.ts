/**
 * Security review, weakness 4: identity changes from an old session. A session whose only factor
 * was proven hours ago could start an email change or enrol the first MFA factor, which turns a
 * stolen cookie into a permanent takeover. These routes now need a factor proven within
 * `maxFactorAgeSeconds` (default 300), answered like `requireFreshAuth()` otherwise.
 */
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import type { Emulator } from '../../src/emulator/index.js';
import { stytchRoutes } from '../../src/index.js';
import { loginWithMagicLink, routeCalls, seedMember, startApp, useTestApp } from '../handlers/harness.js';
import type { TestApp } from '../handlers/harness.js';

const emu = useEmulator();
const app = useTestApp(emu);
const HOUR = 3_600_000;

/** A browser holding a session whose only factor was proven `ageMs` ago (the JWT long expired, the session alive). */
function oldSession(e: Emulator, target: TestApp, ageMs: number) {
  const { member, org } = seedMember(e);
  const session = e.admin.createSession({ member_id: member.member_id, session_duration_minutes: 24 * 60 });
  e.clock.advance(ageMs);
  const browser = target.browser();
  browser.setCookie('stytch_session', session.session_token);
  browser.setCookie('stytch_session_jwt', session.session_jwt);
  return { member, org, browser };
}

const identityCalls = (e: Emulator) => routeCalls(e).filter((c) => /email\/update|totp|otps\/sms\/send/.test(c));

describe('security: identity changes need a recent factor', () => {
  it('weakness 4: a session whose factor is five hours old cannot start an email change (403 step_up_required, no Stytch call)', async () => {
    const { browser } = oldSession(emu(), app, 5 * HOUR);
    expect((await browser.get('/auth/session')).status).toBe(200); // still a valid member
    emu().calls.clear();
    const res = await browser.post('/auth/email/update', { json: { email_address: 'takeover@example.com' } });
    expect([res.status, res.body.error.code]).toEqual([403, 'step_up_required']);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(identityCalls(emu())).toEqual([]);
    expect(emu().outbox.latest({ to: 'takeover@example.com' })).toBeUndefined();
  });

  it('weakness 4: a form post is sent to sign in again, with its page as return_to, when the session has no second factor', async () => {
    const { browser } = oldSession(emu(), app, 5 * HOUR);
    const res = await browser.post('/auth/email/update', { form: { email_address: 'takeover2@example.com', return_to: '/account' } });
    expect(res.status).toBe(303);
    const location = new URL(res.location ?? '', app.origin);
    expect(location.pathname).toBe('/login');
    expect(Object.fromEntries(location.searchParams)).toEqual({ return_to: '/account', error: 'step_up_required' });
  });

  it('weakness 4: a session that just proved its factor starts the email change (202)', async () => {
    const { member, org } = seedMember(emu());
    const browser = app.browser();
    await loginWithMagicLink(emu(), browser, member.email_address, org.organization_id);
    const res = await browser.post('/auth/email/update', { json: { email_address: `fresh-${Date.now()}@example.com` } });
    expect(res.status).toBe(202);
  });

  it('weakness 4: the first TOTP app and the first MFA phone cannot be enrolled from an old session', async () => {
    const { browser } = oldSession(emu(), app, 5 * HOUR);
    emu().calls.clear();
    const totp = await browser.post('/auth/mfa/totp/create', { json: {} });
    expect([totp.status, totp.body.error.code]).toEqual([403, 'step_up_required']);
    const sms = await browser.post('/auth/mfa/sms/send', { json: { mfa_phone_number: '+15005550123' } });
    expect([sms.status, sms.body.error.code]).toEqual([403, 'step_up_required']);
    expect(identityCalls(emu())).toEqual([]);
  });

  it('weakness 4: the same enrolment from a fresh session is allowed', async () => {
    const { browser } = oldSession(emu(), app, 30_000);
    const totp = await browser.post('/auth/mfa/totp/create', { json: {} });
    expect(totp.status).toBe(201);
  });

  it('maxFactorAgeSeconds sets the window, and is validated at startup', async () => {
    const lenient = await startApp(emu(), { routes: { maxFactorAgeSeconds: 6 * 3600 } });
    try {
      const { browser } = oldSession(emu(), lenient, 5 * HOUR);
      expect((await browser.post('/auth/email/update', { json: { email_address: `late-${Date.now()}@example.com` } })).status).toBe(202);
    } finally {
      await lenient.close();
    }
    for (const bad of [0, -1, 1.5, 86_401, '300']) {
      expect(() => stytchRoutes({ appUrl: 'http://127.0.0.1:1', maxFactorAgeSeconds: bad as number })).toThrow(/maxFactorAgeSeconds/);
    }
  });
});
