/** Discovered organizations for an email (reference 5.11). */
import type { AuthenticationFactor, DiscoveredOrganization, Organization } from '../client/types.js';
import { isMfaFactor } from './factors.js';
import { memberView, membersByEmail, findMemberByEmail } from './members.js';
import { memberOptions, mfaRequired } from './mfa.js';
import { authMethodAllowed } from './organizations.js';
import type { EmulatorState } from './state.js';

/** The `allowed_auth_methods` name of a factor. */
export function methodOf(factor: AuthenticationFactor): string {
  if (factor.type === 'oauth') return `${factor.delivery_method.replace(/^oauth_(exchange_)?/, '')}_oauth`;
  return factor.type;
}

/** Whether an organization lets a verified email join by domain (email JIT provisioning). */
export function jitEligible(org: Organization, email: string): boolean {
  const domain = email.split('@')[1] ?? '';
  return org.email_jit_provisioning === 'RESTRICTED' && org.email_allowed_domains.includes(domain);
}

export function discoverOrganizations(
  state: EmulatorState,
  email: string,
  factors: AuthenticationFactor[],
  options: { includeEligible: boolean; emailVerified: boolean },
): DiscoveredOrganization[] {
  const primary = factors.filter((f) => !isMfaFactor(f));
  const result: DiscoveredOrganization[] = [];
  const describe = (org: Organization, member: Parameters<typeof memberView>[1] | undefined) => {
    const allowed = primary.some((f) => authMethodAllowed(org, methodOf(f))) || member?.is_breakglass === true;
    const needsMfa = member ? mfaRequired(state, org, member) && !factors.some(isMfaFactor) : org.mfa_policy === 'REQUIRED_FOR_ALL';
    return {
      member_authenticated: allowed && !needsMfa,
      primary_required: allowed ? null : { allowed_auth_methods: [...org.allowed_auth_methods] },
      mfa_required: allowed && needsMfa ? { member_options: member ? memberOptions(member) : null, secondary_auth_initiated: null } : null,
    };
  };
  for (const member of membersByEmail(state, email)) {
    const org = state.organizations.get(member.organization_id);
    if (!org) continue;
    result.push({
      ...describe(org, member),
      organization: structuredClone(org),
      membership: { type: `${member.status}_member`, details: null, member: memberView(state, member) },
    });
  }
  if (options.includeEligible && options.emailVerified) {
    for (const org of state.organizations.values()) {
      if (findMemberByEmail(state, org.organization_id, email) || !jitEligible(org, email)) continue;
      result.push({
        ...describe(org, undefined),
        organization: structuredClone(org),
        membership: { type: 'eligible_to_join_by_email_domain', details: { domain: email.split('@')[1] ?? '' }, member: null },
      });
    }
  }
  return result;
}
