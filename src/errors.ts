/**
 * The library's error hierarchy. Every error carries a stable string `code` and the HTTP
 * `status` that a rejected request should be answered with. Caller misuse found at startup
 * is a {@link ConfigError} (thrown); a rejected request is one of the other classes
 * (answered, or passed to `next(err)`).
 *
 * Messages never contain a token, a secret or an Authorization header.
 */
export class StytchExpressError extends Error {
  /** Stable machine-readable code, e.g. `session_invalid`. */
  readonly code: string;
  /** HTTP status a request rejected with this error should get. */
  readonly status: number;

  constructor(code: string, status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
  }
}

/**
 * Misconfiguration found when a factory is called (missing secret, bad or unknown option).
 * Always code `config_error`; the message names the option by its path (e.g. `cookies.path`).
 */
export class ConfigError extends StytchExpressError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('config_error', 500, message, options);
  }
}

/**
 * A guard, a route or `getStytchAuth(req)` ran on a request that `stytchAuth()` did not see:
 * the app mounts it after them, or not at all. Status 500, code `middleware_not_mounted`.
 */
export class MiddlewareNotMountedError extends StytchExpressError {
  constructor(message = 'stytchAuth() is not mounted before this route. Add app.use(stytchAuth()) first.') {
    super('middleware_not_mounted', 500, message);
  }
}

/** No valid identity: 401. */
export class AuthenticationError extends StytchExpressError {
  constructor(code = 'unauthenticated', message = 'Authentication required.', options?: { cause?: unknown }) {
    super(code, 401, message, options);
  }
}

/** Identity is fine but not allowed (permission, tenancy, CSRF, step-up): 403. */
export class AuthorizationError extends StytchExpressError {
  constructor(code = 'permission_denied', message = 'Not allowed.', options?: { cause?: unknown }) {
    super(code, 403, message, options);
  }
}

/** Malformed request input: 400. */
export class BadRequestError extends StytchExpressError {
  constructor(code = 'bad_request', message = 'Bad request.', options?: { cause?: unknown }) {
    super(code, 400, message, options);
  }
}

/**
 * Too many attempts of one kind for one key (codes for a member, sends for an email address or a
 * client address): 429 `too_many_attempts`, answered with `Retry-After`.
 */
export class TooManyAttemptsError extends StytchExpressError {
  /** Seconds until the window ends and attempts are counted again from zero. */
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number, message = 'Too many attempts. Try again later.') {
    super('too_many_attempts', 429, message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * The Stytch API answered with an error body (HTTP status >= 400 and a JSON error object).
 * Carries Stytch's own `error_type` and message; `status` is Stytch's HTTP status.
 */
export class StytchApiError extends StytchExpressError {
  /** Stytch's `error_type`, e.g. `session_not_found`. */
  readonly errorType: string;
  /** Stytch's `error_message`. */
  readonly errorMessage: string;
  /** Stytch's `request_id`, when present. */
  readonly requestId: string | undefined;
  /** Stytch's `error_details`, when present. */
  readonly errorDetails: unknown;
  /** Value of a `Retry-After` header in seconds, for 429 answers. */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: {
    status: number;
    errorType: string;
    errorMessage: string;
    requestId?: string | undefined;
    errorDetails?: unknown;
    retryAfterSeconds?: number | undefined;
  }) {
    super(init.errorType, init.status, `Stytch API error ${init.status} ${init.errorType}: ${init.errorMessage}`);
    this.errorType = init.errorType;
    this.errorMessage = init.errorMessage;
    this.requestId = init.requestId;
    this.errorDetails = init.errorDetails;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

/**
 * Stytch could not be reached or did not answer usefully: timeout, network failure,
 * a non-JSON body, a 5xx, an open circuit breaker. Status 503 (or 502 for a malformed answer).
 */
export class StytchUnavailableError extends StytchExpressError {
  /** Seconds after which a retry may succeed, when Stytch said so. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: 'upstream_timeout' | 'upstream_network' | 'upstream_bad_response' | 'upstream_unavailable' | 'upstream_rate_limited' | 'circuit_open',
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number | undefined },
  ) {
    super(code, code === 'upstream_bad_response' ? 502 : 503, message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}
