import type {
  SessionsAuthenticateRequest,
  SessionsAuthenticateResponse,
  SessionsExchangeRequest,
  SessionsExchangeResponse,
  SessionsGetJWKSRequest,
  SessionsGetJWKSResponse,
  SessionsGetRequest,
  SessionsGetResponse,
  SessionsRevokeRequest,
  SessionsRevokeResponse,
} from './api-types.js';
import { apiPath } from './transport.js';
import type { CallOptions, Transport } from './transport.js';

/** `client.sessions`: member sessions (reference 2). */
export class Sessions {
  readonly #t: Transport;
  readonly #projectId: string;

  /** @internal */
  constructor(transport: Transport, projectId: string) {
    this.#t = transport;
    this.#projectId = projectId;
  }

  /** Validates a session token or JWT, optionally extends it and checks a permission. `POST /v1/b2b/sessions/authenticate` */
  authenticate(request: SessionsAuthenticateRequest, options?: CallOptions): Promise<SessionsAuthenticateResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/sessions/authenticate', body: request }), options);
  }

  /** Revokes one session, or all sessions of a member. `POST /v1/b2b/sessions/revoke` */
  revoke(request: SessionsRevokeRequest, options?: CallOptions): Promise<SessionsRevokeResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/sessions/revoke', body: request }), options);
  }

  /** Moves a session into another organization. `POST /v1/b2b/sessions/exchange` */
  exchange(request: SessionsExchangeRequest, options?: CallOptions): Promise<SessionsExchangeResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/sessions/exchange', body: request }), options);
  }

  /** Lists a member's active sessions. `GET /v1/b2b/sessions` */
  get(request: SessionsGetRequest, options?: CallOptions): Promise<SessionsGetResponse> {
    return this.#t.send(
      () => ({ method: 'GET', path: '/v1/b2b/sessions', query: { organization_id: request.organization_id, member_id: request.member_id } }),
      options,
    );
  }

  /** Fetches the public keys of session JWTs (unauthenticated). `GET /v1/b2b/sessions/jwks/{project_id}` */
  getJWKS(request: SessionsGetJWKSRequest = {}, options?: CallOptions): Promise<SessionsGetJWKSResponse> {
    const projectId = request?.project_id ?? this.#projectId;
    // The JWKS is public (reference 2.9): sending the project secret there would be pointless
    // exposure, so this is the one call without Basic auth.
    return this.#t.send(() => ({ method: 'GET', path: apiPath`/v1/b2b/sessions/jwks/${projectId}`, authenticated: false }), options);
  }
}
