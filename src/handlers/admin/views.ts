/**
 * The trimmed views the admin routes answer with: what an admin page needs of a member or an
 * organization, never metadata, registrations or anything Stytch adds later. Pure.
 */
import type { Member, MemberSession, Organization } from '../../client/types.js';

/** A member as the admin routes show it. */
export interface AdminMemberView {
  member_id: string;
  email_address: string;
  name: string;
  status: string;
  /** Every role the member holds (direct, implicit and `stytch_member`), by id. */
  roles: string[];
  is_admin: boolean;
  mfa_enrolled: boolean;
  /** Masked, e.g. `+1******0100`; null when none. */
  mfa_phone_number: string | null;
  has_totp: boolean;
  has_password: boolean;
  default_mfa_method: string;
}

/** Keep the country prefix and the last four digits: enough to recognise a number, not to dial it. */
export function maskPhone(phone: string | undefined): string | null {
  if (typeof phone !== 'string' || phone === '') return null;
  if (phone.length <= 6) return '*'.repeat(phone.length);
  return `${phone.slice(0, 2)}${'*'.repeat(phone.length - 6)}${phone.slice(-4)}`;
}

export function memberView(member: Member): AdminMemberView {
  return {
    member_id: member.member_id,
    email_address: member.email_address,
    name: member.name ?? '',
    status: member.status,
    roles: Array.isArray(member.roles) ? member.roles.map((role) => role.role_id).filter((id): id is string => typeof id === 'string') : [],
    is_admin: member.is_admin === true,
    mfa_enrolled: member.mfa_enrolled === true,
    mfa_phone_number: maskPhone(member.mfa_phone_number),
    has_totp: typeof member.totp_registration_id === 'string' && member.totp_registration_id !== '',
    has_password: typeof member.member_password_id === 'string' && member.member_password_id !== '',
    default_mfa_method: member.default_mfa_method ?? '',
  };
}

/** The organization fields the routes show and (all but the id) edit. */
export const ORGANIZATION_FIELDS = [
  'organization_id',
  'organization_name',
  'organization_slug',
  'mfa_policy',
  'mfa_methods',
  'allowed_mfa_methods',
  'email_allowed_domains',
  'email_jit_provisioning',
  'email_invites',
  'auth_methods',
  'allowed_auth_methods',
] as const;

export type AdminOrganizationView = Pick<Organization, (typeof ORGANIZATION_FIELDS)[number]>;

export function organizationView(org: Organization): AdminOrganizationView {
  const view: Record<string, unknown> = {};
  for (const field of ORGANIZATION_FIELDS) view[field] = org[field];
  return view as AdminOrganizationView;
}

/** One of the member's sessions, as `GET /me/sessions` lists it. */
export interface AdminSessionView {
  member_session_id: string;
  started_at: string;
  last_accessed_at: string;
  expires_at: string;
  current: boolean;
  /** Factor types, e.g. `['magic_link', 'totp']`. */
  factors: string[];
}

export function sessionView(session: MemberSession, currentId: string): AdminSessionView {
  return {
    member_session_id: session.member_session_id,
    started_at: session.started_at,
    last_accessed_at: session.last_accessed_at,
    expires_at: session.expires_at,
    current: session.member_session_id === currentId,
    factors: Array.isArray(session.authentication_factors) ? session.authentication_factors.map((f) => f.type) : [],
  };
}
