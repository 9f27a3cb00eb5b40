/** Magic-link and email-OTP issuance: tokens, expiry, outbox messages. */
import { createHash } from 'node:crypto';
import { badRequest, notFound, unauthorized } from './http-errors.js';
import { newOtpCode, newToken } from './ids.js';
import type { EmulatorState, MagicLinkRecord } from './state.js';
import type { OutboxKind } from './types.js';

const MINUTE = 60_000;

function withParams(redirect: string, tokenType: string, token: string): string {
  return `${redirect}${redirect.includes('?') ? '&' : '?'}stytch_token_type=${tokenType}&token=${encodeURIComponent(token)}`;
}

export function issueMagicLink(
  state: EmulatorState,
  input: Omit<MagicLinkRecord, 'token' | 'expires_at' | 'used'> & { expiresInMinutes: number; redirectUrl: string },
): MagicLinkRecord {
  const { expiresInMinutes, redirectUrl, ...rest } = input;
  const record: MagicLinkRecord = { ...rest, token: newToken(), expires_at: state.now() + expiresInMinutes * MINUTE, used: false };
  state.magicLinks.set(record.token, record);
  const tokenType = record.kind === 'discovery_magic_link' ? 'discovery' : 'multi_tenant_magic_links';
  state.send({
    channel: 'email',
    to: record.new_email_address ?? record.email_address,
    kind: record.kind,
    ...(record.organization_id ? { organizationId: record.organization_id } : {}),
    ...(record.member_id ? { memberId: record.member_id } : {}),
    ...(record.invited_by_member_id ? { invitedByMemberId: record.invited_by_member_id } : {}),
    token: record.token,
    link: withParams(redirectUrl, tokenType, record.token),
  });
  return record;
}

/**
 * Takes a magic link for a kind family: unknown → 404 `magic_link_not_found`, used or expired →
 * 401 `unable_to_auth_magic_link`, PKCE mismatch → 400 (the link stays usable). Marks it used.
 */
export function redeemMagicLink(state: EmulatorState, token: string, discovery: boolean, verifier: string | undefined): MagicLinkRecord {
  const record = state.magicLinks.get(token);
  if (!record || (record.kind === 'discovery_magic_link') !== discovery) throw notFound('magic_link_not_found', 'The magic link could not be found.');
  if (record.used || state.now() >= record.expires_at) throw unauthorized('unable_to_auth_magic_link', 'The magic link has already been used or has expired.');
  if (record.pkce_code_challenge !== undefined) {
    if (verifier === undefined) throw badRequest('pkce_expected_code_verifier', 'This magic link was sent with a PKCE code challenge; pass pkce_code_verifier.');
    if (createHash('sha256').update(verifier).digest('base64url') !== record.pkce_code_challenge) {
      throw badRequest('pkce_mismatch', 'The PKCE code verifier does not match the code challenge.');
    }
  }
  record.used = true;
  return record;
}

export function issueEmailOtp(
  state: EmulatorState,
  input: { kind: OutboxKind; email_address: string; organization_id?: string; member_id?: string; new_email_address?: string; expiresInMinutes: number },
): string {
  const code = newOtpCode();
  const key = `${input.organization_id ?? 'discovery'}|${input.new_email_address ?? input.email_address}`;
  state.emailOtps.set(key, {
    code,
    expires_at: state.now() + input.expiresInMinutes * MINUTE,
    email_address: input.email_address,
    ...(input.organization_id ? { organization_id: input.organization_id } : {}),
    ...(input.member_id ? { member_id: input.member_id } : {}),
    ...(input.new_email_address ? { new_email_address: input.new_email_address } : {}),
  });
  state.send({
    channel: 'email',
    to: input.new_email_address ?? input.email_address,
    kind: input.kind,
    ...(input.organization_id ? { organizationId: input.organization_id } : {}),
    ...(input.member_id ? { memberId: input.member_id } : {}),
    code,
  });
  return code;
}

/** Takes an email OTP: wrong or unknown → 404 `otp_code_not_found`; expired → 401 `unable_to_auth_otp_code`. Single use. */
export function redeemEmailOtp(state: EmulatorState, organizationId: string | undefined, email: string, code: string) {
  if (!/^\d{6}$/.test(code)) throw badRequest('invalid_code', 'Code format is invalid.');
  const key = `${organizationId ?? 'discovery'}|${email}`;
  const record = state.emailOtps.get(key);
  if (!record || record.code !== code) throw notFound('otp_code_not_found', 'The passcode is incorrect.');
  if (record.used === true || state.now() >= record.expires_at) throw unauthorized('unable_to_auth_otp_code', 'The passcode has already been used or has expired.');
  record.used = true;
  return record;
}

export const MAGIC_LINK_DEFAULT_MINUTES = 60;
export const INVITE_DEFAULT_MINUTES = 10_080;
export const EMAIL_OTP_DEFAULT_MINUTES = 10;
