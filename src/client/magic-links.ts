import type {
  MagicLinksAuthenticateRequest,
  MagicLinksAuthenticateResponse,
  MagicLinksDiscoveryAuthenticateRequest,
  MagicLinksDiscoveryAuthenticateResponse,
  MagicLinksEmailDiscoverySendRequest,
  MagicLinksEmailDiscoverySendResponse,
  MagicLinksEmailInviteRequest,
  MagicLinksEmailInviteResponse,
  MagicLinksEmailLoginOrSignupRequest,
  MagicLinksEmailLoginOrSignupResponse,
} from './api-types.js';
import type { CallOptions, Transport } from './transport.js';

/** `client.magicLinks.email.discovery` */
export class MagicLinksEmailDiscovery {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Emails a discovery magic link. `POST /v1/b2b/magic_links/email/discovery/send` */
  send(request: MagicLinksEmailDiscoverySendRequest, options?: CallOptions): Promise<MagicLinksEmailDiscoverySendResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/magic_links/email/discovery/send', body: request }), options);
  }
}

/** `client.magicLinks.email` */
export class MagicLinksEmail {
  readonly #t: Transport;
  /** Discovery (organization-less) links. */
  readonly discovery: MagicLinksEmailDiscovery;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
    this.discovery = new MagicLinksEmailDiscovery(transport);
  }

  /** Emails a login link to a member, or a signup link to a new one. `POST /v1/b2b/magic_links/email/login_or_signup` */
  loginOrSignup(request: MagicLinksEmailLoginOrSignupRequest, options?: CallOptions): Promise<MagicLinksEmailLoginOrSignupResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/magic_links/email/login_or_signup', body: request }), options);
  }

  /** Invites a member by email. `POST /v1/b2b/magic_links/email/invite` */
  invite(request: MagicLinksEmailInviteRequest, options?: CallOptions): Promise<MagicLinksEmailInviteResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/magic_links/email/invite', body: request }), options);
  }
}

/** `client.magicLinks.discovery` */
export class MagicLinksDiscovery {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Exchanges a discovery magic-link token for an IST and the discovered organizations. `POST /v1/b2b/magic_links/discovery/authenticate` */
  authenticate(request: MagicLinksDiscoveryAuthenticateRequest, options?: CallOptions): Promise<MagicLinksDiscoveryAuthenticateResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/magic_links/discovery/authenticate', body: request }), options);
  }
}

/** `client.magicLinks`: email magic links (reference 5.3). */
export class MagicLinks {
  readonly #t: Transport;
  readonly email: MagicLinksEmail;
  readonly discovery: MagicLinksDiscovery;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
    this.email = new MagicLinksEmail(transport);
    this.discovery = new MagicLinksDiscovery(transport);
  }

  /** Authenticates a magic-link token (single use). `POST /v1/b2b/magic_links/authenticate` */
  authenticate(request: MagicLinksAuthenticateRequest, options?: CallOptions): Promise<MagicLinksAuthenticateResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/magic_links/authenticate', body: request }), options);
  }
}
