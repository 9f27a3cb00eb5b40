/**
 * `set_mfa_enrollment` on the MFA authenticate calls (SDK doc comments of
 * `B2BOTPSmsAuthenticateRequest.set_mfa_enrollment` in types/lib/b2b/otp_sms.d.ts and of
 * `B2BTOTPsAuthenticateRequest` in totps.d.ts): "If the Organization's MFA policy is
 * REQUIRED_FOR_ALL, this field will be ignored"; under OPTIONAL it enrolls or unenrolls.
 */
import { describe, expect, it } from 'vitest';
import { newEmail, newOrg, useConformance } from './support.js';

const { emu, sdk } = useConformance();

function smsCode(memberId: string): string {
  const code = emu().outbox.latest({ kind: 'sms_otp' })?.code;
  expect(code, `an SMS code for ${memberId}`).toBeTypeOf('string');
  return code!;
}

describe('set_mfa_enrollment (otps.sms.authenticate)', () => {
  it('under OPTIONAL, enroll and unenroll toggle mfa_enrolled', async () => {
    // otp_sms.d.ts `set_mfa_enrollment`: enroll sets mfa_enrolled true, unenroll false.
    const org = newOrg(emu(), { mfa_policy: 'OPTIONAL', email_invites: 'ALL_ALLOWED' });
    const m = emu().admin.createMember(org.organization_id, { email_address: newEmail(), mfa_phone_number: '+14155550133' });
    const { session_token } = emu().admin.createSession({ member_id: m.member_id });
    const step = async (set_mfa_enrollment: 'enroll' | 'unenroll') => {
      await sdk().otps.sms.send({ organization_id: org.organization_id, member_id: m.member_id });
      return sdk().otps.sms.authenticate({ organization_id: org.organization_id, member_id: m.member_id, code: smsCode(m.member_id), session_token, set_mfa_enrollment });
    };
    expect((await step('enroll')).member.mfa_enrolled).toBe(true);
    expect((await step('unenroll')).member.mfa_enrolled).toBe(false);
  });

  it('under REQUIRED_FOR_ALL, unenroll is ignored and the member ends up enrolled', async () => {
    // otp_sms.d.ts authenticate: "If the Organization's MFA policy is REQUIRED_FOR_ALL, a successful OTP
    // authentication will change the Member's mfa_enrolled status to true if it is not already true."
    const org = newOrg(emu(), { mfa_policy: 'REQUIRED_FOR_ALL', email_invites: 'ALL_ALLOWED' });
    const email = newEmail();
    const m = emu().admin.createMember(org.organization_id, { email_address: email, mfa_phone_number: '+14155550134' });
    await sdk().magicLinks.email.loginOrSignup({ organization_id: org.organization_id, email_address: email });
    const primary = await sdk().magicLinks.authenticate({ magic_links_token: emu().outbox.latest({ to: email })!.token! });
    expect(primary.member_authenticated).toBe(false);
    // The primary step auto-sent the SMS code to the verified phone (reference 5.2).
    const res = await sdk().otps.sms.authenticate({
      organization_id: org.organization_id, member_id: m.member_id, code: smsCode(m.member_id), intermediate_session_token: primary.intermediate_session_token, set_mfa_enrollment: 'unenroll',
    });
    expect(res.member.mfa_enrolled).toBe(true);
    expect(emu().admin.getMember(m.member_id)?.mfa_enrolled).toBe(true);
  });
});
