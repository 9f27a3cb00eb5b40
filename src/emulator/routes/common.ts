/** Helpers shared by the login-flow routes. */
import type { Organization } from '../../client/types.js';
import { jitEligible } from '../discovery.js';
import { forbidden } from '../http-errors.js';
import { createMemberRecord, findMemberByEmail, memberView } from '../members.js';
import type { EmulatorState, MemberRecord } from '../state.js';

/**
 * The member a login_or_signup call is for: the existing one, or a new `pending` member when
 * the organization provisions this email domain just in time (reference 5.3).
 */
export function memberForLoginOrSignup(state: EmulatorState, org: Organization, email: string): { member: MemberRecord; created: boolean } {
  const existing = findMemberByEmail(state, org.organization_id, email);
  if (existing) return { member: existing, created: false };
  // Reference A11.6: JIT off → `email_jit_provisioning_not_allowed`; RESTRICTED with a domain
  // that is not allowed → `invalid_email_for_jit_provisioning`. Statuses are not documented: 403 [INF].
  if (org.email_jit_provisioning !== 'RESTRICTED') {
    throw forbidden('email_jit_provisioning_not_allowed', 'This organization does not allow new members to sign up by email.');
  }
  if (!jitEligible(org, email)) {
    throw forbidden('invalid_email_for_jit_provisioning', 'This email domain may not sign up to this organization.');
  }
  return { member: createMemberRecord(state, org, { email_address: email, status: 'pending' }), created: true };
}

export function memberOrgResponse(state: EmulatorState, member: MemberRecord, org: Organization) {
  return { member_id: member.member_id, member: memberView(state, member), organization: structuredClone(org) };
}
