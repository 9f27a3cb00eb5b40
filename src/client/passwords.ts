import type { PasswordsAuthenticateRequest, PasswordsAuthenticateResponse } from './api-types.js';
import type { CallOptions, Transport } from './transport.js';

/** `client.passwords` (reference 5.10). */
export class Passwords {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Authenticates an email and password in one organization. `POST /v1/b2b/passwords/authenticate` */
  authenticate(request: PasswordsAuthenticateRequest, options?: CallOptions): Promise<PasswordsAuthenticateResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/passwords/authenticate', body: request }), options);
  }
}
