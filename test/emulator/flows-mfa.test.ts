import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { callApi, expectOk, expectStytchError, magicLinkLogin, newEmail, newOrg, totp } from './support.js';

const emu = useEmulator();

/** Starts a login that stops at MFA and returns the IST and the member. */
async function loginToMfa(opts: { phone?: string; enrolled?: boolean } = {}) {
  const e = emu();
  const org = newOrg(e, { mfa_policy: 'REQUIRED_FOR_ALL' });
  const email = newEmail();
  const member = e.admin.createMember(org.organization_id, {
    email_address: email,
    status: 'active',
    ...(opts.phone ? { mfa_phone_number: opts.phone } : {}),
    ...(opts.enrolled ? { mfa_enrolled: true } : {}),
  });
  const res = await magicLinkLogin(e, org.organization_id, email);
  return { org, member, email, res, ist: res.intermediate_session_token as string };
}

describe('magic link, then MFA required by the organization', () => {
  it('stops short of a session with empty tokens, a null member_session and an IST', async () => {
    const { res, member } = await loginToMfa();
    expect(res.member_authenticated).toBe(false);
    expect(res.session_token).toBe('');
    expect(res.session_jwt).toBe('');
    expect(res.member_session ?? null).toBeNull();
    expect(res.intermediate_session_token).toMatch(/.{10,}/u);
    expect(res.mfa_required).toBeTypeOf('object');
    expect(res.mfa_required).not.toBeNull();
    expect(res.member_id ?? res.member.member_id).toBe(member.member_id);
  });

  it('enrols TOTP with the IST and finishes with a session carrying both factors', async () => {
    const e = emu();
    const { org, member, ist } = await loginToMfa();
    const created = expectOk(
      await callApi(e, 'POST', '/v1/b2b/totp', { organization_id: org.organization_id, member_id: member.member_id, intermediate_session_token: ist }),
    );
    expect(created.secret).toMatch(/^[A-Z2-7]+=*$/u);
    expect(created.totp_registration_id).toMatch(/^totp-test-/u);
    expect(created.recovery_codes).toHaveLength(10);

    const code = totp(created.secret, e.clock.now());
    const done = expectOk(
      await callApi(e, 'POST', '/v1/b2b/totp/authenticate', {
        organization_id: org.organization_id,
        member_id: member.member_id,
        code,
        intermediate_session_token: ist,
      }),
    );
    expect(done.session_token).toMatch(/^[A-Za-z0-9_-]{44}$/u);
    expect(done.session_jwt.split('.')).toHaveLength(3);
    const types = (done.member_session.authentication_factors as { type: string; delivery_method: string }[]).map((f) => `${f.type}/${f.delivery_method}`);
    expect(types).toEqual(expect.arrayContaining(['magic_link/email', 'totp/authenticator_app']));
    // Under REQUIRED_FOR_ALL a successful MFA enrols the member (reference 5.7).
    expect(done.member.mfa_enrolled).toBe(true);
    expect(done.member.totp_registration_id).toBe(created.totp_registration_id);
  });

  it('consumes the IST when MFA completes', async () => {
    const e = emu();
    const { org, member, ist } = await loginToMfa();
    const created = expectOk(await callApi(e, 'POST', '/v1/b2b/totp', { organization_id: org.organization_id, member_id: member.member_id, intermediate_session_token: ist }));
    const body = { organization_id: org.organization_id, member_id: member.member_id, code: totp(created.secret, e.clock.now()), intermediate_session_token: ist };
    expectOk(await callApi(e, 'POST', '/v1/b2b/totp/authenticate', body));
    expectStytchError(await callApi(e, 'POST', '/v1/b2b/totp/authenticate', body), 404, 'intermediate_session_not_found');
  });

  it('refuses a wrong TOTP code with 401 unable_to_authenticate_totp', async () => {
    const e = emu();
    const { org, member, ist } = await loginToMfa();
    const created = expectOk(await callApi(e, 'POST', '/v1/b2b/totp', { organization_id: org.organization_id, member_id: member.member_id, intermediate_session_token: ist }));
    const good = totp(created.secret, e.clock.now());
    const wrong = String((Number(good) + 500_000) % 1_000_000).padStart(6, '0');
    const res = await callApi(e, 'POST', '/v1/b2b/totp/authenticate', { organization_id: org.organization_id, member_id: member.member_id, code: wrong, intermediate_session_token: ist });
    expectStytchError(res, 401, 'unable_to_authenticate_totp');
  });
});

describe('SMS OTP as the second factor', () => {
  const phone = '+15005550006';

  it('offers the member phone in mfa_required and accepts the code from the outbox', async () => {
    const e = emu();
    const { org, member, res, ist } = await loginToMfa({ phone });
    expect(res.mfa_required.member_options?.mfa_phone_number).toBe(phone);
    if (res.mfa_required.secondary_auth_initiated !== 'sms_otp') {
      expectOk(await callApi(e, 'POST', '/v1/b2b/otps/sms/send', { organization_id: org.organization_id, member_id: member.member_id, intermediate_session_token: ist }));
    }
    const sms = e.outbox.latest({ to: phone, kind: 'sms_otp' });
    expect(sms?.channel).toBe('sms');
    expect(sms?.code).toMatch(/^\d{6}$/u);
    const done = expectOk(
      await callApi(e, 'POST', '/v1/b2b/otps/sms/authenticate', { organization_id: org.organization_id, member_id: member.member_id, code: sms!.code, intermediate_session_token: ist }),
    );
    const types = (done.member_session.authentication_factors as { type: string; delivery_method: string }[]).map((f) => `${f.type}/${f.delivery_method}`);
    expect(types).toEqual(expect.arrayContaining(['magic_link/email', 'otp/sms']));
  });

  it('keeps only one live code: a new send invalidates the previous one', async () => {
    const e = emu();
    const { org, member, ist } = await loginToMfa({ phone });
    const send = { organization_id: org.organization_id, member_id: member.member_id, intermediate_session_token: ist };
    expectOk(await callApi(e, 'POST', '/v1/b2b/otps/sms/send', send));
    const first = e.outbox.latest({ to: phone, kind: 'sms_otp' })!.code!;
    let second = first;
    // A fresh code could collide with the old one by chance (1 in a million); resend until it differs.
    for (let i = 0; i < 3 && second === first; i++) {
      expectOk(await callApi(e, 'POST', '/v1/b2b/otps/sms/send', send));
      second = e.outbox.latest({ to: phone, kind: 'sms_otp' })!.code!;
    }
    const auth = { organization_id: org.organization_id, member_id: member.member_id, intermediate_session_token: ist };
    const stale = await callApi(e, 'POST', '/v1/b2b/otps/sms/authenticate', { ...auth, code: first });
    expect([stale.status, stale.body.error_type]).toEqual([404, 'otp_code_not_found']);
    expectStytchError(stale, stale.status, ['unable_to_auth_otp_code', 'otp_code_not_found']);
    expectOk(await callApi(e, 'POST', '/v1/b2b/otps/sms/authenticate', { ...auth, code: second }));
  });

  it('expires the code after 2 minutes on the emulator clock', async () => {
    const e = emu();
    const { org, member, ist } = await loginToMfa({ phone });
    expectOk(await callApi(e, 'POST', '/v1/b2b/otps/sms/send', { organization_id: org.organization_id, member_id: member.member_id, intermediate_session_token: ist }));
    const code = e.outbox.latest({ to: phone, kind: 'sms_otp' })!.code!;
    e.clock.advance(2 * 60_000 + 1_000);
    const res = await callApi(e, 'POST', '/v1/b2b/otps/sms/authenticate', { organization_id: org.organization_id, member_id: member.member_id, code, intermediate_session_token: ist });
    expectStytchError(res, 401, 'unable_to_auth_otp_code');
  });
});

describe('recovery codes', () => {
  it('recovers with a code once, then refuses the consumed code', async () => {
    const e = emu();
    // Enrol TOTP first to obtain recovery codes.
    const first = await loginToMfa();
    const created = expectOk(
      await callApi(e, 'POST', '/v1/b2b/totp', { organization_id: first.org.organization_id, member_id: first.member.member_id, intermediate_session_token: first.ist }),
    );
    expectOk(
      await callApi(e, 'POST', '/v1/b2b/totp/authenticate', {
        organization_id: first.org.organization_id,
        member_id: first.member.member_id,
        code: totp(created.secret, e.clock.now()),
        intermediate_session_token: first.ist,
      }),
    );
    const recoveryCode = (created.recovery_codes as string[])[0]!;

    const second = await magicLinkLogin(e, first.org.organization_id, first.email);
    expect(second.member_authenticated).toBe(false);
    expect(second.mfa_required.member_options?.totp_registration_id).toBe(created.totp_registration_id);
    const recovered = expectOk(
      await callApi(e, 'POST', '/v1/b2b/recovery_codes/recover', {
        organization_id: first.org.organization_id,
        member_id: first.member.member_id,
        recovery_code: recoveryCode,
        intermediate_session_token: second.intermediate_session_token,
      }),
    );
    expect(recovered.recovery_codes_remaining).toBe(9);
    const types = (recovered.member_session.authentication_factors as { type: string }[]).map((f) => f.type);
    expect(types).toContain('recovery_codes');

    const third = await magicLinkLogin(e, first.org.organization_id, first.email);
    const reuse = await callApi(e, 'POST', '/v1/b2b/recovery_codes/recover', {
      organization_id: first.org.organization_id,
      member_id: first.member.member_id,
      recovery_code: recoveryCode,
      intermediate_session_token: third.intermediate_session_token,
    });
    expectStytchError(reuse, 401, 'unable_to_authenticate_recovery_code');
  });
});
