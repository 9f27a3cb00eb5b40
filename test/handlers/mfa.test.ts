import { describe, expect, it } from 'vitest';
import type { CookieJarClient } from '../helpers/cookie-jar.js';
import { useEmulator } from '../helpers/emulator.js';
import { loginWithMagicLink, resetEmulatorBeforeEach, routeCalls, seedMember, useTestApp } from './harness.js';

const emu = useEmulator();
const app = useTestApp(emu);
resetEmulatorBeforeEach(emu);

const IST = 'stytch_intermediate_session_token';
let phoneCounter = 100;
function newPhone(): string {
  phoneCounter += 1;
  return `+1500555${String(phoneCounter).padStart(4, '0')}`;
}

/** A browser stopped at the MFA step of an MFA-required organization. */
async function pendingMfa(input: { phone?: boolean } = { phone: true }) {
  const seeded = seedMember(emu(), { mfa: 'required', ...(input.phone === false ? {} : { phone: newPhone() }) });
  const browser = app.browser();
  const res = await loginWithMagicLink(emu(), browser, seeded.email, seeded.org.organization_id);
  expect(res.location).toBe('/mfa');
  emu().calls.clear();
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

async function enrolTotp(browser: CookieJarClient) {
  const created = await browser.post('/auth/mfa/totp/create', { json: {} });
  expect(created.status).toBe(201);
  return created.body as { secret: string; recoveryCodes: string[]; qrCode: string; totpRegistrationId: string };
}

describe('SMS one-time codes', () => {
  it('completes a pending login with the auto-sent code: new session cookies, IST and hints cleared', async () => {
    const { browser, member, org } = await pendingMfa();
    const res = await browser.post('/auth/mfa/sms/authenticate', { json: { code: latestSmsCode(member.member_id) } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'authenticated', redirectTo: '/dashboard', memberId: member.member_id, organizationId: org.organization_id });
    expect(browser.cookie(IST)).toBeUndefined();
    expect(browser.cookie('stytch_mfa_pending')).toBeUndefined();
    const session = await browser.get('/auth/session');
    expect(session.body.authenticationFactors.map((f: { type: string }) => f.type)).toEqual(['magic_link', 'otp']);
  });

  it('catalogue #97: logs never contain the IST, the code or the new session token', async () => {
    const { browser, member } = await pendingMfa();
    const ist = browser.cookie(IST) ?? 'missing';
    const code = latestSmsCode(member.member_id);
    await browser.post('/auth/mfa/sms/authenticate', { json: { code: '000001' } });
    expect((await browser.post('/auth/mfa/sms/authenticate', { json: { code } })).status).toBe(200);
    const logs = JSON.stringify(app.logs);
    expect(logs).not.toContain(ist);
    expect(logs).not.toContain(`"${code}"`);
    expect(logs).not.toContain(browser.cookie('stytch_session') ?? 'missing');
    expect(logs).not.toContain(browser.cookie('stytch_session_jwt') ?? 'missing');
  });

  it('catalogue #81: a non-numeric or wrong-length code is 400 with 0 upstream calls', async () => {
    const { browser } = await pendingMfa();
    for (const code of ['12345', '1234567', 'abcdef', '12 456', '', '１２３４５６']) {
      const res = await browser.post('/auth/mfa/sms/authenticate', { json: { code } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_code');
    }
    expect(routeCalls(emu())).toEqual([]);
  });

  it('catalogue #81: a wrong code is refused with a generic message and no session', async () => {
    const { browser, member } = await pendingMfa();
    const right = latestSmsCode(member.member_id);
    const wrong = right === '000000' ? '111111' : '000000';
    const res = await browser.post('/auth/mfa/sms/authenticate', { json: { code: wrong } });
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({ code: 'otp_code_not_found', message: 'Not found or expired.' });
    expect(browser.cookie('stytch_session')).toBeUndefined();
    expect(res.text).not.toContain(right);
  });

  it('catalogue #81: an expired code (clock + 3 min) is 401 unable_to_auth_otp_code', async () => {
    const { browser, member } = await pendingMfa();
    const code = latestSmsCode(member.member_id);
    emu().clock.advance(3 * 60_000);
    const res = await browser.post('/auth/mfa/sms/authenticate', { json: { code } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unable_to_auth_otp_code');
  });

  it('catalogue #81: a replayed code is refused', async () => {
    const { browser, member } = await pendingMfa();
    const code = latestSmsCode(member.member_id);
    const ist = browser.cookie(IST) ?? '';
    const pending = browser.cookie('stytch_mfa_pending') ?? '';
    expect((await browser.post('/auth/mfa/sms/authenticate', { json: { code } })).status).toBe(200);
    const replay = app.browser();
    replay.setCookie(IST, ist);
    replay.setCookie('stytch_mfa_pending', pending);
    const res = await replay.post('/auth/mfa/sms/authenticate', { json: { code } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(replay.cookie('stytch_session')).toBeUndefined();
  });

  it('catalogue #81: a burst of wrong codes throttled by Stytch is 429 without local retries', async () => {
    const { browser } = await pendingMfa();
    emu().faults.next('POST /v1/b2b/otps/sms/authenticate', { status: 429, errorType: 'too_many_requests', retryAfterSeconds: 30 });
    const res = await browser.post('/auth/mfa/sms/authenticate', { json: { code: '123456' } });
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('30');
    expect(routeCalls(emu())).toEqual(['POST /v1/b2b/otps/sms/authenticate']);
  });

  it('resends a code on request and keeps the hints up to date', async () => {
    const { browser, member } = await pendingMfa();
    const first = latestSmsCode(member.member_id);
    const res = await browser.post('/auth/mfa/sms/send', { json: {} });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('sms_sent');
    const second = latestSmsCode(member.member_id);
    expect(emu().outbox.list().filter((m) => m.kind === 'sms_otp' && m.memberId === member.member_id)).toHaveLength(2);
    const ok = await browser.post('/auth/mfa/sms/authenticate', { form: { code: second } });
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/dashboard');
    expect(first).toBeDefined();
  });

  it('enrols a phone for a member who has none', async () => {
    const { browser, member } = await pendingMfa({ phone: false });
    const status = await browser.get('/auth/mfa');
    expect(status.body.nextStep).toBe('enroll');
    const badPhone = await browser.post('/auth/mfa/sms/send', { json: { mfa_phone_number: '555-1234' } });
    expect(badPhone.status).toBe(400);
    expect(badPhone.body.error.code).toBe('invalid_phone_number');
    const phone = newPhone();
    const sent = await browser.post('/auth/mfa/sms/send', { json: { mfa_phone_number: phone } });
    expect(sent.status).toBe(202);
    expect(sent.body.phoneHint).toBe(`*******${phone.slice(-4)}`);
    const ok = await browser.post('/auth/mfa/sms/authenticate', { json: { code: latestSmsCode(member.member_id) } });
    expect(ok.status).toBe(200);
  });

  it('sends a failed form post back to the MFA page with ?error=<code>', async () => {
    const { browser } = await pendingMfa();
    const res = await browser.post('/auth/mfa/sms/authenticate', { form: { code: 'nope' } });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/mfa?error=invalid_code');
  });
});

describe('TOTP and recovery codes', () => {
  it('enrols TOTP during a pending login: secret, QR data URL and recovery codes, then a code completes the login', async () => {
    const { browser, member } = await pendingMfa({ phone: false });
    const created = await enrolTotp(browser);
    expect(created.qrCode.startsWith('data:image/png;base64,')).toBe(true);
    expect(created.recoveryCodes).toHaveLength(10);
    const res = await browser.post('/auth/mfa/totp/authenticate', { json: { code: emu().admin.totpCode(created.secret) } });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('authenticated');
    expect(emu().admin.getMember(member.member_id)?.totp_registration_id).not.toBe('');
    expect(browser.cookie(IST)).toBeUndefined();
  });

  it('logs in with TOTP next time, and with a recovery code (single use) after that', async () => {
    const { browser, email, org } = await pendingMfa({ phone: false });
    const created = await enrolTotp(browser);
    expect((await browser.post('/auth/mfa/totp/authenticate', { json: { code: emu().admin.totpCode(created.secret) } })).status).toBe(200);

    const second = app.browser();
    expect((await loginWithMagicLink(emu(), second, email, org.organization_id)).location).toBe('/mfa');
    expect((await second.get('/auth/mfa')).body.nextStep).toBe('totp');
    const code = emu().admin.totpCode(created.secret, emu().clock.now() + 30_000);
    expect((await second.post('/auth/mfa/totp/authenticate', { json: { code } })).status).toBe(200);

    const third = app.browser();
    await loginWithMagicLink(emu(), third, email, org.organization_id);
    const recovery = created.recoveryCodes[0] ?? '';
    const recovered = await third.post('/auth/mfa/recovery', { json: { recovery_code: recovery.toUpperCase() } });
    expect(recovered.status).toBe(200);
    expect(third.cookie('stytch_session')).toBeDefined();

    const fourth = app.browser();
    await loginWithMagicLink(emu(), fourth, email, org.organization_id);
    const reused = await fourth.post('/auth/mfa/recovery', { json: { recovery_code: recovery } });
    expect(reused.status).toBe(401);
    expect(reused.body.error.code).toBe('unable_to_authenticate_recovery_code');
  });

  it('catalogue #81: a wrong TOTP code is 401; malformed TOTP and recovery codes are 400 with 0 upstream calls', async () => {
    const { browser } = await pendingMfa({ phone: false });
    const created = await enrolTotp(browser);
    emu().calls.clear();
    for (const code of ['12345', 'abcdef']) {
      expect((await browser.post('/auth/mfa/totp/authenticate', { json: { code } })).body.error.code).toBe('invalid_code');
    }
    for (const recovery_code of ['abcd-efgh', 'abcd-efgh-ijk!', '../../etc']) {
      expect((await browser.post('/auth/mfa/recovery', { json: { recovery_code } })).body.error.code).toBe('invalid_recovery_code');
    }
    expect(routeCalls(emu())).toEqual([]);
    const right = emu().admin.totpCode(created.secret);
    const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
    const res = await browser.post('/auth/mfa/totp/authenticate', { json: { code: wrong } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unable_to_authenticate_totp');
  });

  it('refuses TOTP creation without proof of the existing SMS factor', async () => {
    const { browser } = await pendingMfa({ phone: true });
    const res = await browser.post('/auth/mfa/totp/create', { json: {} });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('insufficient_factors');
    expect(res.body.secret).toBeUndefined();
  });
});

describe('from a session (enrolling later, step-up)', () => {
  it('adds SMS to a signed-in session and rotates the session cookies', async () => {
    const { member, org, email } = seedMember(emu());
    const browser = app.browser();
    expect((await loginWithMagicLink(emu(), browser, email, org.organization_id)).location).toBe('/dashboard');
    const before = browser.cookie('stytch_session_jwt');
    const status = await browser.get('/auth/mfa');
    expect(status.body).toMatchObject({ source: 'session', memberId: member.member_id, nextStep: 'enroll' });
    const phone = newPhone();
    expect((await browser.post('/auth/mfa/sms/send', { json: { mfa_phone_number: phone } })).status).toBe(202);
    const res = await browser.post('/auth/mfa/sms/authenticate', { json: { code: latestSmsCode(member.member_id) } });
    expect(res.status).toBe(200);
    expect(browser.cookie('stytch_session_jwt')).not.toBe(before);
    const session = await browser.get('/auth/session');
    expect(session.body.authenticationFactors.map((f: { type: string }) => f.type)).toContain('otp');
  });

  it('is 401 mfa_not_pending with neither an IST nor a session', async () => {
    const res = await app.browser().post('/auth/mfa/sms/send', { json: {} });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('mfa_not_pending');
    expect((await app.browser().get('/auth/mfa')).status).toBe(401);
    expect(routeCalls(emu())).toEqual([]);
  });

  it('catalogue #80: a pending MFA whose IST expired (clock + 11 min) is refused and the IST cookie cleared', async () => {
    const { browser, member } = await pendingMfa();
    const code = latestSmsCode(member.member_id);
    emu().clock.advance(11 * 60_000);
    const res = await browser.post('/auth/mfa/sms/authenticate', { json: { code } });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('intermediate_session_not_found');
    expect(browser.cookie(IST)).toBeUndefined();
  });
});
