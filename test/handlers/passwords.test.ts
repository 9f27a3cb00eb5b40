/**
 * The password and email-code routes against the emulator: sign-in (organization and discovery,
 * MFA continuation, return_to), forgot password through the outbox and the callback, the reset
 * with strength feedback, change password (current password or a recent factor, else step-up),
 * email codes, attempt limits, bad input, and that no answer or log carries a password or token.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import type { AttemptCount, AttemptStore } from '../../src/index.js';
import { useEmulator } from '../helpers/emulator.js';
import type { CookieJarClient, JarResponse } from '../helpers/cookie-jar.js';
import { linkPath, resetEmulatorBeforeEach, routeCalls, seedMember, startApp, uniqueEmail, useTestApp } from './harness.js';
import type { TestApp, TestAppOptions } from './harness.js';

const PASSWORD = 'violet tractor galaxy pebble 93';
const NEW_PASSWORD = 'quiet orange lantern harbor 71';

const emu = useEmulator({ passwords: { crossOrganization: true } });
const app = useTestApp(emu);
resetEmulatorBeforeEach(emu);

/** Every answer of a test, to check afterwards that none carried a secret. */
const seen: JarResponse[] = [];
function track(res: JarResponse): JarResponse {
  seen.push(res);
  return res;
}

const extraApps: TestApp[] = [];
afterEach(async () => {
  for (const a of extraApps.splice(0)) await a.close();
});
async function appWith(options: TestAppOptions): Promise<TestApp> {
  const a = await startApp(emu(), options);
  extraApps.push(a);
  return a;
}

function withPassword(e: Emulator, input: Parameters<typeof seedMember>[1] = {}, password = PASSWORD) {
  const seeded = seedMember(e, input);
  const member = e.admin.createMember(seeded.org.organization_id, { email_address: uniqueEmail('pw'), status: 'active', password, ...(input.phone ? { mfa_phone_number: input.phone } : {}) });
  return { org: seeded.org, member, email: member.email_address };
}

async function passwordLogin(browser: CookieJarClient, body: Record<string, string>) {
  return track(await browser.post('/auth/login/password', { json: body }));
}

describe('POST /login/password', () => {
  it('signs a member in to an organization: session cookies like a magic link', async () => {
    const { org, email } = withPassword(emu());
    const browser = app.browser();
    const res = await passwordLogin(browser, { email_address: email, password: PASSWORD, organization_id: org.organization_id });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'authenticated', redirectTo: '/dashboard', organizationId: org.organization_id });
    expect(browser.cookies.get('stytch_session_jwt')?.attributes.httponly).toBe(true);
    expect(browser.cookie('stytch_session')).toBeDefined();
    expect(routeCalls(emu())).toEqual(['POST /v1/b2b/passwords/authenticate']);
  });

  it('a form post lands on a validated return_to, an unsafe one on the default', async () => {
    const { org, email } = withPassword(emu());
    const ok = track(await app.browser().post('/auth/login/password', { form: { email_address: email, password: PASSWORD, organization_id: org.organization_id, return_to: '/profile' } }));
    expect([ok.status, ok.location]).toEqual([303, '/profile']);
    const evil = track(await app.browser().post('/auth/login/password', { form: { email_address: email, password: PASSWORD, organization_id: org.organization_id, return_to: '//evil.example' } }));
    expect(evil.location).toBe('/dashboard');
  });

  it('answers a wrong password and an unknown email the same: 401 invalid_credentials', async () => {
    const { org, email } = withPassword(emu());
    const wrong = await passwordLogin(app.browser(), { email_address: email, password: NEW_PASSWORD, organization_id: org.organization_id });
    const unknown = await passwordLogin(app.browser(), { email_address: uniqueEmail('ghost'), password: PASSWORD, organization_id: org.organization_id });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error.code).toBe('invalid_credentials');
  });

  it('continues with MFA: the IST cookie and hints, then the SMS step finishes the login at return_to', async () => {
    const e = emu();
    const { org, email, member } = withPassword(e, { mfa: 'required', phone: '+15005550006' });
    const browser = app.browser();
    const res = await passwordLogin(browser, { email_address: email, password: PASSWORD, organization_id: org.organization_id, return_to: '/after-mfa' });
    expect(res.body).toMatchObject({ status: 'mfa_required', redirectTo: '/mfa', memberId: member.member_id });
    expect(browser.cookie('stytch_session')).toBeUndefined();
    expect(browser.cookie('stytch_intermediate_session_token')).toBeDefined();
    const code = e.outbox.latest({ kind: 'sms_otp' })!.code!;
    const done = track(await browser.post('/auth/mfa/sms/authenticate', { json: { code } }));
    expect(done.status).toBe(200);
    expect(done.body.redirectTo).toBe('/after-mfa');
    expect(browser.cookie('stytch_session')).toBeDefined();
  });

  it('without an organization signs in by discovery: IST cookie, then the organization picker', async () => {
    const { email } = withPassword(emu());
    const browser = app.browser();
    const res = await passwordLogin(browser, { email_address: email, password: PASSWORD });
    expect(res.body).toEqual({ status: 'discovery', redirectTo: '/select-org' });
    expect(browser.cookie('stytch_intermediate_session_token')).toBeDefined();
    const orgs = track(await browser.get('/auth/discovery/organizations'));
    expect(orgs.status).toBe(200);
    expect(routeCalls(emu())).toContain('POST /v1/b2b/passwords/discovery/authenticate');
  });

  it('refuses an empty or 10 KB password, a bad email and a bad organization with 400 and 0 upstream calls', async () => {
    const { org, email } = withPassword(emu());
    for (const [body, code] of [
      [{ email_address: email, password: '', organization_id: org.organization_id }, 'invalid_password'],
      [{ email_address: email, organization_id: org.organization_id }, 'invalid_password'],
      [{ email_address: email, password: 'x'.repeat(10_240), organization_id: org.organization_id }, 'invalid_password'],
      [{ email_address: 'nope', password: PASSWORD }, 'invalid_email'],
      [{ email_address: email, password: PASSWORD, organization_id: '<script>' }, 'invalid_organization_id'],
    ] as const) {
      const res = await passwordLogin(app.browser(), body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe(code);
    }
    expect(routeCalls(emu())).toEqual([]);
  });
});

describe('attempt limits', () => {
  it('after the member limit, even the right password is 429 with Retry-After, with no upstream call', async () => {
    const limited = await appWith({ routes: { attemptLimits: { member: { max: 3, windowSeconds: 60 }, client: false } } });
    const { org, email } = withPassword(emu());
    const body = { email_address: email, organization_id: org.organization_id };
    for (let i = 0; i < 3; i++) expect((await limited.browser().post('/auth/login/password', { json: { ...body, password: `wrong guess ${i}` } })).status).toBe(401);
    emu().calls.clear();
    const blocked = await limited.browser().post('/auth/login/password', { json: { ...body, password: PASSWORD } });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('too_many_attempts');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(routeCalls(emu())).toEqual([]);
    // Another member is not affected by this member's limit.
    const other = withPassword(emu());
    expect((await limited.browser().post('/auth/login/password', { json: { email_address: other.email, organization_id: other.org.organization_id, password: PASSWORD } })).status).toBe(200);
  });

  it('limits one client address across members, and counts wrong email codes too', async () => {
    const limited = await appWith({ routes: { attemptLimits: { member: false, client: { max: 2, windowSeconds: 60 } } } });
    const a = withPassword(emu());
    const b = withPassword(emu());
    expect((await limited.browser().post('/auth/login/password', { json: { email_address: a.email, organization_id: a.org.organization_id, password: 'nope nope nope' } })).status).toBe(401);
    expect((await limited.browser().post('/auth/login/code/verify', { json: { email_address: b.email, organization_id: b.org.organization_id, code: '12' } })).status).toBe(400);
    const blocked = await limited.browser().post('/auth/login/password', { json: { email_address: b.email, organization_id: b.org.organization_id, password: PASSWORD } });
    expect(blocked.status).toBe(429);
  });

  it('a success clears the member counter', async () => {
    const limited = await appWith({ routes: { attemptLimits: { member: { max: 2, windowSeconds: 60 }, client: false } } });
    const { org, email } = withPassword(emu());
    const body = { email_address: email, organization_id: org.organization_id };
    expect((await limited.browser().post('/auth/login/password', { json: { ...body, password: 'wrong one here' } })).status).toBe(401);
    expect((await limited.browser().post('/auth/login/password', { json: { ...body, password: PASSWORD } })).status).toBe(200);
    expect((await limited.browser().post('/auth/login/password', { json: { ...body, password: 'wrong one here' } })).status).toBe(401);
    expect((await limited.browser().post('/auth/login/password', { json: { ...body, password: PASSWORD } })).status).toBe(200);
  });

  it('a Stytch outage is 503, never a 500, and does not count as a failed attempt', async () => {
    const limited = await appWith({ routes: { attemptLimits: { member: { max: 1, windowSeconds: 60 }, client: false } } });
    const { org, email } = withPassword(emu());
    const body = { email_address: email, organization_id: org.organization_id, password: PASSWORD };
    emu().faults.next('POST /v1/b2b/passwords/authenticate', { status: 503 }, 2);
    for (let i = 0; i < 2; i++) {
      const res = await limited.browser().post('/auth/login/password', { json: body });
      expect([res.status, res.body.error.code]).toEqual([503, 'upstream_unavailable']);
    }
    expect((await limited.browser().post('/auth/login/password', { json: body })).status).toBe(200);
  });

  it('strength checks have their own per-address limit and do not use up the sign-in one', async () => {
    const limited = await appWith({ routes: { attemptLimits: { client: { max: 1, windowSeconds: 60 }, strengthChecks: { max: 2, windowSeconds: 60 } } } });
    for (let i = 0; i < 2; i++) expect((await limited.browser().post('/auth/password/strength', { json: { password: `candidate ${i}` } })).status).toBe(200);
    const blocked = await limited.browser().post('/auth/password/strength', { json: { password: 'candidate 3' } });
    expect([blocked.status, blocked.body.error.code]).toEqual([429, 'too_many_attempts']);
    const { org, email } = withPassword(emu());
    expect((await limited.browser().post('/auth/login/password', { json: { email_address: email, organization_id: org.organization_id, password: PASSWORD } })).status).toBe(200);
  });

  it('two routers sharing one async store share the limits (as processes behind a shared store would)', async () => {
    const counts = new Map<string, AttemptCount>();
    const store: AttemptStore = {
      get: async (key, now) => {
        await Promise.resolve();
        const entry = counts.get(key);
        return entry !== undefined && entry.resetAt > now ? { ...entry } : undefined;
      },
      increment: async (key, windowMs, now) => {
        await Promise.resolve();
        const open = counts.get(key);
        const next = open !== undefined && open.resetAt > now ? { count: open.count + 1, resetAt: open.resetAt } : { count: 1, resetAt: now + windowMs };
        counts.set(key, next);
        return { ...next };
      },
      reset: async (key) => {
        await Promise.resolve();
        counts.delete(key);
      },
    };
    const limits = { member: { max: 2, windowSeconds: 60 }, client: false as const, store };
    const one = await appWith({ routes: { attemptLimits: limits } });
    const two = await appWith({ routes: { attemptLimits: limits } });
    const { org, email } = withPassword(emu());
    const body = { email_address: email, organization_id: org.organization_id, password: 'a wrong password' };
    expect((await one.browser().post('/auth/login/password', { json: body })).status).toBe(401);
    expect((await two.browser().post('/auth/login/password', { json: body })).status).toBe(401);
    expect((await one.browser().post('/auth/login/password', { json: { ...body, password: PASSWORD } })).status).toBe(429);
  });

  it('the window ends on the clock: after windowSeconds the member may try again', async () => {
    const limited = await appWith({ routes: { attemptLimits: { member: { max: 1, windowSeconds: 60 }, client: false } } });
    const { org, email } = withPassword(emu());
    const body = { email_address: email, organization_id: org.organization_id, password: 'a wrong password' };
    expect((await limited.browser().post('/auth/login/password', { json: body })).status).toBe(401);
    emu().clock.advance(30_000);
    const blocked = await limited.browser().post('/auth/login/password', { json: body });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBe(30);
    emu().clock.advance(31_000);
    expect((await limited.browser().post('/auth/login/password', { json: { ...body, password: PASSWORD } })).status).toBe(200);
  });

  it('refuses bad limit options at startup', async () => {
    await expect(appWith({ routes: { attemptLimits: { member: { max: 0, windowSeconds: 1 } } } })).rejects.toThrow(/attemptLimits\.member\.max/);
  });
});

/** Start a reset in `browser` and open the emailed link there. */
async function openResetLink(browser: CookieJarClient, email: string, organizationId?: string) {
  const start = track(await browser.post('/auth/password/reset/start', { json: { email_address: email, ...(organizationId ? { organization_id: organizationId } : {}) } }));
  expect(start.status).toBe(202);
  const message = emu().outbox.latest({ to: email, kind: organizationId ? 'password_reset' : 'discovery_password_reset' })!;
  const landing = track(await browser.get(linkPath(message.link)));
  return { landing, link: linkPath(message.link), token: message.token! };
}

describe('forgot password', () => {
  it('answers the same whether or not the email has a member', async () => {
    const { org, email } = withPassword(emu());
    const known = track(await app.browser().post('/auth/password/reset/start', { json: { email_address: email, organization_id: org.organization_id } }));
    const unknown = track(await app.browser().post('/auth/password/reset/start', { json: { email_address: uniqueEmail('ghost'), organization_id: org.organization_id } }));
    expect([known.status, known.body]).toEqual([unknown.status, unknown.body]);
    expect(known.body).toEqual({ status: 'reset_email_sent' });
    const names = (r: JarResponse) => r.setCookies.map((c) => c.split('=')[0]).sort();
    expect(names(known)).toEqual(names(unknown));
    expect(emu().outbox.list().filter((m) => m.kind === 'password_reset')).toHaveLength(1);
  });

  it('reset link -> callback -> reset page -> weak password refused with feedback -> strong one signs in', async () => {
    const { org, email } = withPassword(emu());
    const browser = app.browser();
    emu().calls.clear();
    const { landing } = await openResetLink(browser, email, org.organization_id);
    expect(landing.status).toBe(303);
    expect(landing.location).toBe('/reset-password');
    expect(landing.headers['referrer-policy']).toBe('no-referrer');
    expect(browser.cookies.get('stytch_password_reset')?.attributes.httponly).toBe(true);
    expect(routeCalls(emu())).toEqual(['POST /v1/b2b/passwords/email/reset/start']);

    const weak = track(await browser.post('/auth/password/reset', { json: { password: 'password123' } }));
    expect(weak.status).toBe(400);
    expect(weak.body.error.code).toBe('breached_password');
    expect(weak.body.strength).toMatchObject({ validPassword: false, breachedPassword: true, policy: 'zxcvbn' });
    const weak2 = track(await browser.post('/auth/password/reset', { json: { password: 'Summer2020' } }));
    expect(weak2.body.error.code).toBe('weak_password');
    expect(weak2.body.strength.suggestions.length).toBeGreaterThan(0);
    expect(Array.isArray(weak2.body.strength.suggestions)).toBe(true);
    const weakForm = track(await browser.post('/auth/password/reset', { form: { password: 'Summer2020' } }));
    expect([weakForm.status, weakForm.location]).toEqual([303, '/reset-password?error=weak_password']);

    const done = track(await browser.post('/auth/password/reset', { json: { password: NEW_PASSWORD } }));
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('authenticated');
    expect(browser.cookie('stytch_session')).toBeDefined();
    expect(browser.cookie('stytch_password_reset')).toBeUndefined();
    expect((await passwordLogin(app.browser(), { email_address: email, password: NEW_PASSWORD, organization_id: org.organization_id })).status).toBe(200);
  });

  it('a reset link used twice is refused: 401 unable_to_auth_password_reset_token', async () => {
    const { org, email } = withPassword(emu());
    const browser = app.browser();
    const { link } = await openResetLink(browser, email, org.organization_id);
    expect((await browser.post('/auth/password/reset', { json: { password: NEW_PASSWORD } })).status).toBe(200);
    track(await browser.get(link));
    const again = track(await browser.post('/auth/password/reset', { json: { password: NEW_PASSWORD } }));
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('unable_to_auth_password_reset_token');
    expect(browser.cookie('stytch_password_reset')).toBeUndefined();
  });

  it('refuses an expired reset token and a token of another type', async () => {
    const e = emu();
    const { org, email } = withPassword(e);
    const browser = app.browser();
    await openResetLink(browser, email, org.organization_id);
    e.clock.advance(31 * 60_000);
    const expired = track(await browser.post('/auth/password/reset', { json: { password: NEW_PASSWORD } }));
    expect([expired.status, expired.body.error.code]).toEqual([401, 'unable_to_auth_password_reset_token']);

    const other = app.browser();
    await other.post('/auth/login/email', { json: { email_address: email, organization_id: org.organization_id } });
    const magic = e.outbox.latest({ to: email, kind: 'login_magic_link' })!.token!;
    track(await other.get(`/auth/callback?stytch_token_type=multi_tenant_passwords&token=${encodeURIComponent(magic)}`));
    const wrongType = track(await other.post('/auth/password/reset', { json: { password: NEW_PASSWORD } }));
    expect([wrongType.status, wrongType.body.error.code]).toEqual([401, 'unable_to_auth_password_reset_token']);
  });

  it('a reset link opened in another browser fails the PKCE check', async () => {
    const { org, email } = withPassword(emu());
    const { link } = await openResetLink(app.browser(), email, org.organization_id);
    const elsewhere = app.browser();
    track(await elsewhere.get(link));
    const res = track(await elsewhere.post('/auth/password/reset', { json: { password: NEW_PASSWORD } }));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('pkce_expected_code_verifier');
  });

  it('without an open reset link the reset is 400 with 0 upstream calls; a malformed link is 400', async () => {
    const res = track(await app.browser().post('/auth/password/reset', { json: { password: NEW_PASSWORD } }));
    expect([res.status, res.body.error.code]).toEqual([400, 'password_reset_not_pending']);
    const bad = track(await app.browser().get('/auth/callback?stytch_token_type=multi_tenant_passwords&token=%3Cx%3E'));
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_token']);
    expect(routeCalls(emu())).toEqual([]);
  });

  it('a discovery reset ends at the organization picker', async () => {
    const { email } = withPassword(emu());
    const browser = app.browser();
    const { landing } = await openResetLink(browser, email);
    expect(landing.location).toBe('/reset-password');
    const done = track(await browser.post('/auth/password/reset', { json: { password: NEW_PASSWORD } }));
    expect(done.body).toEqual({ status: 'discovery', redirectTo: '/select-org' });
    expect(browser.cookie('stytch_intermediate_session_token')).toBeDefined();
  });

  it('a reset whose strength check cannot reach Stytch is 503 and keeps the link usable', async () => {
    const { org, email } = withPassword(emu());
    const browser = app.browser();
    await openResetLink(browser, email, org.organization_id);
    emu().faults.next('POST /v1/b2b/passwords/strength_check', { status: 503 });
    const down = track(await browser.post('/auth/password/reset', { json: { password: NEW_PASSWORD } }));
    expect([down.status, down.body.error.code]).toEqual([503, 'upstream_unavailable']);
    expect((await browser.post('/auth/password/reset', { json: { password: NEW_PASSWORD } })).status).toBe(200);
  });

  it('the strength route gives live feedback without echoing the password', async () => {
    const res = track(await app.browser().post('/auth/password/strength', { json: { password: 'p@ssword1' } }));
    expect(res.status).toBe(200);
    expect(res.body.strength).toMatchObject({ validPassword: false, policy: 'zxcvbn' });
    expect(res.body.strength.warning).not.toBe('');
    expect(res.text).not.toContain('p@ssword1');
  });

  it('with the reset route disabled, reset links are refused by the callback as before', async () => {
    const off = await appWith({ routes: { paths: { passwordReset: false } } });
    const res = await off.browser().get('/auth/callback?stytch_token_type=multi_tenant_passwords&token=abcdefghijkl');
    expect([res.status, res.body.error.code]).toEqual([400, 'invalid_token_type']);
    expect((await off.browser().post('/auth/password/reset', { json: { password: NEW_PASSWORD } })).status).toBe(404);
  });
});

async function signedInWithPassword(e: Emulator) {
  const seeded = withPassword(e);
  const browser = app.browser();
  expect((await passwordLogin(browser, { email_address: seeded.email, password: PASSWORD, organization_id: seeded.org.organization_id })).status).toBe(200);
  return { ...seeded, browser };
}

describe('POST /password/change', () => {
  it('changes the password with the current one and keeps the member signed in', async () => {
    const e = emu();
    const { browser, email, org } = await signedInWithPassword(e);
    e.clock.advance(10 * 60_000);
    const res = track(await browser.post('/auth/password/change', { json: { current_password: PASSWORD, new_password: NEW_PASSWORD } }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'password_changed' });
    expect((await browser.get('/auth/session')).status).toBe(200);
    expect((await passwordLogin(app.browser(), { email_address: email, password: NEW_PASSWORD, organization_id: org.organization_id })).status).toBe(200);
  });

  it('a wrong current password is 401 invalid_credentials; a weak new one 400 with feedback', async () => {
    const { browser } = await signedInWithPassword(emu());
    const wrong = track(await browser.post('/auth/password/change', { json: { current_password: NEW_PASSWORD, new_password: 'another good passphrase 55' } }));
    expect([wrong.status, wrong.body.error.code]).toEqual([401, 'invalid_credentials']);
    const weak = track(await browser.post('/auth/password/change', { json: { current_password: PASSWORD, new_password: 'qwerty' } }));
    expect([weak.status, weak.body.error.code]).toEqual([400, 'breached_password']);
  });

  it('without the current password, a recent factor is enough', async () => {
    const { browser } = await signedInWithPassword(emu());
    const res = track(await browser.post('/auth/password/change', { json: { new_password: NEW_PASSWORD } }));
    expect(res.status).toBe(200);
    expect(routeCalls(emu())).toContain('POST /v1/b2b/passwords/session/reset');
  });

  it('with a stale session and no current password, answers step-up like requireFreshAuth, with no reset call', async () => {
    const e = emu();
    const { browser } = await signedInWithPassword(e);
    e.clock.advance(6 * 60_000);
    e.calls.clear();
    const res = track(await browser.post('/auth/password/change', { json: { new_password: NEW_PASSWORD } }));
    expect([res.status, res.body.error.code]).toEqual([403, 'step_up_required']);
    expect(routeCalls(e)).toEqual([]);
  });

  it('is 401 when signed out', async () => {
    const res = track(await app.browser().post('/auth/password/change', { json: { new_password: NEW_PASSWORD } }));
    expect([res.status, res.body.error.code]).toEqual([401, 'unauthenticated']);
  });
});

describe('email codes', () => {
  it('sends a code and verifies it into a session', async () => {
    const e = emu();
    const { org, email } = seedMember(e);
    const browser = app.browser();
    const sent = track(await browser.post('/auth/login/code/send', { json: { email_address: email, organization_id: org.organization_id } }));
    expect([sent.status, sent.body]).toEqual([202, { status: 'code_sent' }]);
    const code = e.outbox.latest({ to: email, kind: 'email_otp' })!.code!;
    const wrong = track(await browser.post('/auth/login/code/verify', { json: { email_address: email, organization_id: org.organization_id, code: code === '000000' ? '111111' : '000000' } }));
    expect([wrong.status, wrong.body.error.code]).toEqual([404, 'otp_code_not_found']);
    const done = track(await browser.post('/auth/login/code/verify', { form: { email_address: email, organization_id: org.organization_id, code, return_to: '/docs' } }));
    expect([done.status, done.location]).toEqual([303, '/docs']);
    expect(browser.cookie('stytch_session')).toBeDefined();
    const used = track(await app.browser().post('/auth/login/code/verify', { json: { email_address: email, organization_id: org.organization_id, code } }));
    expect([used.status, used.body.error.code]).toEqual([401, 'unable_to_auth_otp_code']);
  });

  it('discovery: a code without an organization leads to the organization picker', async () => {
    const e = emu();
    const { email } = seedMember(e);
    const browser = app.browser();
    expect((await browser.post('/auth/login/code/send', { json: { email_address: email } })).status).toBe(202);
    const code = e.outbox.latest({ to: email, kind: 'discovery_email_otp' })!.code!;
    const done = track(await browser.post('/auth/login/code/verify', { json: { email_address: email, code } }));
    expect(done.body).toEqual({ status: 'discovery', redirectTo: '/select-org' });
  });

  it('sending to an address that may not sign up answers the same as for a member', async () => {
    const { org, email } = seedMember(emu());
    const member = track(await app.browser().post('/auth/login/code/send', { json: { email_address: email, organization_id: org.organization_id } }));
    const stranger = track(await app.browser().post('/auth/login/code/send', { json: { email_address: uniqueEmail('stranger'), organization_id: org.organization_id } }));
    expect([stranger.status, stranger.body]).toEqual([member.status, member.body]);
  });

  it('a malformed code is 400 invalid_code with 0 upstream calls', async () => {
    const { org, email } = seedMember(emu());
    const res = track(await app.browser().post('/auth/login/code/verify', { json: { email_address: email, organization_id: org.organization_id, code: '12ab' } }));
    expect([res.status, res.body.error.code]).toEqual([400, 'invalid_code']);
    expect(routeCalls(emu())).toEqual([]);
  });
});

describe('secrets', () => {
  it('no answer body, redirect or log line of these tests carries a password or a reset token', () => {
    const tokens = emu().outbox.list().flatMap((m) => (m.kind === 'password_reset' || m.kind === 'discovery_password_reset' ? [m.token!] : []));
    expect(tokens.length).toBeGreaterThan(3);
    expect(seen.length).toBeGreaterThan(20);
    const secrets = [PASSWORD, NEW_PASSWORD, 'password123', 'Summer2020', 'p@ssword1', ...tokens];
    const logs = JSON.stringify(app.logs);
    for (const secret of secrets) {
      expect(logs).not.toContain(secret);
      for (const res of seen) {
        expect(res.text).not.toContain(secret);
        expect(res.location ?? '').not.toContain(secret);
      }
    }
  });
});
