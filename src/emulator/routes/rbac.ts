/** `/v1/b2b/rbac/*`: the project policy and organization policies (reference 4.1, 4.2). */
import { readOrgPolicy, requireOrganization } from '../organizations.js';
import type { Router } from '../router.js';

export function rbacRoutes(router: Router): void {
  router.add('GET', '/v1/b2b/rbac/policy', ({ state }) => ({ policy: state.policy }));

  router.add('GET', '/v1/b2b/rbac/organizations/:organization_id', ({ state, params }) => {
    const org = requireOrganization(state, params.organization_id ?? '');
    // Organizations without custom roles answer an empty role list (reference 4.2 suggestion):
    // the SDK's local authorization check always fetches this.
    return { org_policy: state.orgPolicies.get(org.organization_id) ?? { roles: [] } };
  });

  router.add('PUT', '/v1/b2b/rbac/organizations/:organization_id', ({ state, params, body }) => {
    const org = requireOrganization(state, params.organization_id ?? '');
    const orgPolicy = readOrgPolicy(body.org_policy);
    state.orgPolicies.set(org.organization_id, orgPolicy);
    org.custom_roles = structuredClone(orgPolicy.roles);
    return { org_policy: orgPolicy };
  });
}
