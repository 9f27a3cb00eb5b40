/** `/v1/b2b/otps/*`: email OTP (primary, reference 5.6) and SMS OTP (MFA, reference 5.7). */
import { discoverOrganizations } from '../discovery.js';
import { buildFactor } from '../factors.js';
import { badRequest, memberNotFound, notFound, unauthorized } from '../http-errors.js';
import { newId } from '../ids.js';
import { createIst } from '../ist.js';
import { EMAIL_OTP_DEFAULT_MINUTES, issueEmailOtp, redeemEmailOtp } from '../links.js';
import { findMemberByEmail, memberView, requireMember } from '../members.js';
import { checkSecondaryArgs, completePrimary, completeSecondary, sendSmsOtp } from '../mfa.js';
import { requireOrganization } from '../organizations.js';
import { checkMfaProof } from '../proof.js';
import type { Router } from '../router.js';
import { optInt, optPhone, reqEmail, reqString } from '../validate.js';
import { memberForLoginOrSignup, memberOrgResponse } from './common.js';
import { applyEmailUpdate } from './magic-links.js';

export function otpRoutes(router: Router): void {
  router.add('POST', '/v1/b2b/otps/email/login_or_signup', ({ state, body }) => {
    const org = requireOrganization(state, reqString(body, 'organization_id'));
    const email = reqEmail(body);
    const login = optInt(body, 'login_expiration_minutes', 2, 15) ?? EMAIL_OTP_DEFAULT_MINUTES;
    const signup = optInt(body, 'signup_expiration_minutes', 2, 15) ?? EMAIL_OTP_DEFAULT_MINUTES;
    const { member, created } = memberForLoginOrSignup(state, org, email);
    issueEmailOtp(state, { kind: 'email_otp', email_address: email, organization_id: org.organization_id, member_id: member.member_id, expiresInMinutes: member.status === 'active' ? login : signup });
    return { ...memberOrgResponse(state, member, org), member_created: created };
  });

  router.add('POST', '/v1/b2b/otps/email/authenticate', ({ state, body }) => {
    const org = requireOrganization(state, reqString(body, 'organization_id'));
    const email = reqEmail(body);
    const code = reqString(body, 'code');
    const record = redeemEmailOtp(state, org.organization_id, email, code);
    let member = findMemberByEmail(state, org.organization_id, email);
    if (record.new_email_address !== undefined && record.member_id !== undefined) {
      // Completing an email update by OTP: the code was sent to the new address (reference 5.14).
      member = requireMember(state, org.organization_id, record.member_id);
      applyEmailUpdate(state, member, record.new_email_address);
    }
    if (!member) throw memberNotFound();
    const factor = buildFactor(state, 'email_otp', member);
    return { ...completePrimary(state, { org, member, factor, method: 'email_otp', emailVerified: true, body }), method_id: member.email_id };
  });

  router.add('POST', '/v1/b2b/otps/email/discovery/send', ({ state, body }) => {
    const email = reqEmail(body);
    const minutes = optInt(body, 'discovery_expiration_minutes', 2, 15) ?? EMAIL_OTP_DEFAULT_MINUTES;
    issueEmailOtp(state, { kind: 'discovery_email_otp', email_address: email, expiresInMinutes: minutes });
    return {};
  });

  router.add('POST', '/v1/b2b/otps/email/discovery/authenticate', ({ state, body }) => {
    const email = reqEmail(body);
    const code = reqString(body, 'code');
    redeemEmailOtp(state, undefined, email, code);
    const factor = buildFactor(state, 'email_otp', { email_address: email });
    const ist = createIst(state, { email_address: email, email_verified: true, factors: [factor] });
    return {
      intermediate_session_token: ist.token,
      email_address: email,
      discovered_organizations: discoverOrganizations(state, email, ist.factors, { includeEligible: true, emailVerified: true }),
    };
  });

  router.add('POST', '/v1/b2b/otps/sms/send', ({ state, body }) => {
    const org = requireOrganization(state, reqString(body, 'organization_id'));
    const member = requireMember(state, org.organization_id, reqString(body, 'member_id'));
    const phone = optPhone(body, 'mfa_phone_number');
    if (member.mfa_phone_number !== '' && phone !== undefined && phone !== member.mfa_phone_number) {
      throw badRequest('invalid_phone_number', 'The member already has a different MFA phone number.');
    }
    const linking = member.mfa_phone_number === '' || !member.mfa_phone_number_verified;
    if (member.mfa_phone_number === '' && phone === undefined) {
      throw badRequest('invalid_argument', "The member has no MFA phone number; pass 'mfa_phone_number'.", { field: 'mfa_phone_number' });
    }
    checkMfaProof(state, member, body, linking);
    if (member.mfa_phone_number === '' && phone !== undefined) {
      if ([...state.members.values()].some((m) => m.organization_id === org.organization_id && m.member_id !== member.member_id && m.status !== 'deleted' && m.mfa_phone_number === phone)) {
        throw badRequest('duplicate_member_phone_number', 'Another member of this organization uses this phone number.');
      }
      member.mfa_phone_number = phone;
      member.mfa_phone_number_verified = false;
      member.phone_id = newId('phone-number');
    }
    sendSmsOtp(state, member, member.mfa_phone_number);
    return memberOrgResponse(state, member, org);
  });

  router.add('POST', '/v1/b2b/otps/sms/authenticate', ({ state, body }) => {
    const org = requireOrganization(state, reqString(body, 'organization_id'));
    const member = requireMember(state, org.organization_id, reqString(body, 'member_id'));
    const code = reqString(body, 'code');
    checkSecondaryArgs(state, org, member, body);
    if (!/^\d{6}$/.test(code)) throw badRequest('invalid_code', 'Code format is invalid.');
    const record = state.smsOtps.get(member.member_id);
    if (!record || record.code !== code) throw notFound('otp_code_not_found', 'The passcode is incorrect.');
    if (state.now() >= record.expires_at) {
      state.smsOtps.delete(member.member_id);
      throw unauthorized('unable_to_auth_otp_code', 'The passcode has already been used or has expired.');
    }
    const factor = buildFactor(state, 'otp', member);
    const result = completeSecondary(state, org, member, factor, body, 'sms_otp');
    state.smsOtps.delete(member.member_id);
    member.mfa_phone_number_verified = true;
    if (member.default_mfa_method === '') member.default_mfa_method = 'sms_otp';
    return { ...result, member: memberView(state, member) };
  });
}
