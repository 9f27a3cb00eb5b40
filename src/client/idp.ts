import type { IdpIntrospectTokenRequest, IdpIntrospectTokenResponse } from './api-types.js';
import { BadRequestError } from '../errors.js';
import { apiPath } from './transport.js';
import type { CallOptions, Transport } from './transport.js';

/** `client.idp`: Stytch as an identity provider, the resource-server side (addendum A8). */
export class Idp {
  readonly #t: Transport;
  readonly #projectId: string;

  /** @internal */
  constructor(transport: Transport, projectId: string) {
    this.#t = transport;
    this.#projectId = projectId;
  }

  /**
   * Asks Stytch whether a Connected-App access token is active, as the official SDK's
   * `idp.introspectTokenNetwork` does: a form post with the token and the Connected App's
   * `client_id` (plus `client_secret` for a confidential client), no project credentials.
   * Unlike the SDK, an inactive token is an answer (`active: false`), not an error; transport and
   * HTTP failures are the usual typed errors. `POST /v1/public/{project_id}/oauth2/introspect`
   *
   * @example
   * const answer = await client.idp.introspectToken({ token, client_id, client_secret });
   * if (answer.active) console.log(answer.scope);
   */
  introspectToken(request: IdpIntrospectTokenRequest, options?: CallOptions): Promise<IdpIntrospectTokenResponse> {
    return this.#t.send(() => {
      const { token, client_id, client_secret, token_type_hint } = request;
      if (typeof token !== 'string' || token === '') throw new BadRequestError('invalid_request', 'token must be a non-empty string.');
      if (typeof client_id !== 'string' || client_id === '') throw new BadRequestError('invalid_request', 'client_id must be a non-empty string.');
      return {
        method: 'POST',
        path: apiPath`/v1/public/${this.#projectId}/oauth2/introspect`,
        authenticated: false,
        form: {
          token,
          client_id,
          client_secret: client_secret === '' ? undefined : client_secret,
          token_type_hint: token_type_hint === '' ? undefined : token_type_hint,
        },
      };
    }, options);
  }
}
