import type {
  PasswordsAuthenticateRequest,
  PasswordsAuthenticateResponse,
  PasswordsDiscoveryAuthenticateRequest,
  PasswordsDiscoveryAuthenticateResponse,
  PasswordsDiscoveryEmailResetRequest,
  PasswordsDiscoveryEmailResetResponse,
  PasswordsDiscoveryEmailResetStartRequest,
  PasswordsDiscoveryEmailResetStartResponse,
  PasswordsEmailRequireResetRequest,
  PasswordsEmailRequireResetResponse,
  PasswordsEmailResetRequest,
  PasswordsEmailResetResponse,
  PasswordsEmailResetStartRequest,
  PasswordsEmailResetStartResponse,
  PasswordsExistingPasswordResetRequest,
  PasswordsExistingPasswordResetResponse,
  PasswordsMigrateRequest,
  PasswordsMigrateResponse,
  PasswordsSessionResetRequest,
  PasswordsSessionResetResponse,
  PasswordsStrengthCheckRequest,
  PasswordsStrengthCheckResponse,
} from './api-types.js';
import type { CallOptions, Transport } from './transport.js';

/** `client.passwords.email`: resets by emailed link. */
export class PasswordsEmail {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Emails a reset link (token type `multi_tenant_passwords`). `POST /v1/b2b/passwords/email/reset/start` */
  resetStart(request: PasswordsEmailResetStartRequest, options?: CallOptions): Promise<PasswordsEmailResetStartResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/passwords/email/reset/start', body: request }), options);
  }

  /** Sets a new password with a single-use reset token, then signs the member in. `POST /v1/b2b/passwords/email/reset` */
  reset(request: PasswordsEmailResetRequest, options?: CallOptions): Promise<PasswordsEmailResetResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/passwords/email/reset', body: request }), options);
  }

  /**
   * Forces a reset of an email's password (cross-organization passwords only). Accepts a member
   * session in `options.authorization`. `POST /v1/b2b/passwords/email/require_reset`
   */
  requireReset(request: PasswordsEmailRequireResetRequest, options?: CallOptions): Promise<PasswordsEmailRequireResetResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/passwords/email/require_reset', body: request }), options);
  }
}

/** `client.passwords.existingPassword` */
export class PasswordsExistingPassword {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Replaces a password given the current one. `POST /v1/b2b/passwords/existing_password/reset` */
  reset(request: PasswordsExistingPasswordResetRequest, options?: CallOptions): Promise<PasswordsExistingPasswordResetResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/passwords/existing_password/reset', body: request }), options);
  }
}

/** `client.passwords.sessions` (the path is singular: `/session/reset`). */
export class PasswordsSessions {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /**
   * Sets a password for the session's member; the session needs a factor authenticated in the
   * last 5 minutes. `POST /v1/b2b/passwords/session/reset`
   */
  reset(request: PasswordsSessionResetRequest, options?: CallOptions): Promise<PasswordsSessionResetResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/passwords/session/reset', body: request }), options);
  }
}

/** `client.passwords.discovery.email` */
export class PasswordsDiscoveryEmail {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Emails a cross-organization reset link (token type `discovery`). `POST /v1/b2b/passwords/discovery/email/reset/start` */
  resetStart(request: PasswordsDiscoveryEmailResetStartRequest, options?: CallOptions): Promise<PasswordsDiscoveryEmailResetStartResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/passwords/discovery/email/reset/start', body: request }), options);
  }

  /** Resets with a discovery reset token; answers an IST and the discovered organizations. `POST /v1/b2b/passwords/discovery/email/reset` */
  reset(request: PasswordsDiscoveryEmailResetRequest, options?: CallOptions): Promise<PasswordsDiscoveryEmailResetResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/passwords/discovery/email/reset', body: request }), options);
  }
}

/** `client.passwords.discovery` (cross-organization passwords). */
export class PasswordsDiscovery {
  readonly #t: Transport;
  readonly email: PasswordsDiscoveryEmail;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
    this.email = new PasswordsDiscoveryEmail(transport);
  }

  /** Checks an email and password without an organization; answers an IST. `POST /v1/b2b/passwords/discovery/authenticate` */
  authenticate(request: PasswordsDiscoveryAuthenticateRequest, options?: CallOptions): Promise<PasswordsDiscoveryAuthenticateResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/passwords/discovery/authenticate', body: request }), options);
  }
}

/** `client.passwords` (reference 5.10 and addendum A2). */
export class Passwords {
  readonly #t: Transport;
  readonly email: PasswordsEmail;
  readonly existingPassword: PasswordsExistingPassword;
  readonly sessions: PasswordsSessions;
  readonly discovery: PasswordsDiscovery;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
    this.email = new PasswordsEmail(transport);
    this.existingPassword = new PasswordsExistingPassword(transport);
    this.sessions = new PasswordsSessions(transport);
    this.discovery = new PasswordsDiscovery(transport);
  }

  /** Authenticates an email and password in one organization. `POST /v1/b2b/passwords/authenticate` */
  authenticate(request: PasswordsAuthenticateRequest, options?: CallOptions): Promise<PasswordsAuthenticateResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/passwords/authenticate', body: request }), options);
  }

  /** Scores a password against the project's policy (zxcvbn or LUDS) and breach list. `POST /v1/b2b/passwords/strength_check` */
  strengthCheck(request: PasswordsStrengthCheckRequest, options?: CallOptions): Promise<PasswordsStrengthCheckResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/passwords/strength_check', body: request }), options);
  }

  /** Imports a password hash for a member (marks the email verified). `POST /v1/b2b/passwords/migrate` */
  migrate(request: PasswordsMigrateRequest, options?: CallOptions): Promise<PasswordsMigrateResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/passwords/migrate', body: request }), options);
  }
}
