import type { TotpsAuthenticateRequest, TotpsAuthenticateResponse, TotpsCreateRequest, TotpsCreateResponse } from './api-types.js';
import type { CallOptions, Transport } from './transport.js';

/** `client.totps`: authenticator-app MFA (reference 5.8). */
export class Totps {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Creates a TOTP registration (secret, QR code, recovery codes). `POST /v1/b2b/totp` */
  create(request: TotpsCreateRequest, options?: CallOptions): Promise<TotpsCreateResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/totp', body: request }), options);
  }

  /** Authenticates a TOTP code. `POST /v1/b2b/totp/authenticate` */
  authenticate(request: TotpsAuthenticateRequest, options?: CallOptions): Promise<TotpsAuthenticateResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/totp/authenticate', body: request }), options);
  }
}
