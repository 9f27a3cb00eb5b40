/**
 * `/v1/b2b/passwords/*` (reference 5.10, addendum A2): sign-in, strength check, email resets
 * (organization and discovery), reset with the existing password or a fresh session, require
 * reset and migrate. Every new password goes through the project's strength policy first.
 */
import type { Organization } from '../../client/types.js';
import { discoverOrganizations } from '../discovery.js';
import { buildFactor } from '../factors.js';
import { badRequest, memberNotFound, unauthorized } from '../http-errors.js';
import { newId } from '../ids.js';
import { createIst, istExpiry } from '../ist.js';
import { activate, createMemberRecord, findMemberByEmail, memberView, membersByEmail } from '../members.js';
import { requireMemberPermission } from '../member-auth.js';
import { completePrimary } from '../mfa.js';
import { requireOrganization } from '../organizations.js';
import { checkStrength, isBreached, requireStrongPassword } from '../password-policy.js';
import { RESET_DEFAULT_MINUTES, checkPasswordReset, issuePasswordReset, passwordMatches, spendPasswordReset, storePassword } from '../password-store.js';
import type { Router } from '../router.js';
import { optionalSessionFromBody, revokeSession, sessionFromBody, sessionResponse } from '../sessions.js';
import type { EmulatorState, MemberRecord } from '../state.js';
import { isPlainObject, optBool, optEnum, optInt, optNonEmpty, optObject, optPhone, optStringArray, reqEmail, reqString, type Body } from '../validate.js';

/** A factor counts as fresh for `session/reset` for this long (reference A2.8). */
const SESSION_RESET_FRESHNESS_MS = 5 * 60_000;
const HASH_TYPES = ['bcrypt', 'md_5', 'argon_2i', 'argon_2id', 'sha_1', 'sha_512', 'scrypt', 'phpass', 'pbkdf_2'] as const;

const badCredentials = () => unauthorized('unauthorized_credentials', 'Unauthorized credentials.');
const resetRequired = () => unauthorized('member_reset_password', "The member's password must be reset by email before it can be used to sign in.");

function requireCrossOrg(state: EmulatorState): void {
  if (!state.settings.passwords.crossOrganization) {
    throw badRequest('cross_org_passwords_not_enabled', 'This call needs cross-organization passwords, which this project does not use.');
  }
}

/**
 * The member whose password this is, or 401 `unauthorized_credentials`: one answer for an unknown
 * email, a member without a password and a wrong password (no account enumeration). A correct
 * password that must be reset (require_reset, or breached with breach checks on sign-in) is 401
 * `member_reset_password`.
 */
function checkCredentials(state: EmulatorState, member: MemberRecord | undefined, password: string): MemberRecord {
  if (!member || !passwordMatches(member, password)) throw badCredentials();
  const settings = state.settings.passwords;
  if (member.password_reset_required === true || (settings.checkBreachOnAuthentication && isBreached(settings, password))) throw resetRequired();
  return member;
}

/**
 * Revokes the member's sessions after a password change, sparing the one the call was made
 * with (it is the one the answer extends).
 */
function revokeOtherSessions(state: EmulatorState, member: MemberRecord, keep: string | undefined): void {
  for (const session of [...state.sessions.values()]) {
    if (session.member_id === member.member_id && session.member_session_id !== keep) revokeSession(state, session);
  }
}

/** The passed session when it is this member's (a session of someone else is ignored, reference A2.6). */
function ownSessionId(state: EmulatorState, member: MemberRecord, body: Body): string | undefined {
  const found = optionalSessionFromBody(state, body);
  return found && found.member.member_id === member.member_id ? found.session.member_session_id : undefined;
}

function discoveryAnswer(state: EmulatorState, email: string, emailVerified: boolean, member: MemberRecord | { email_address: string }) {
  const factor = buildFactor(state, 'password', member);
  const ist = createIst(state, { email_address: email, email_verified: emailVerified, factors: [factor] });
  return {
    intermediate_session_token: ist.token,
    intermediate_session_token_expires_at: istExpiry(ist),
    email_address: email,
    discovered_organizations: discoverOrganizations(state, email, ist.factors, { includeEligible: true, emailVerified }),
  };
}

function orgFor(state: EmulatorState, body: Body): Organization {
  return requireOrganization(state, reqString(body, 'organization_id'));
}

export function passwordRoutes(router: Router): void {
  router.add('POST', '/v1/b2b/passwords/strength_check', ({ state, body }) => {
    const password = reqString(body, 'password');
    const email = optNonEmpty(body, 'email_address') === undefined ? undefined : reqEmail(body);
    return { ...checkStrength(state.settings.passwords, password, email) };
  });

  router.add('POST', '/v1/b2b/passwords/authenticate', ({ state, body }) => {
    const org = orgFor(state, body);
    const email = reqEmail(body);
    const password = reqString(body, 'password');
    const member = checkCredentials(state, findMemberByEmail(state, org.organization_id, email), password);
    const factor = buildFactor(state, 'password', member);
    return completePrimary(state, { org, member, factor, method: 'password', emailVerified: false, body });
  });

  router.add('POST', '/v1/b2b/passwords/email/reset/start', ({ state, body }) => {
    const org = orgFor(state, body);
    const email = reqEmail(body);
    const minutes = optInt(body, 'reset_password_expiration_minutes', 5, 10_080) ?? RESET_DEFAULT_MINUTES;
    const challenge = optNonEmpty(body, 'code_challenge');
    const redirect = optNonEmpty(body, 'reset_password_redirect_url') ?? state.settings.redirectUrls.resetPassword;
    optNonEmpty(body, 'login_redirect_url');
    const member = findMemberByEmail(state, org.organization_id, email);
    if (!member) throw memberNotFound();
    issuePasswordReset(state, {
      kind: 'org', email_address: email, organization_id: org.organization_id, slug: org.organization_slug, member_id: member.member_id,
      minutes, redirectUrl: redirect, ...(challenge ? { code_challenge: challenge } : {}),
    });
    return { member_id: member.member_id, member_email_id: member.email_id, member: memberView(state, member) };
  });

  router.add('POST', '/v1/b2b/passwords/email/reset', ({ state, body }) => {
    const token = reqString(body, 'password_reset_token');
    const password = reqString(body, 'password');
    const record = checkPasswordReset(state, token, 'org', optNonEmpty(body, 'code_verifier'));
    const member = record.member_id ? state.members.get(record.member_id) : undefined;
    if (!member || member.status === 'deleted' || member.email_address !== record.email_address) throw memberNotFound();
    const org = requireOrganization(state, member.organization_id);
    requireStrongPassword(state, password, member.email_address);
    const keep = ownSessionId(state, member, body);
    spendPasswordReset(record);
    storePassword(state, member, password);
    // Resetting by email proves control of the address (reference A2.6).
    activate(state, member, true);
    revokeOtherSessions(state, member, keep);
    const factor = buildFactor(state, 'password', member);
    return { ...completePrimary(state, { org, member, factor, method: 'password', emailVerified: true, body }), member_email_id: member.email_id };
  });

  router.add('POST', '/v1/b2b/passwords/email/require_reset', ({ state, body, headers }) => {
    requireCrossOrg(state);
    const email = reqEmail(body);
    const orgId = optNonEmpty(body, 'organization_id');
    const memberId = optNonEmpty(body, 'member_id');
    const org = orgId === undefined ? undefined : requireOrganization(state, orgId);
    if (org) requireMemberPermission(state, headers, org, 'stytch.member', 'update.info.delete.password');
    const all = membersByEmail(state, email);
    const targets = all.filter((m) => (org === undefined || m.organization_id === org.organization_id) && (memberId === undefined || m.member_id === memberId));
    if (targets.length === 0) throw memberNotFound();
    for (const m of all) {
      // One password per address: every membership must reset; with a single member it is deleted.
      if (all.length === 1) m.password = undefined;
      m.password_reset_required = true;
      m.updated_at = state.now();
    }
    const first = targets[0] as MemberRecord;
    const firstOrg = state.organizations.get(first.organization_id);
    return org || memberId ? { member_id: first.member_id, member: memberView(state, first), ...(firstOrg ? { organization: structuredClone(firstOrg) } : {}) } : {};
  });

  router.add('POST', '/v1/b2b/passwords/existing_password/reset', ({ state, body }) => {
    const org = orgFor(state, body);
    const email = reqEmail(body);
    const existing = reqString(body, 'existing_password');
    const next = reqString(body, 'new_password');
    const member = findMemberByEmail(state, org.organization_id, email);
    // A password that must be reset may still be replaced here: knowing it is what this proves.
    if (!member || !passwordMatches(member, existing)) throw badCredentials();
    if (existing === next) throw badRequest('cannot_reset_password_with_existing_password', 'The new password must differ from the current one.');
    requireStrongPassword(state, next, member.email_address);
    const keep = ownSessionId(state, member, body);
    storePassword(state, member, next);
    revokeOtherSessions(state, member, keep);
    const factor = buildFactor(state, 'password', member);
    return completePrimary(state, { org, member, factor, method: 'password', emailVerified: false, body });
  });

  router.add('POST', '/v1/b2b/passwords/session/reset', ({ state, body }) => {
    const org = orgFor(state, body);
    const password = reqString(body, 'password');
    const { session, member } = sessionFromBody(state, body);
    if (member.organization_id !== org.organization_id) throw badRequest('session_member_mismatch', 'The session belongs to another organization.');
    const now = state.now();
    const fresh = session.factors.some((f) => now - Date.parse(f.last_authenticated_at) <= SESSION_RESET_FRESHNESS_MS);
    if (!fresh) throw badRequest('session_too_old_to_reset_password', 'The session has no factor authenticated in the last 5 minutes; authenticate again first.');
    requireStrongPassword(state, password, member.email_address);
    storePassword(state, member, password);
    revokeOtherSessions(state, member, session.member_session_id);
    session.last_accessed_at = now;
    return { ...sessionResponse(state, session, member, org), member_authenticated: true, intermediate_session_token: '', mfa_required: null };
  });

  router.add('POST', '/v1/b2b/passwords/migrate', ({ state, body }) => {
    const org = orgFor(state, body);
    const email = reqEmail(body);
    const hash = reqString(body, 'hash');
    const hashType = optEnum(body, 'hash_type', HASH_TYPES);
    if (hashType === undefined) throw badRequest('invalid_hash_type', "The field 'hash_type' is required.", { field: 'hash_type' });
    const configKey = { md_5: 'md_5_config', sha_1: 'sha_1_config', sha_512: 'sha_512_config', argon_2i: 'argon_2_config', argon_2id: 'argon_2_config', scrypt: 'scrypt_config', pbkdf_2: 'pbkdf_2_config' }[hashType as string];
    const config = configKey === undefined ? {} : (optObject(body, configKey) ?? {});
    if (hashType === 'bcrypt' && !/^\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}$/.test(hash)) throw badRequest('invalid_bcrypt_hash', 'The bcrypt hash is malformed.');
    if (hashType === 'scrypt' && isPlainObject(config)) {
      const n = config.n_parameter;
      if (n !== undefined && (typeof n !== 'number' || n <= 1 || n >= 262_145 || (n & (n - 1)) !== 0)) throw badRequest('invalid_scrypt_n_parameter', 'n_parameter must be a power of two greater than 1 and below 262145.');
    }
    const name = optNonEmpty(body, 'name');
    const roles = optStringArray(body, 'roles');
    const trusted = optObject(body, 'trusted_metadata');
    const untrusted = optObject(body, 'untrusted_metadata');
    const phone = optPhone(body, 'mfa_phone_number');
    const phoneVerified = optBool(body, 'set_phone_number_verified');
    const externalId = optNonEmpty(body, 'external_id');
    optBool(body, 'preserve_existing_sessions');
    let member = findMemberByEmail(state, org.organization_id, email);
    const created = member === undefined;
    if (member?.password) throw badRequest('password_already_exists', 'This member already has a password.');
    member ??= createMemberRecord(state, org, {
      email_address: email, status: 'active',
      ...(name ? { name } : {}), ...(roles ? { roles } : {}), ...(trusted ? { trusted_metadata: trusted } : {}), ...(untrusted ? { untrusted_metadata: untrusted } : {}),
      ...(phone ? { mfa_phone_number: phone, mfa_phone_number_verified: phoneVerified === true } : {}), ...(externalId ? { external_id: externalId } : {}),
    });
    if (!created) {
      if (name) member.name = name;
      if (roles) member.direct_roles = [...new Set(roles)];
    }
    member.password = { id: newId('member-password'), salt: '', hash, migrated: { hash_type: hashType, config: { ...config } } };
    member.email_address_verified = true;
    member.updated_at = state.now();
    return { member_id: member.member_id, member_created: created, member: memberView(state, member), organization: structuredClone(org) };
  });

  router.add('POST', '/v1/b2b/passwords/discovery/authenticate', ({ state, body }) => {
    requireCrossOrg(state);
    const email = reqEmail(body);
    const password = reqString(body, 'password');
    const owner = checkCredentials(state, membersByEmail(state, email).find((m) => passwordMatches(m, password)), password);
    // A password does not verify the email, so no email-domain JIT orgs are offered.
    return discoveryAnswer(state, email, false, owner);
  });

  router.add('POST', '/v1/b2b/passwords/discovery/email/reset/start', ({ state, body }) => {
    requireCrossOrg(state);
    const email = reqEmail(body);
    const minutes = optInt(body, 'reset_password_expiration_minutes', 5, 10_080) ?? RESET_DEFAULT_MINUTES;
    const challenge = optNonEmpty(body, 'pkce_code_challenge');
    const redirect = optNonEmpty(body, 'reset_password_redirect_url') ?? state.settings.redirectUrls.resetPassword;
    optNonEmpty(body, 'discovery_redirect_url');
    issuePasswordReset(state, { kind: 'discovery', email_address: email, minutes, redirectUrl: redirect, ...(challenge ? { code_challenge: challenge } : {}) });
    return {};
  });

  router.add('POST', '/v1/b2b/passwords/discovery/email/reset', ({ state, body }) => {
    requireCrossOrg(state);
    const token = reqString(body, 'password_reset_token');
    const password = reqString(body, 'password');
    const record = checkPasswordReset(state, token, 'discovery', optNonEmpty(body, 'pkce_code_verifier'));
    requireStrongPassword(state, password, record.email_address);
    spendPasswordReset(record);
    const members = membersByEmail(state, record.email_address);
    const first = members[0];
    if (first) {
      storePassword(state, first, password);
      for (const m of members) {
        activate(state, m, true);
        revokeOtherSessions(state, m, undefined);
      }
    }
    return discoveryAnswer(state, record.email_address, true, first ?? { email_address: record.email_address });
  });
}
