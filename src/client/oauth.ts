import type {
  OAuthAuthenticateRequest,
  OAuthAuthenticateResponse,
  OAuthDiscoveryAuthenticateRequest,
  OAuthDiscoveryAuthenticateResponse,
} from './api-types.js';
import type { CallOptions, Transport } from './transport.js';

/** `client.oauth.discovery` */
export class OAuthDiscovery {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Exchanges a discovery OAuth token for an IST and the discovered organizations. `POST /v1/b2b/oauth/discovery/authenticate` */
  authenticate(request: OAuthDiscoveryAuthenticateRequest, options?: CallOptions): Promise<OAuthDiscoveryAuthenticateResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/oauth/discovery/authenticate', body: request }), options);
  }
}

/** `client.oauth` (reference 5.5). */
export class OAuth {
  readonly #t: Transport;
  readonly discovery: OAuthDiscovery;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
    this.discovery = new OAuthDiscovery(transport);
  }

  /** Authenticates an OAuth token (single use). `POST /v1/b2b/oauth/authenticate` */
  authenticate(request: OAuthAuthenticateRequest, options?: CallOptions): Promise<OAuthAuthenticateResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/oauth/authenticate', body: request }), options);
  }
}
