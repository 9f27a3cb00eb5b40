import type {
  DiscoveryIntermediateSessionsExchangeRequest,
  DiscoveryIntermediateSessionsExchangeResponse,
  DiscoveryOrganizationsCreateRequest,
  DiscoveryOrganizationsCreateResponse,
  DiscoveryOrganizationsListRequest,
  DiscoveryOrganizationsListResponse,
} from './api-types.js';
import type { CallOptions, Transport } from './transport.js';

/** `client.discovery.organizations` */
export class DiscoveryOrganizations {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Lists the organizations an IST or session can enter (does not consume the IST). `POST /v1/b2b/discovery/organizations` */
  list(request: DiscoveryOrganizationsListRequest, options?: CallOptions): Promise<DiscoveryOrganizationsListResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/discovery/organizations', body: request }), options);
  }

  /** Creates an organization with the IST's member as its admin. `POST /v1/b2b/discovery/organizations/create` */
  create(request: DiscoveryOrganizationsCreateRequest, options?: CallOptions): Promise<DiscoveryOrganizationsCreateResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/discovery/organizations/create', body: request }), options);
  }
}

/** `client.discovery.intermediateSessions` */
export class DiscoveryIntermediateSessions {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Exchanges an IST for a session in one organization. `POST /v1/b2b/discovery/intermediate_sessions/exchange` */
  exchange(request: DiscoveryIntermediateSessionsExchangeRequest, options?: CallOptions): Promise<DiscoveryIntermediateSessionsExchangeResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/discovery/intermediate_sessions/exchange', body: request }), options);
  }
}

/** `client.discovery`: organization discovery (reference 5.11). */
export class Discovery {
  readonly organizations: DiscoveryOrganizations;
  readonly intermediateSessions: DiscoveryIntermediateSessions;

  /** @internal */
  constructor(transport: Transport) {
    this.organizations = new DiscoveryOrganizations(transport);
    this.intermediateSessions = new DiscoveryIntermediateSessions(transport);
  }
}
