import type { RbacGetOrgPolicyRequest, RbacGetOrgPolicyResponse, RbacPolicyRequest, RbacPolicyResponse } from './api-types.js';
import { apiPath } from './transport.js';
import type { CallOptions, Transport } from './transport.js';

/** `client.rbac.organizations`: organization-scoped custom roles (reference 4.2). */
export class RbacOrganizations {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Fetches an organization's custom roles. `GET /v1/b2b/rbac/organizations/{organization_id}` */
  getOrgPolicy(request: RbacGetOrgPolicyRequest, options?: CallOptions): Promise<RbacGetOrgPolicyResponse> {
    return this.#t.send(() => ({ method: 'GET', path: apiPath`/v1/b2b/rbac/organizations/${request.organization_id}` }), options);
  }
}

/** `client.rbac`: the project RBAC policy (reference 4). */
export class Rbac {
  readonly #t: Transport;
  /** Organization-scoped policies. */
  readonly organizations: RbacOrganizations;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
    this.organizations = new RbacOrganizations(transport);
  }

  /** Fetches the project's roles, resources and scopes. `GET /v1/b2b/rbac/policy` */
  policy(_request: RbacPolicyRequest = {}, options?: CallOptions): Promise<RbacPolicyResponse> {
    return this.#t.send(() => ({ method: 'GET', path: '/v1/b2b/rbac/policy' }), options);
  }
}
