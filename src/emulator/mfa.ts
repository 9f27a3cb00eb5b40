/**
 * How a login finishes (reference 5.2): either a full session, or an intermediate session with
 * `primary_required` / `mfa_required`. Shared by every primary authenticate endpoint, and the
 * MFA completion shared by SMS OTP, TOTP and recovery codes.
 */
import type { AuthenticationFactor, MfaRequired, Organization } from '../client/types.js';
import { isMfaFactor } from './factors.js';
import { badRequest } from './http-errors.js';
import { newOtpCode } from './ids.js';
import { addIstFactor, consumeIst, createIst, istExpiry, requireIst } from './ist.js';
import { activate, memberView } from './members.js';
import { authMethodAllowed } from './organizations.js';
import {
  addFactor, createSession, extendSession, mergeCustomClaims, optionalSessionFromBody, readDuration, sessionFromBody, sessionResponse,
} from './sessions.js';
import type { EmulatorState, IstRecord, MemberRecord } from './state.js';
import { optEnum, optNonEmpty, optBool, type Body } from './validate.js';

export const SMS_OTP_TTL_MS = 2 * 60_000;

/** Sends (replaces) the member's one live SMS code. */
export function sendSmsOtp(state: EmulatorState, member: MemberRecord, phone: string): void {
  const code = newOtpCode();
  state.smsOtps.set(member.member_id, { code, expires_at: state.now() + SMS_OTP_TTL_MS, phone_number: phone });
  state.send({ channel: 'sms', to: phone, kind: 'sms_otp', organizationId: member.organization_id, memberId: member.member_id, code });
}

export function mfaRequired(state: EmulatorState, org: Organization, member: MemberRecord): boolean {
  void state;
  return org.mfa_policy === 'REQUIRED_FOR_ALL' || member.mfa_enrolled;
}

export function memberOptions(member: MemberRecord): MfaRequired['member_options'] {
  const phone = member.mfa_phone_number_verified ? member.mfa_phone_number : '';
  const totpId = member.totp?.verified ? member.totp.totp_registration_id : '';
  return phone === '' && totpId === '' ? null : { mfa_phone_number: phone, totp_registration_id: totpId };
}

/** Whether a primary authenticate should auto-send an SMS code (verified phone, SMS default). */
function wantsAutoSms(member: MemberRecord): boolean {
  return member.mfa_phone_number !== '' && member.mfa_phone_number_verified && member.default_mfa_method !== 'totp';
}

export interface PrimaryInput {
  org: Organization;
  member: MemberRecord;
  factor: AuthenticationFactor;
  /** The `allowed_auth_methods` name of this method (`magic_link`, `email_otp`, `password`, `google_oauth`, `sso`...). */
  method: string;
  emailVerified: boolean;
  body: Body;
  /** False for discovery exchanges, which never auto-send SMS (reference 5.2). */
  autoSendSms?: boolean;
}

/** The 5.2 response of a login that stopped at an intermediate session. */
export function pendingLoginResponse(state: EmulatorState, org: Organization, member: MemberRecord, ist: IstRecord, extra: { mfa_required?: MfaRequired; primary_required?: { allowed_auth_methods: string[] } }) {
  return {
    member_id: member.member_id,
    organization_id: org.organization_id,
    member: memberView(state, member),
    organization: structuredClone(org),
    member_authenticated: false,
    session_token: '',
    session_jwt: '',
    member_session: null,
    intermediate_session_token: ist.token,
    intermediate_session_token_expires_at: istExpiry(ist),
    mfa_required: extra.mfa_required ?? null,
    primary_required: extra.primary_required ?? null,
  };
}

function authenticated(state: EmulatorState, response: ReturnType<typeof sessionResponse>) {
  return {
    ...response,
    member_authenticated: true,
    intermediate_session_token: '',
    mfa_required: null,
    primary_required: null,
  };
}

/**
 * Finishes a primary authentication. With a session of the same member the factor is added to
 * it and MFA is skipped; with an IST the factors are combined; then the organization's
 * requirements decide between a session and an IST.
 */
export function completePrimary(state: EmulatorState, input: PrimaryInput): Record<string, unknown> {
  const { org, member, factor, body } = input;
  const duration = readDuration(body);
  const claimsPatch = body.session_custom_claims;
  mergeCustomClaims({}, claimsPatch);

  const existing = optionalSessionFromBody(state, body);
  // A session of another member is ignored (reference 5.3).
  if (existing && existing.member.member_id === member.member_id) {
    activate(state, member, input.emailVerified);
    addFactor(existing.session, factor);
    existing.session.custom_claims = mergeCustomClaims(existing.session.custom_claims, claimsPatch);
    extendSession(state, existing.session, duration);
    return authenticated(state, sessionResponse(state, existing.session, member, org));
  }

  const istToken = optNonEmpty(body, 'intermediate_session_token');
  let ist: IstRecord | undefined;
  if (istToken !== undefined) {
    ist = requireIst(state, istToken);
    const otherOrg = ist.organization_id !== undefined && ist.organization_id !== org.organization_id;
    const otherMember = ist.member_id !== undefined ? ist.member_id !== member.member_id : ist.email_address !== member.email_address;
    if (otherOrg || otherMember) {
      throw badRequest('invalid_intermediate_session_token_for_organization', 'The intermediate session does not belong to this member and organization.');
    }
  }
  activate(state, member, input.emailVerified);
  const factors = [...(ist?.factors ?? []).filter((f) => !(f.type === factor.type && f.delivery_method === factor.delivery_method)), factor];
  const keep = (): IstRecord => {
    if (ist) {
      addIstFactor(ist, factor);
      ist.organization_id = org.organization_id;
      ist.member_id = member.member_id;
      ist.email_verified ||= input.emailVerified;
      return ist;
    }
    return createIst(state, { email_address: member.email_address, email_verified: input.emailVerified, organization_id: org.organization_id, member_id: member.member_id, factors });
  };

  if (!member.is_breakglass && !authMethodAllowed(org, input.method)) {
    return pendingLoginResponse(state, org, member, keep(), { primary_required: { allowed_auth_methods: [...org.allowed_auth_methods] } });
  }
  if (mfaRequired(state, org, member) && !factors.some(isMfaFactor)) {
    const auto = input.autoSendSms !== false && wantsAutoSms(member);
    if (auto) sendSmsOtp(state, member, member.mfa_phone_number);
    return pendingLoginResponse(state, org, member, keep(), { mfa_required: { member_options: memberOptions(member), secondary_auth_initiated: auto ? 'sms_otp' : null } });
  }
  if (ist) consumeIst(state, ist);
  const session = createSession(state, member, factors, duration ?? 60, mergeCustomClaims({}, claimsPatch));
  return authenticated(state, sessionResponse(state, session, member, org));
}

/**
 * Checks the session arguments of an MFA step before its code is looked at: exactly one of
 * IST / session token / session JWT, and an IST must be live, this member's, and hold a
 * primary factor. Returns the IST when one was passed.
 */
export function checkSecondaryArgs(state: EmulatorState, org: Organization, member: MemberRecord, body: Body): IstRecord | undefined {
  const istToken = optNonEmpty(body, 'intermediate_session_token');
  const hasSession = optNonEmpty(body, 'session_token') !== undefined || optNonEmpty(body, 'session_jwt') !== undefined;
  if (istToken !== undefined && hasSession) throw badRequest('too_many_session_arguments', 'Pass only one of intermediate_session_token, session_token or session_jwt.');
  if (istToken === undefined && !hasSession) throw badRequest('no_session_arguments', 'Pass one of intermediate_session_token, session_token or session_jwt.');
  readDuration(body);
  mergeCustomClaims({}, body.session_custom_claims);
  optEnum(body, 'set_mfa_enrollment', ['enroll', 'unenroll'] as const);
  optBool(body, 'set_default_mfa');
  if (istToken === undefined) {
    const found = sessionFromBody(state, body);
    if (found.member.member_id !== member.member_id) throw badRequest('session_member_mismatch', 'The session belongs to another member.');
    return undefined;
  }
  const ist = requireIst(state, istToken);
  const mine = ist.member_id !== undefined ? ist.member_id === member.member_id : ist.email_address === member.email_address;
  if (!mine || (ist.organization_id !== undefined && ist.organization_id !== org.organization_id)) {
    throw badRequest('invalid_intermediate_session_token_for_organization', 'The intermediate session does not belong to this member and organization.');
  }
  if (!ist.factors.some((f) => !isMfaFactor(f))) {
    throw badRequest('action_available_only_once_primary_authentication_is_met', 'Complete a primary authentication before MFA.');
  }
  return ist;
}

/**
 * Finishes an MFA step (SMS OTP, TOTP, recovery code) after {@link checkSecondaryArgs}: an IST
 * is consumed into a new session; a session gets the factor added.
 */
export function completeSecondary(state: EmulatorState, org: Organization, member: MemberRecord, factor: AuthenticationFactor, body: Body, method: 'sms_otp' | 'totp' | null) {
  const ist = checkSecondaryArgs(state, org, member, body);
  const duration = readDuration(body);
  const claimsPatch = body.session_custom_claims;
  const enrollment = optEnum(body, 'set_mfa_enrollment', ['enroll', 'unenroll'] as const);
  const setDefault = optBool(body, 'set_default_mfa');

  let response;
  if (ist) {
    consumeIst(state, ist);
    activate(state, member, ist.email_verified);
    const factors = [...ist.factors.filter((f) => !(f.type === factor.type)), factor];
    response = sessionResponse(state, createSession(state, member, factors, duration ?? 60, mergeCustomClaims({}, claimsPatch)), member, org);
  } else {
    const found = sessionFromBody(state, body);
    addFactor(found.session, factor);
    found.session.custom_claims = mergeCustomClaims(found.session.custom_claims, claimsPatch);
    extendSession(state, found.session, duration);
    response = sessionResponse(state, found.session, member, org);
  }
  // Under REQUIRED_FOR_ALL a successful MFA step enrolls the member and `set_mfa_enrollment` is
  // ignored; under OPTIONAL it toggles enrollment (SDK doc comments of `otps.sms.authenticate`
  // and `totps.authenticate`, types/lib/b2b/otp_sms.d.ts and totps.d.ts).
  if (org.mfa_policy === 'REQUIRED_FOR_ALL') member.mfa_enrolled = true;
  else if (enrollment !== undefined) member.mfa_enrolled = enrollment === 'enroll';
  if (setDefault === true && method !== null) member.default_mfa_method = method;
  member.updated_at = state.now();
  // Re-render the member: enrollment and defaults may just have changed.
  return { ...response, member: memberView(state, member) };
}
