/**
 * Password storage (scrypt hashes of our own, or hashes imported by `passwords/migrate`) and the
 * single-use reset tokens of the email reset flows (reference A2.5, A2.6, A2.11).
 */
import { createHash, pbkdf2Sync, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { badRequest, unauthorized } from './http-errors.js';
import { newId, newToken } from './ids.js';
import { membersByEmail } from './members.js';
import type { EmulatorState, MemberRecord, PasswordRecord, PasswordResetRecord } from './state.js';

const MINUTE = 60_000;
export const RESET_DEFAULT_MINUTES = 30;

function ownHash(password: string): PasswordRecord {
  const salt = randomBytes(16).toString('base64url');
  return { id: newId('member-password'), salt, hash: scryptSync(password, salt, 32).toString('base64url') };
}

/**
 * Sets a member's password. With cross-organization passwords one password belongs to the email
 * address, so every membership of that address gets it.
 */
export function storePassword(state: EmulatorState, member: MemberRecord, password: string): void {
  const record = ownHash(password);
  const targets = state.settings.passwords.crossOrganization ? [member, ...membersByEmail(state, member.email_address).filter((m) => m !== member)] : [member];
  for (const m of targets) {
    m.password = { ...record };
    m.password_reset_required = false;
    m.updated_at = state.now();
  }
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function digestHex(algorithm: string, value: string): Buffer {
  return Buffer.from(createHash(algorithm).update(value, 'utf8').digest('hex'), 'utf8');
}

/** Checks a migrated hash. bcrypt, argon2 and phpass are accepted by migrate but never match here. */
function migratedMatches(record: PasswordRecord, migrated: NonNullable<PasswordRecord['migrated']>, password: string): boolean {
  const c = migrated.config;
  const str = (key: string): string => (typeof c[key] === 'string' ? c[key] : '');
  const num = (key: string, fallback: number): number => (typeof c[key] === 'number' ? c[key] : fallback);
  const salted = `${str('prepend_salt')}${password}${str('append_salt')}`;
  switch (migrated.hash_type) {
    case 'md_5': return equal(digestHex('md5', salted), Buffer.from(record.hash.toLowerCase(), 'utf8'));
    case 'sha_1': return equal(digestHex('sha1', salted), Buffer.from(record.hash.toLowerCase(), 'utf8'));
    case 'sha_512': return equal(digestHex('sha512', salted), Buffer.from(record.hash.toLowerCase(), 'utf8'));
    case 'scrypt': {
      const expected = Buffer.from(record.hash, 'base64');
      try {
        return equal(scryptSync(password, Buffer.from(str('salt'), 'base64'), expected.length, { N: num('n_parameter', 16_384), r: num('r_parameter', 8), p: num('p_parameter', 1), maxmem: 256 * 1024 * 1024 }), expected);
      } catch {
        return false;
      }
    }
    case 'pbkdf_2': {
      const expected = Buffer.from(record.hash, 'base64');
      const algorithm = str('algorithm') === 'sha512' ? 'sha512' : 'sha256';
      return equal(pbkdf2Sync(password, Buffer.from(str('salt'), 'base64'), num('iteration_amount', 1), expected.length, algorithm), expected);
    }
    default:
      return false;
  }
}

export function passwordMatches(member: MemberRecord, password: string): boolean {
  const record = member.password;
  if (!record) return false;
  if (record.migrated) return migratedMatches(record, record.migrated, password);
  return equal(scryptSync(password, record.salt, 32), Buffer.from(record.hash, 'base64url'));
}

function resetLink(redirect: string, params: Record<string, string>): string {
  const query = new URLSearchParams(params).toString();
  return `${redirect}${redirect.includes('?') ? '&' : '?'}${query}`;
}

/**
 * Issues a reset token and "emails" its link: `stytch_token_type=multi_tenant_passwords` (with the
 * organization's slug) or, for discovery, `discovery`; both with `stytch_redirect_type=reset_password`.
 * A new token replaces every earlier live token for the same address and scope.
 */
export function issuePasswordReset(
  state: EmulatorState,
  input: { kind: 'org' | 'discovery'; email_address: string; organization_id?: string; slug?: string; member_id?: string; minutes: number; redirectUrl: string; code_challenge?: string },
): PasswordResetRecord {
  for (const [token, old] of state.passwordResets) {
    if (old.kind === input.kind && old.email_address === input.email_address && old.organization_id === input.organization_id) state.passwordResets.delete(token);
  }
  const record: PasswordResetRecord = {
    token: newToken(),
    kind: input.kind,
    email_address: input.email_address,
    expires_at: state.now() + input.minutes * MINUTE,
    used: false,
    ...(input.organization_id ? { organization_id: input.organization_id } : {}),
    ...(input.member_id ? { member_id: input.member_id } : {}),
    ...(input.code_challenge ? { code_challenge: input.code_challenge } : {}),
  };
  state.passwordResets.set(record.token, record);
  const params: Record<string, string> = input.kind === 'org'
    ? { ...(input.slug ? { slug: input.slug } : {}), stytch_token_type: 'multi_tenant_passwords', stytch_redirect_type: 'reset_password', token: record.token }
    : { stytch_token_type: 'discovery', stytch_redirect_type: 'reset_password', token: record.token };
  state.send({
    channel: 'email',
    to: input.email_address,
    kind: input.kind === 'org' ? 'password_reset' : 'discovery_password_reset',
    ...(input.organization_id ? { organizationId: input.organization_id } : {}),
    ...(input.member_id ? { memberId: input.member_id } : {}),
    token: record.token,
    link: resetLink(input.redirectUrl, params),
  });
  return record;
}

/**
 * Checks a reset token without spending it: unknown, of the other kind, used or expired →
 * 401 `unable_to_auth_password_reset_token`; PKCE → 400 (the token stays usable).
 * Call {@link spendPasswordReset} once the new password was accepted.
 */
export function checkPasswordReset(state: EmulatorState, token: string, kind: 'org' | 'discovery', verifier: string | undefined): PasswordResetRecord {
  const record = state.passwordResets.get(token);
  if (!record || record.kind !== kind || record.used || state.now() >= record.expires_at) {
    throw unauthorized('unable_to_auth_password_reset_token', 'The password reset token is not valid, has expired or was already used.');
  }
  if (record.code_challenge === undefined) {
    if (verifier !== undefined) throw badRequest('pkce_did_not_expect_code_verifier', 'This reset was started without a PKCE code challenge; do not pass a code verifier.');
  } else {
    if (verifier === undefined) throw badRequest('pkce_expected_code_verifier', 'This reset was started with a PKCE code challenge; pass the code verifier.');
    if (createHash('sha256').update(verifier).digest('base64url') !== record.code_challenge) throw badRequest('pkce_mismatch', 'The PKCE code verifier does not match the code challenge.');
  }
  return record;
}

export function spendPasswordReset(record: PasswordResetRecord): void {
  record.used = true;
}
