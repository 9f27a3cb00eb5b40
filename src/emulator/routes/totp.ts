/** `/v1/b2b/totp*` (reference 5.8) and `/v1/b2b/recovery_codes*` (reference 5.9). */
import { buildFactor } from '../factors.js';
import { badRequest, notFound, unauthorized } from '../http-errors.js';
import { newId, newRecoveryCode } from '../ids.js';
import { memberView, requireMember } from '../members.js';
import { checkSecondaryArgs, completeSecondary } from '../mfa.js';
import { requireOrganization } from '../organizations.js';
import { qrCodePngDataUrl } from '../png.js';
import { checkMfaProof } from '../proof.js';
import type { Router } from '../router.js';
import type { EmulatorState, MemberRecord, TotpRecord } from '../state.js';
import { TOTP_STEP_MS, base32Decode, hotp, newTotpSecret } from '../totp.js';
import { optInt, reqString } from '../validate.js';
import { memberOrgResponse } from './common.js';

const RECOVERY_CODE = /^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/;

function newCodes(): TotpRecord['recovery_codes'] {
  return Array.from({ length: 10 }, () => ({ id: newId('totp-recovery-code'), code: newRecoveryCode(), used: false }));
}

/** The member's registration, dropping an unverified one that has expired. */
function liveTotp(state: EmulatorState, member: MemberRecord): TotpRecord | undefined {
  const reg = member.totp;
  if (reg && !reg.verified && state.now() >= reg.expires_at) {
    member.totp = undefined;
    return undefined;
  }
  return reg;
}

export function totpRoutes(router: Router): void {
  router.add('POST', '/v1/b2b/totp', ({ state, body }) => {
    const org = requireOrganization(state, reqString(body, 'organization_id'));
    const member = requireMember(state, org.organization_id, reqString(body, 'member_id'));
    const minutes = optInt(body, 'expiration_minutes', 5, 1440) ?? 60;
    if (liveTotp(state, member)?.verified) throw badRequest('active_totp_exists', 'The member already has an active TOTP registration.');
    checkMfaProof(state, member, body, true);
    const secret = newTotpSecret();
    member.totp = {
      totp_registration_id: newId('totp'),
      secret,
      verified: false,
      expires_at: state.now() + minutes * 60_000,
      recovery_codes: newCodes(),
      used_steps: new Set(),
    };
    const label = encodeURIComponent(`${org.organization_name}:${member.email_address}`);
    return {
      ...memberOrgResponse(state, member, org),
      totp_registration_id: member.totp.totp_registration_id,
      secret,
      qr_code: qrCodePngDataUrl(`otpauth://totp/${label}?secret=${secret}&issuer=${encodeURIComponent(org.organization_name)}`),
      recovery_codes: member.totp.recovery_codes.map((c) => c.code),
    };
  });

  router.add('POST', '/v1/b2b/totp/authenticate', ({ state, body }) => {
    const org = requireOrganization(state, reqString(body, 'organization_id'));
    const member = requireMember(state, org.organization_id, reqString(body, 'member_id'));
    const code = reqString(body, 'code');
    checkSecondaryArgs(state, org, member, body);
    if (RECOVERY_CODE.test(code)) throw badRequest('recovery_code_used_as_totp_code', 'That is a recovery code; use recovery_codes/recover.');
    if (!/^\d{6}$/.test(code)) throw badRequest('invalid_code', 'Code format is invalid.');
    const reg = liveTotp(state, member);
    if (!reg) throw notFound('totp_not_found', 'The member has no TOTP registration.');
    // ±1 time step, as authenticator apps drift.
    const current = Math.floor(state.now() / TOTP_STEP_MS);
    const key = base32Decode(reg.secret);
    const step = [current, current - 1, current + 1].find((s) => hotp(key, s) === code);
    if (step === undefined) throw unauthorized('unable_to_authenticate_totp', 'The TOTP code is incorrect or expired.');
    if (reg.used_steps.has(step)) throw badRequest('totp_code_already_authenticated', 'This TOTP code was already used.');
    const factor = buildFactor(state, 'totp', member);
    const result = completeSecondary(state, org, member, factor, body, 'totp');
    reg.used_steps.add(step);
    reg.verified = true;
    if (member.default_mfa_method === '') member.default_mfa_method = 'totp';
    return { ...result, member: memberView(state, member) };
  });

  router.add('POST', '/v1/b2b/recovery_codes/recover', ({ state, body }) => {
    const org = requireOrganization(state, reqString(body, 'organization_id'));
    const member = requireMember(state, org.organization_id, reqString(body, 'member_id'));
    const code = reqString(body, 'recovery_code').toLowerCase();
    checkSecondaryArgs(state, org, member, body);
    const reg = liveTotp(state, member);
    if (!reg?.verified) throw notFound('recovery_codes_not_found', 'The member has no recovery codes.');
    const entry = reg.recovery_codes.find((c) => c.code === code && !c.used);
    if (!entry) throw unauthorized('unable_to_authenticate_recovery_code', 'The recovery code is incorrect or already used.');
    const factor = buildFactor(state, 'recovery_codes', member);
    factor.recovery_code_factor = { totp_recovery_code_id: entry.id };
    const result = completeSecondary(state, org, member, factor, body, null);
    entry.used = true;
    return { ...result, recovery_codes_remaining: reg.recovery_codes.filter((c) => !c.used).length };
  });

  router.add('GET', '/v1/b2b/recovery_codes/:organization_id/:member_id', ({ state, params }) => {
    const org = requireOrganization(state, params.organization_id ?? '');
    const member = requireMember(state, org.organization_id, params.member_id ?? '');
    const reg = liveTotp(state, member);
    if (!reg?.verified) throw notFound('recovery_codes_not_found', 'The member has no recovery codes.');
    return { ...memberOrgResponse(state, member, org), recovery_codes: reg.recovery_codes.filter((c) => !c.used).map((c) => c.code) };
  });

  router.add('POST', '/v1/b2b/recovery_codes/rotate', ({ state, body }) => {
    const org = requireOrganization(state, reqString(body, 'organization_id'));
    const member = requireMember(state, org.organization_id, reqString(body, 'member_id'));
    const reg = liveTotp(state, member);
    if (!reg?.verified) throw notFound('recovery_codes_not_found', 'The member has no recovery codes.');
    reg.recovery_codes = newCodes();
    return { ...memberOrgResponse(state, member, org), recovery_codes: reg.recovery_codes.map((c) => c.code) };
  });
}
