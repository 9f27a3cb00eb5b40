import type {
  OrganizationsCreateRequest,
  OrganizationsCreateResponse,
  OrganizationsDeleteRequest,
  OrganizationsDeleteResponse,
  OrganizationsGetRequest,
  OrganizationsGetResponse,
  OrganizationsSearchRequest,
  OrganizationsSearchResponse,
  OrganizationsUpdateRequest,
  OrganizationsUpdateResponse,
} from './api-types.js';
import { Members } from './members.js';
import { apiPath } from './transport.js';
import type { CallOptions, Transport } from './transport.js';

/** `client.organizations` (reference 6.1). */
export class Organizations {
  readonly #t: Transport;
  /** Members of an organization. */
  readonly members: Members;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
    this.members = new Members(transport);
  }

  /** Creates an organization. `POST /v1/b2b/organizations` */
  create(request: OrganizationsCreateRequest, options?: CallOptions): Promise<OrganizationsCreateResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/organizations', body: request }), options);
  }

  /** Reads an organization by id or slug. `GET /v1/b2b/organizations/{organization_id}` */
  get(request: OrganizationsGetRequest, options?: CallOptions): Promise<OrganizationsGetResponse> {
    return this.#t.send(() => ({ method: 'GET', path: apiPath`/v1/b2b/organizations/${request.organization_id}` }), options);
  }

  /** Updates an organization's settings. `PUT /v1/b2b/organizations/{organization_id}` */
  update(request: OrganizationsUpdateRequest, options?: CallOptions): Promise<OrganizationsUpdateResponse> {
    return this.#t.send(() => {
      const { organization_id, ...body } = request;
      return { method: 'PUT', path: apiPath`/v1/b2b/organizations/${organization_id}`, body };
    }, options);
  }

  /** Deletes an organization and its members. `DELETE /v1/b2b/organizations/{organization_id}` */
  delete(request: OrganizationsDeleteRequest, options?: CallOptions): Promise<OrganizationsDeleteResponse> {
    return this.#t.send(() => ({ method: 'DELETE', path: apiPath`/v1/b2b/organizations/${request.organization_id}` }), options);
  }

  /** Searches organizations. `POST /v1/b2b/organizations/search` */
  search(request: OrganizationsSearchRequest, options?: CallOptions): Promise<OrganizationsSearchResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/organizations/search', body: request }), options);
  }
}
