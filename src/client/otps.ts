import type {
  OtpsEmailAuthenticateRequest,
  OtpsEmailAuthenticateResponse,
  OtpsEmailDiscoveryAuthenticateRequest,
  OtpsEmailDiscoveryAuthenticateResponse,
  OtpsEmailDiscoverySendRequest,
  OtpsEmailDiscoverySendResponse,
  OtpsEmailLoginOrSignupRequest,
  OtpsEmailLoginOrSignupResponse,
  OtpsSmsAuthenticateRequest,
  OtpsSmsAuthenticateResponse,
  OtpsSmsSendRequest,
  OtpsSmsSendResponse,
} from './api-types.js';
import type { CallOptions, Transport } from './transport.js';

/** `client.otps.email.discovery` */
export class OtpsEmailDiscovery {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Emails a discovery one-time code. `POST /v1/b2b/otps/email/discovery/send` */
  send(request: OtpsEmailDiscoverySendRequest, options?: CallOptions): Promise<OtpsEmailDiscoverySendResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/otps/email/discovery/send', body: request }), options);
  }

  /** Checks a discovery code and returns an IST with the discovered organizations. `POST /v1/b2b/otps/email/discovery/authenticate` */
  authenticate(request: OtpsEmailDiscoveryAuthenticateRequest, options?: CallOptions): Promise<OtpsEmailDiscoveryAuthenticateResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/otps/email/discovery/authenticate', body: request }), options);
  }
}

/** `client.otps.email` (reference 5.6) */
export class OtpsEmail {
  readonly #t: Transport;
  readonly discovery: OtpsEmailDiscovery;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
    this.discovery = new OtpsEmailDiscovery(transport);
  }

  /** Emails a login or signup one-time code. `POST /v1/b2b/otps/email/login_or_signup` */
  loginOrSignup(request: OtpsEmailLoginOrSignupRequest, options?: CallOptions): Promise<OtpsEmailLoginOrSignupResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/otps/email/login_or_signup', body: request }), options);
  }

  /** Authenticates an email one-time code. `POST /v1/b2b/otps/email/authenticate` */
  authenticate(request: OtpsEmailAuthenticateRequest, options?: CallOptions): Promise<OtpsEmailAuthenticateResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/otps/email/authenticate', body: request }), options);
  }
}

/** `client.otps.sms`: SMS codes, MFA only (reference 5.7) */
export class OtpsSms {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Texts an MFA code to the member's phone. `POST /v1/b2b/otps/sms/send` */
  send(request: OtpsSmsSendRequest, options?: CallOptions): Promise<OtpsSmsSendResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/otps/sms/send', body: request }), options);
  }

  /** Authenticates an SMS MFA code. `POST /v1/b2b/otps/sms/authenticate` */
  authenticate(request: OtpsSmsAuthenticateRequest, options?: CallOptions): Promise<OtpsSmsAuthenticateResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/otps/sms/authenticate', body: request }), options);
  }
}

/** `client.otps`: one-time passcodes. */
export class Otps {
  readonly email: OtpsEmail;
  readonly sms: OtpsSms;

  /** @internal */
  constructor(transport: Transport) {
    this.email = new OtpsEmail(transport);
    this.sms = new OtpsSms(transport);
  }
}
