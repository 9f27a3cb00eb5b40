import type {
  M2MClientIdRequest,
  M2MClientResponse,
  M2MClientsCreateRequest,
  M2MClientsCreateResponse,
  M2MClientsDeleteResponse,
  M2MClientsRotateStartResponse,
  M2MClientsSearchRequest,
  M2MClientsSearchResponse,
  M2MClientsUpdateRequest,
  M2MTokenRequest,
  M2MTokenResponse,
} from './api-types.js';
import { BadRequestError } from '../errors.js';
import { apiPath } from './transport.js';
import type { CallOptions, Transport } from './transport.js';

// Paths are `/v1/m2m/...` (no `/b2b/`) even for B2B projects (addendum A7.1).

/** `client.m2m.clients.secrets`: two-step secret rotation (addendum A7.3). */
export class M2MClientSecrets {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Starts a rotation: both secrets work until rotate or cancel. `POST /v1/m2m/clients/{client_id}/secrets/rotate/start` */
  rotateStart(request: M2MClientIdRequest, options?: CallOptions): Promise<M2MClientsRotateStartResponse> {
    return this.#t.send(() => ({ method: 'POST', path: apiPath`/v1/m2m/clients/${request.client_id}/secrets/rotate/start`, body: {} }), options);
  }

  /** Finishes a rotation: the next secret becomes the secret, the old one stops working. `POST /v1/m2m/clients/{client_id}/secrets/rotate` */
  rotate(request: M2MClientIdRequest, options?: CallOptions): Promise<M2MClientResponse> {
    return this.#t.send(() => ({ method: 'POST', path: apiPath`/v1/m2m/clients/${request.client_id}/secrets/rotate`, body: {} }), options);
  }

  /** Abandons a rotation: the next secret is discarded. `POST /v1/m2m/clients/{client_id}/secrets/rotate/cancel` */
  rotateCancel(request: M2MClientIdRequest, options?: CallOptions): Promise<M2MClientResponse> {
    return this.#t.send(() => ({ method: 'POST', path: apiPath`/v1/m2m/clients/${request.client_id}/secrets/rotate/cancel`, body: {} }), options);
  }
}

/** `client.m2m.clients`: M2M client administration (addendum A7.1, A7.3). */
export class M2MClients {
  readonly #t: Transport;
  readonly secrets: M2MClientSecrets;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
    this.secrets = new M2MClientSecrets(transport);
  }

  /** Creates a client; its `client_secret` is in this answer only. `POST /v1/m2m/clients` */
  create(request: M2MClientsCreateRequest, options?: CallOptions): Promise<M2MClientsCreateResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/m2m/clients', body: request }), options);
  }

  /** `GET /v1/m2m/clients/{client_id}` */
  get(request: M2MClientIdRequest, options?: CallOptions): Promise<M2MClientResponse> {
    return this.#t.send(() => ({ method: 'GET', path: apiPath`/v1/m2m/clients/${request.client_id}` }), options);
  }

  /** Searches clients by id, name or scope; an empty query lists all. `POST /v1/m2m/clients/search` */
  search(request: M2MClientsSearchRequest = {}, options?: CallOptions): Promise<M2MClientsSearchResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/m2m/clients/search', body: request }), options);
  }

  /** Updates name, description, status, scopes or metadata. `PUT /v1/m2m/clients/{client_id}` */
  update(request: M2MClientsUpdateRequest, options?: CallOptions): Promise<M2MClientResponse> {
    return this.#t.send(() => {
      const { client_id, client_name, client_description, status, scopes, trusted_metadata } = request;
      return { method: 'PUT', path: apiPath`/v1/m2m/clients/${client_id}`, body: { client_name, client_description, status, scopes, trusted_metadata } };
    }, options);
  }

  /** Deletes a client; tokens already issued stay valid until they expire. `DELETE /v1/m2m/clients/{client_id}` */
  delete(request: M2MClientIdRequest, options?: CallOptions): Promise<M2MClientsDeleteResponse> {
    return this.#t.send(() => ({ method: 'DELETE', path: apiPath`/v1/m2m/clients/${request.client_id}` }), options);
  }
}

/** `client.m2m`: machine-to-machine clients and access tokens (addendum A7). */
export class M2M {
  readonly #t: Transport;
  readonly #projectId: string;
  readonly clients: M2MClients;

  /** @internal */
  constructor(transport: Transport, projectId: string) {
    this.#t = transport;
    this.#projectId = projectId;
    this.clients = new M2MClients(transport);
  }

  /**
   * Gets an access token with the client-credentials grant. Authenticated by the M2M client's own
   * id and secret in the form body, never by the project secret.
   * `POST /v1/public/{project_id}/oauth2/token`
   *
   * @example
   * const { access_token, expires_in } = await client.m2m.token({ client_id, client_secret, scopes: ['read:documents'] });
   */
  token(request: M2MTokenRequest, options?: CallOptions): Promise<M2MTokenResponse> {
    return this.#t.send(() => {
      const { client_id, client_secret, scopes } = request;
      if (scopes !== undefined && (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string' || s === '' || /\s/.test(s)))) {
        throw new BadRequestError('invalid_request', 'scopes must be an array of non-empty strings without whitespace.');
      }
      const scope = scopes !== undefined && scopes.length > 0 ? scopes.join(' ') : undefined;
      return {
        method: 'POST',
        path: apiPath`/v1/public/${this.#projectId}/oauth2/token`,
        authenticated: false,
        form: { client_id, client_secret, grant_type: 'client_credentials', scope },
      };
    }, options);
  }
}
