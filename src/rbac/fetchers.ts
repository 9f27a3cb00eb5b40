import type { OrgPolicy, RbacPolicy } from '../client/types.js';
import type { PolicyCacheOptions } from './policy-cache.js';

/**
 * The part of a Stytch B2B client the policy cache needs. Structural, so both this library's
 * `StytchB2BClient` and the official SDK's `B2BClient` fit.
 */
export interface RbacPolicySource {
  rbac: {
    policy(request?: Record<string, never>): Promise<{ policy?: RbacPolicy }>;
    organizations: { getOrgPolicy(request: { organization_id: string }): Promise<{ org_policy?: OrgPolicy }> };
  };
}

/**
 * The two fetch functions of a {@link PolicyCache} backed by a Stytch client
 * (`GET /v1/b2b/rbac/policy` and `GET /v1/b2b/rbac/organizations/{organization_id}`).
 *
 * @example
 * const policyCache = new PolicyCache({ ...policyFetchers(client), now: () => Date.now() });
 */
export function policyFetchers(client: RbacPolicySource): Pick<PolicyCacheOptions, 'fetchProjectPolicy' | 'fetchOrgPolicy'> {
  return {
    // `policy` is optional in the response type; a missing one is rejected by the cache as malformed.
    fetchProjectPolicy: async () => (await client.rbac.policy({})).policy as RbacPolicy,
    fetchOrgPolicy: async (organizationId: string) => (await client.rbac.organizations.getOrgPolicy({ organization_id: organizationId })).org_policy,
  };
}
