import type { SsoAuthenticateRequest, SsoAuthenticateResponse } from './api-types.js';
import type { CallOptions, Transport } from './transport.js';

/** `client.sso` (reference 5.4). */
export class Sso {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Authenticates an SSO token (single use). `POST /v1/b2b/sso/authenticate` */
  authenticate(request: SsoAuthenticateRequest, options?: CallOptions): Promise<SsoAuthenticateResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/sso/authenticate', body: request }), options);
  }
}
