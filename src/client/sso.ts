import type {
  ExternalConnectionResponse,
  ExternalCreateConnectionRequest,
  ExternalUpdateConnectionRequest,
  OidcConnectionResponse,
  OidcCreateConnectionRequest,
  OidcUpdateConnectionRequest,
  SamlConnectionResponse,
  SamlCreateConnectionRequest,
  SamlDeleteEncryptionPrivateKeyRequest,
  SamlDeleteEncryptionPrivateKeyResponse,
  SamlDeleteVerificationCertificateRequest,
  SamlDeleteVerificationCertificateResponse,
  SamlUpdateByUrlRequest,
  SamlUpdateConnectionRequest,
  SsoAuthenticateRequest,
  SsoAuthenticateResponse,
  SsoDeleteConnectionRequest,
  SsoDeleteConnectionResponse,
  SsoGetConnectionsRequest,
  SsoGetConnectionsResponse,
} from './api-types.js';
import { apiPath } from './transport.js';
import type { CallOptions, Transport } from './transport.js';

// Every connection call accepts `options.authorization` (member-session headers): Stytch then
// requires the member's `stytch.sso` permission (`get`, `create`, `update`, `delete`).

/** `client.sso.saml` (addendum A3.1, A3.5). */
export class SsoSaml {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Creates a pending SAML connection. `POST /v1/b2b/sso/saml/{organization_id}` */
  createConnection(request: SamlCreateConnectionRequest, options?: CallOptions): Promise<SamlConnectionResponse> {
    return this.#t.send(() => {
      const { organization_id, ...body } = request;
      return { method: 'POST', path: apiPath`/v1/b2b/sso/saml/${organization_id}`, body };
    }, options);
  }

  /** Updates a SAML connection; it turns active once IdP URL, entity id, certificate and mapping are set. `PUT /v1/b2b/sso/saml/{organization_id}/connections/{connection_id}` */
  updateConnection(request: SamlUpdateConnectionRequest, options?: CallOptions): Promise<SamlConnectionResponse> {
    return this.#t.send(() => {
      const { organization_id, connection_id, ...body } = request;
      return { method: 'PUT', path: apiPath`/v1/b2b/sso/saml/${organization_id}/connections/${connection_id}`, body };
    }, options);
  }

  /** Reads the IdP settings from a metadata URL. `PUT /v1/b2b/sso/saml/{organization_id}/connections/{connection_id}/url` */
  updateByURL(request: SamlUpdateByUrlRequest, options?: CallOptions): Promise<SamlConnectionResponse> {
    return this.#t.send(() => {
      const { organization_id, connection_id, metadata_url } = request;
      return { method: 'PUT', path: apiPath`/v1/b2b/sso/saml/${organization_id}/connections/${connection_id}/url`, body: { metadata_url } };
    }, options);
  }

  /** Removes an IdP verification certificate. `DELETE …/connections/{connection_id}/verification_certificates/{certificate_id}` */
  deleteVerificationCertificate(request: SamlDeleteVerificationCertificateRequest, options?: CallOptions): Promise<SamlDeleteVerificationCertificateResponse> {
    return this.#t.send(() => {
      const { organization_id, connection_id, certificate_id } = request;
      return { method: 'DELETE', path: apiPath`/v1/b2b/sso/saml/${organization_id}/connections/${connection_id}/verification_certificates/${certificate_id}`, body: {} };
    }, options);
  }

  /** Removes an assertion-decryption key. `DELETE …/connections/{connection_id}/encryption_private_keys/{private_key_id}` */
  deleteEncryptionPrivateKey(request: SamlDeleteEncryptionPrivateKeyRequest, options?: CallOptions): Promise<SamlDeleteEncryptionPrivateKeyResponse> {
    return this.#t.send(() => {
      const { organization_id, connection_id, private_key_id } = request;
      return { method: 'DELETE', path: apiPath`/v1/b2b/sso/saml/${organization_id}/connections/${connection_id}/encryption_private_keys/${private_key_id}`, body: {} };
    }, options);
  }
}

/** `client.sso.oidc` (addendum A3.6). */
export class SsoOidc {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Creates a pending OIDC connection. `POST /v1/b2b/sso/oidc/{organization_id}` */
  createConnection(request: OidcCreateConnectionRequest, options?: CallOptions): Promise<OidcConnectionResponse> {
    return this.#t.send(() => {
      const { organization_id, ...body } = request;
      return { method: 'POST', path: apiPath`/v1/b2b/sso/oidc/${organization_id}`, body };
    }, options);
  }

  /** Updates an OIDC connection (a `warning` reports failed issuer discovery). `PUT /v1/b2b/sso/oidc/{organization_id}/connections/{connection_id}` */
  updateConnection(request: OidcUpdateConnectionRequest, options?: CallOptions): Promise<OidcConnectionResponse> {
    return this.#t.send(() => {
      const { organization_id, connection_id, ...body } = request;
      return { method: 'PUT', path: apiPath`/v1/b2b/sso/oidc/${organization_id}/connections/${connection_id}`, body };
    }, options);
  }
}

/** `client.sso.external` (addendum A3.7). */
export class SsoExternal {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Reuses another organization's SAML/OIDC connection. `POST /v1/b2b/sso/external/{organization_id}` */
  createConnection(request: ExternalCreateConnectionRequest, options?: CallOptions): Promise<ExternalConnectionResponse> {
    return this.#t.send(() => {
      const { organization_id, ...body } = request;
      return { method: 'POST', path: apiPath`/v1/b2b/sso/external/${organization_id}`, body };
    }, options);
  }

  /** Updates an External connection's name and role assignments. `PUT /v1/b2b/sso/external/{organization_id}/connections/{connection_id}` */
  updateConnection(request: ExternalUpdateConnectionRequest, options?: CallOptions): Promise<ExternalConnectionResponse> {
    return this.#t.send(() => {
      const { organization_id, connection_id, ...body } = request;
      return { method: 'PUT', path: apiPath`/v1/b2b/sso/external/${organization_id}/connections/${connection_id}`, body };
    }, options);
  }
}

/** `client.sso` (reference 5.4, addendum A3). */
export class Sso {
  readonly #t: Transport;
  readonly saml: SsoSaml;
  readonly oidc: SsoOidc;
  readonly external: SsoExternal;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
    this.saml = new SsoSaml(transport);
    this.oidc = new SsoOidc(transport);
    this.external = new SsoExternal(transport);
  }

  /** Authenticates an SSO token (single use). `POST /v1/b2b/sso/authenticate` */
  authenticate(request: SsoAuthenticateRequest, options?: CallOptions): Promise<SsoAuthenticateResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/sso/authenticate', body: request }), options);
  }

  /** Lists an organization's SAML, OIDC and External connections. `GET /v1/b2b/sso/{organization_id}` */
  getConnections(request: SsoGetConnectionsRequest, options?: CallOptions): Promise<SsoGetConnectionsResponse> {
    return this.#t.send(() => ({ method: 'GET', path: apiPath`/v1/b2b/sso/${request.organization_id}` }), options);
  }

  /** Deletes a connection of any kind. `DELETE /v1/b2b/sso/{organization_id}/connections/{connection_id}` */
  deleteConnection(request: SsoDeleteConnectionRequest, options?: CallOptions): Promise<SsoDeleteConnectionResponse> {
    return this.#t.send(() => ({ method: 'DELETE', path: apiPath`/v1/b2b/sso/${request.organization_id}/connections/${request.connection_id}`, body: {} }), options);
  }
}
