/** Member records: creation, lookup, roles with their sources (reference 4.7, 6.2) and the API view. */
import { randomBytes, scryptSync } from 'node:crypto';
import type { Member, MemberRole, Organization } from '../client/types.js';
import { badRequest, memberNotFound } from './http-errors.js';
import { newId, rfc3339 } from './ids.js';
import type { EmulatorState, MemberRecord, PasswordRecord } from './state.js';

export interface NewMemberInput {
  email_address: string;
  name?: string;
  status?: MemberRecord['status'];
  roles?: string[];
  mfa_phone_number?: string;
  mfa_phone_number_verified?: boolean;
  mfa_enrolled?: boolean;
  is_breakglass?: boolean;
  password?: string;
  external_id?: string;
  trusted_metadata?: Record<string, unknown>;
  untrusted_metadata?: Record<string, unknown>;
  email_address_verified?: boolean;
}

const activeStatuses = new Set(['active', 'pending', 'invited']);

/** A non-deleted member of `organizationId` by member id or external id. */
export function findMember(state: EmulatorState, organizationId: string, idOrExternal: string, includeDeleted = false): MemberRecord | undefined {
  const direct = state.members.get(idOrExternal);
  const match = (m: MemberRecord | undefined): MemberRecord | undefined =>
    m && m.organization_id === organizationId && (includeDeleted || m.status !== 'deleted') ? m : undefined;
  if (direct) return match(direct);
  for (const member of state.members.values()) {
    if (member.external_id && member.external_id === idOrExternal && match(member)) return member;
  }
  return undefined;
}

export function requireMember(state: EmulatorState, organizationId: string, idOrExternal: string, includeDeleted = false): MemberRecord {
  const member = findMember(state, organizationId, idOrExternal, includeDeleted);
  if (!member) throw memberNotFound();
  return member;
}

export function findMemberByEmail(state: EmulatorState, organizationId: string, email: string): MemberRecord | undefined {
  const wanted = email.toLowerCase();
  for (const member of state.members.values()) {
    if (member.organization_id === organizationId && member.status !== 'deleted' && member.email_address === wanted) return member;
  }
  return undefined;
}

/** Every non-deleted member, in any organization, with this email. */
export function membersByEmail(state: EmulatorState, email: string): MemberRecord[] {
  const wanted = email.toLowerCase();
  return [...state.members.values()].filter((m) => m.status !== 'deleted' && activeStatuses.has(m.status) && m.email_address === wanted);
}

function hashPassword(password: string): PasswordRecord {
  const salt = randomBytes(16).toString('base64url');
  return { id: newId('member-password'), salt, hash: scryptSync(password, salt, 32).toString('base64url') };
}

/** Seeds a password (admin API); the API routes use `storePassword` in password-store.ts. */
export function setPassword(member: MemberRecord, password: string): void {
  member.password = hashPassword(password);
}

/** `[A-Za-z0-9._-|]`, at most 128 characters (reference A11.9, member and organization external ids). */
const EXTERNAL_ID = /^[A-Za-z0-9._\-|]{1,128}$/;

/**
 * Checks an external id's characters and length. The reference gives the rule, not the error:
 * 400 `invalid_external_id` is the emulator's name [INF].
 */
export function checkExternalIdFormat(value: string, field: string): void {
  if (!EXTERNAL_ID.test(value)) {
    throw badRequest('invalid_external_id', `The field '${field}' must be 1-128 characters of A-Z a-z 0-9 . _ - |.`, { field });
  }
}

/** The non-deleted member of the organization (other than `exceptMemberId`) that retired this address. */
export function retiredBy(state: EmulatorState, organizationId: string, email: string, exceptMemberId?: string): MemberRecord | undefined {
  const wanted = email.toLowerCase();
  for (const member of state.members.values()) {
    if (member.organization_id !== organizationId || member.member_id === exceptMemberId || member.status === 'deleted') continue;
    if (member.retired_email_addresses.some((r) => r.email_address === wanted)) return member;
  }
  return undefined;
}

/** A retired address is reserved for its member until unlinked or the member is deleted (reference A11.3). */
export function refuseRetiredEmail(state: EmulatorState, organizationId: string, email: string, exceptMemberId?: string): void {
  if (retiredBy(state, organizationId, email, exceptMemberId)) {
    throw badRequest('retired_member_email', 'This email address was retired by another member of the organization.');
  }
}

export function createMemberRecord(state: EmulatorState, org: Organization, input: NewMemberInput): MemberRecord {
  const email = input.email_address.toLowerCase();
  if (findMemberByEmail(state, org.organization_id, email)) {
    throw badRequest('duplicate_member_email', 'A member with this email address already exists in the organization.');
  }
  refuseRetiredEmail(state, org.organization_id, email);
  if (input.external_id !== undefined) checkExternalIdFormat(input.external_id, 'external_id');
  if (input.external_id && [...state.members.values()].some((m) => m.organization_id === org.organization_id && m.external_id === input.external_id)) {
    throw badRequest('duplicate_member_external_id', 'A member with this external id already exists in the organization.');
  }
  const now = state.now();
  const member: MemberRecord = {
    member_id: newId('member'),
    organization_id: org.organization_id,
    email_address: email,
    email_id: newId('email'),
    email_address_verified: input.email_address_verified ?? false,
    status: input.status ?? 'active',
    name: input.name ?? '',
    direct_roles: [...new Set(input.roles ?? [])],
    is_breakglass: input.is_breakglass ?? false,
    mfa_enrolled: input.mfa_enrolled ?? false,
    mfa_phone_number: input.mfa_phone_number ?? '',
    mfa_phone_number_verified: input.mfa_phone_number !== undefined && (input.mfa_phone_number_verified ?? false),
    phone_id: input.mfa_phone_number ? newId('phone-number') : '',
    default_mfa_method: input.mfa_phone_number ? 'sms_otp' : '',
    retired_email_addresses: [],
    trusted_metadata: input.trusted_metadata ? structuredClone(input.trusted_metadata) : {},
    untrusted_metadata: input.untrusted_metadata ? structuredClone(input.untrusted_metadata) : {},
    oauth_registrations: [],
    created_at: now,
    updated_at: now,
  };
  if (input.external_id) member.external_id = input.external_id;
  if (input.password !== undefined) setPassword(member, input.password);
  state.members.set(member.member_id, member);
  return member;
}

/** The member's roles with their sources: direct, implicit by email domain, and `stytch_member`. */
export function memberRoles(state: EmulatorState, member: MemberRecord): MemberRole[] {
  const roles = new Map<string, MemberRole>();
  const add = (roleId: string, source: MemberRole['sources'][number]): void => {
    const existing = roles.get(roleId);
    if (existing) existing.sources.push(source);
    else roles.set(roleId, { role_id: roleId, sources: [source] });
  };
  // Every member implicitly holds stytch_member (reference 4.3). What source type production
  // reports for it is not documented; direct_assignment is our best guess.
  add('stytch_member', { type: 'direct_assignment' });
  for (const roleId of member.direct_roles) {
    if (roleId !== 'stytch_member') add(roleId, { type: 'direct_assignment' });
  }
  const org = state.organizations.get(member.organization_id);
  const domain = member.email_address.split('@')[1] ?? '';
  for (const assignment of org?.rbac_email_implicit_role_assignments ?? []) {
    if (assignment.domain === domain) add(assignment.role_id, { type: 'email_assignment', details: { email_domain: domain } });
  }
  return [...roles.values()];
}

/** Role ids effective for a session of this member (no SSO-connection roles are modelled). */
export function memberRoleIds(state: EmulatorState, member: MemberRecord): string[] {
  return memberRoles(state, member).map((role) => role.role_id);
}

/** Whether the member has a verified MFA factor (phone or TOTP). */
export function hasActiveMfaFactor(member: MemberRecord): boolean {
  return (member.mfa_phone_number !== '' && member.mfa_phone_number_verified) || member.totp?.verified === true;
}

export function memberView(state: EmulatorState, member: MemberRecord): Member {
  const roles = memberRoles(state, member);
  const view: Member = {
    organization_id: member.organization_id,
    member_id: member.member_id,
    email_address: member.email_address,
    email_address_verified: member.email_address_verified,
    status: member.status,
    name: member.name,
    roles,
    is_admin: roles.some((role) => role.role_id === 'stytch_admin'),
    is_breakglass: member.is_breakglass,
    mfa_enrolled: member.mfa_enrolled,
    mfa_phone_number: member.mfa_phone_number,
    mfa_phone_number_verified: member.mfa_phone_number_verified,
    default_mfa_method: member.default_mfa_method,
    totp_registration_id: member.totp?.verified ? member.totp.totp_registration_id : '',
    member_password_id: member.password?.id ?? '',
    sso_registrations: [],
    oauth_registrations: structuredClone(member.oauth_registrations),
    scim_registration: null,
    retired_email_addresses: member.retired_email_addresses.map((r) => ({ ...r })),
    is_locked: false,
    lock_created_at: null,
    lock_expires_at: null,
    trusted_metadata: structuredClone(member.trusted_metadata),
    untrusted_metadata: structuredClone(member.untrusted_metadata),
    external_id: member.external_id ?? '',
    created_at: rfc3339(member.created_at),
    updated_at: rfc3339(member.updated_at),
  };
  return view;
}

/** Whether an email is taken in an organization, by a member or as a retired address. */
export function emailInUse(state: EmulatorState, organizationId: string, email: string, exceptMemberId?: string): boolean {
  const wanted = email.toLowerCase();
  for (const member of state.members.values()) {
    if (member.organization_id !== organizationId || member.member_id === exceptMemberId || member.status === 'deleted') continue;
    if (member.email_address === wanted || member.retired_email_addresses.some((r) => r.email_address === wanted)) return true;
  }
  return false;
}

/** Marks a member's email as verified and moves `pending`/`invited` members to `active`. */
export function activate(state: EmulatorState, member: MemberRecord, emailVerified: boolean): void {
  if (emailVerified) member.email_address_verified = true;
  if (member.status === 'pending' || member.status === 'invited') member.status = 'active';
  member.updated_at = state.now();
}
