import type { IncomingMessage, ServerResponse } from 'node:http';
import { StytchB2BClient } from '../client/client.js';
import type { StytchClientOptions } from '../client/config.js';
import { StytchUnavailableError } from '../errors.js';
import { createCan } from '../rbac/can.js';
import { policyFetchers } from '../rbac/fetchers.js';
import { PolicyCache } from '../rbac/policy-cache.js';
import { SessionAuthenticator } from '../session/authenticator.js';
import type { AuthOutcome, CachedEntry } from '../session/authenticator.js';
import { CircuitBreaker } from '../session/circuit-breaker.js';
import { isCompactJwsShape, isOpaqueTokenShape, parseBearer, scanCookiePair } from '../session/credentials.js';
import type { CookiePair } from '../session/credentials.js';
import { JwksCache } from '../session/jwks-cache.js';
import { logEvent } from '../session/logger.js';
import { SessionMetrics } from '../session/metrics.js';
import type { SessionMetricsSnapshot } from '../session/metrics.js';
import { SessionJwtVerifier } from '../session/verify-jwt.js';
import { hasStytchAuth, setStytchAuth } from './auth-object.js';
import type { CredentialSource, SignedInAuth, SignedOutAuth, SignedOutReason, StytchAuth, UndecidedAuth } from './auth-object.js';
import { findStytchContext, setStytchContext } from './context.js';
import type { StytchRequestContext } from './context.js';
import { clearSessionCookies, setSessionCookies } from './cookies.js';
import { attachRequestState } from './request-state.js';
import { resolveStytchAuthOptions } from './options.js';
import type { StytchAuthOptions } from './options.js';

/** The middleware returned by {@link stytchAuth}. */
export interface StytchAuthMiddleware {
  (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void;
  /** Counters: local verifications, cache hits, network calls, JWKS fetches, refreshes, rejections by reason, circuit state, verified-token cache size. */
  metrics(): SessionMetricsSnapshot;
  /** The shared context (client, policy cache, clock, logger, config) without a per-request credential. */
  readonly context: StytchRequestContext;
  /** Close the client if `stytchAuth()` created it (a shared `client` option is left open). */
  close(): Promise<void>;
}

type Credential = { source: CredentialSource; kind: 'jwt' | 'opaque'; value: string };

const NO_COOKIES: CookiePair = Object.freeze({ first: undefined, second: undefined });

/** Reasons after which a cookie credential is definitely bad and is cleared (catalogue #68). */
const CLEAR_COOKIES_ON: ReadonlySet<SignedOutReason> = new Set<SignedOutReason>([
  'malformed_credentials',
  'invalid_token',
  'expired_session',
  'session_not_found',
  'duplicate_credentials',
  'not_a_session_token',
]);

/**
 * Authenticate every request from its Stytch B2B session, and attach the result for
 * `getStytchAuth(req)` (signed in, signed out with a reason, or undecided when Stytch is unreachable).
 * It never rejects a request itself: guards such as `requireAuth()` decide.
 *
 * Credentials, one per request, never mixed (catalogue #3), in this order:
 * 1. `Authorization: Bearer <session JWT>` (scheme case-insensitive; other schemes are ignored);
 * 2. the session JWT cookie (`stytch_session_jwt`);
 * 3. the opaque session token cookie (`stytch_session`).
 * A cookie name sent twice with different values signs the request out and clears both cookies.
 *
 * JWTs are verified locally (RS256 only, against the cached Stytch JWKS) and remembered in a
 * bounded cache until their `exp`, so a repeated token costs a lookup and one string comparison. An expired (but
 * genuine) JWT, a JWT older than `maxTokenAgeSeconds`, or an opaque token is checked with
 * `sessions/authenticate` (one call per session at a time, behind a circuit breaker); for cookie
 * credentials the fresh JWT and token are written back as cookies. Bearer clients are not sent
 * tokens in response headers: they refresh their own JWT.
 *
 * When Stytch is unreachable, a JWT that still verifies locally keeps working; anything that needs
 * the network is "undecided" (guards answer 503) and its cookies are left alone.
 *
 * @throws {ConfigError} at construction, naming the invalid option.
 * @example
 * const auth = stytchAuth({ loginUrl: '/login', maxTokenAgeSeconds: 60 });
 * app.use(auth);
 * app.get('/dashboard', requireAuth(), (req, res) => res.json({ member: getStytchAuth(req) }));
 */
export function stytchAuth(options: StytchAuthOptions = {}): StytchAuthMiddleware {
  const resolved = resolveStytchAuthOptions(options);
  const { config, now, logger, maxTokenBytes, preload } = resolved;

  const ownsClient = options.client === undefined;
  const client = options.client ?? new StytchB2BClient(clientOptions(options));
  const metrics = new SessionMetrics();
  const policyCache =
    options.rbac?.policyCache ??
    new PolicyCache({ ...policyFetchers(client), now, ...(logger === undefined ? {} : { logger }) });

  const jwks = new JwksCache({
    url: client.config.jwksUrl,
    now,
    logger,
    ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
    ...resolved.jwks,
    onFetch: (ok) => {
      metrics.jwksFetches++;
      if (!ok) metrics.jwksFetchFailures++;
    },
  });
  const verifier = new SessionJwtVerifier({
    jwks,
    projectId: client.config.projectId,
    issuers: client.config.issuers,
    clockToleranceSeconds: resolved.clockToleranceSeconds,
    maxTokenAgeSeconds: resolved.maxTokenAgeSeconds,
    now,
  });
  const breaker = new CircuitBreaker({ failureThreshold: resolved.failureThreshold, coolOffMs: resolved.coolOffMs, now });
  const core = new SessionAuthenticator({
    verifier,
    sessions: client.sessions,
    now,
    metrics,
    logger,
    sessionDurationMinutes: config.sessionDurationMinutes,
    maxTokenAgeSeconds: resolved.maxTokenAgeSeconds,
    verifiedCacheSize: resolved.verifiedCacheSize,
    maxTokenBytes,
    networkTimeoutMs: resolved.networkTimeoutMs,
    breaker,
  });

  const forgetSession = (sessionId: string): void => core.forgetSession(sessionId);
  const baseContext: StytchRequestContext = Object.freeze({ client, policyCache, now, logger, metrics, config, forgetSession });
  const contextFor = (credential: Credential): StytchRequestContext =>
    Object.freeze({ client, policyCache, now, logger, metrics, config, forgetSession, credential: Object.freeze(credential) });

  // ---- auth objects (prebuilt where possible: the hot path allocates nothing it can avoid)
  const signedOutByReason = new Map<SignedOutReason, SignedOutAuth>();
  const signedOutAuth = (reason: SignedOutReason): SignedOutAuth => {
    let auth = signedOutByReason.get(reason);
    if (auth === undefined) {
      auth = Object.freeze({ isAuthenticated: false, status: 'signed_out', reason });
      signedOutByReason.set(reason, auth);
    }
    return auth;
  };
  const buildSignedIn = (outcome: Extract<AuthOutcome, { status: 'signed_in' }>['identity'], verifiedBy: SignedInAuth['verifiedBy'], source: CredentialSource): SignedInAuth =>
    Object.freeze({
      isAuthenticated: true,
      status: 'signed_in',
      memberId: outcome.memberId,
      organizationId: outcome.organizationId,
      organizationSlug: outcome.organizationSlug,
      sessionId: outcome.sessionId,
      roles: outcome.roles,
      authenticationFactors: outcome.authenticationFactors,
      sessionExpiresAt: outcome.sessionExpiresAt,
      sessionStartedAt: outcome.sessionStartedAt,
      tokenIssuedAt: outcome.issuedAt === undefined ? undefined : new Date(outcome.issuedAt * 1000),
      customClaims: outcome.customClaims,
      verifiedBy,
      credential: source,
      can: createCan(policyCache, outcome.organizationId, outcome.roles),
    });
  /**
   * Per cache entry and credential source, the auth object and the request context are built once
   * and reused: a cache hit allocates only the request's record (both are immutable, and the entry is per token).
   */
  type Memo = { auth: Partial<Record<CredentialSource, SignedInAuth>>; ctx: Partial<Record<CredentialSource, StytchRequestContext>> };
  const memoOf = (entry: CachedEntry): Memo => {
    let memo = entry.memo as Memo | undefined;
    if (memo === undefined) {
      memo = { auth: {}, ctx: {} };
      entry.memo = memo;
    }
    return memo;
  };

  // ---- outcomes
  const signOut = (req: IncomingMessage, res: ServerResponse, reason: SignedOutReason, source: CredentialSource | undefined): void => {
    setStytchAuth(req, signedOutAuth(reason));
    if (reason === 'no_credentials') return;
    metrics.reject(reason);
    logEvent(logger, 'info', 'session_signed_out', { reason, credential: source });
    // A bearer credential is the client's business; only our cookies are ours to clear.
    if (source !== undefined && source !== 'bearer' && CLEAR_COOKIES_ON.has(reason) && !res.headersSent) clearSessionCookies(req, res);
  };

  const finish = (req: IncomingMessage, res: ServerResponse, jwtOrToken: Credential, outcome: AuthOutcome, sessionTokenFallback: string | undefined): void => {
    let credential = jwtOrToken;
    switch (outcome.status) {
      case 'signed_in': {
        if (outcome.bySessionTokenFallback === true && sessionTokenFallback !== undefined) {
          // The opaque cookie decided, so it is the request's credential from here on: a remote
          // RBAC check or a route must never present the (other, unverified) JWT (catalogue #3).
          credential = { source: 'session_cookie', kind: 'opaque', value: sessionTokenFallback };
          setStytchContext(req, contextFor(credential));
        }
        setStytchAuth(req, buildSignedIn(outcome.identity, outcome.verifiedBy, credential.source));
        if (preload) policyCache.prefetch(outcome.identity.organizationId);
        if (outcome.refreshed !== undefined && credential.source !== 'bearer' && !res.headersSent) {
          metrics.refreshes++;
          setSessionCookies(req, res, outcome.refreshed);
        }
        return;
      }
      case 'signed_out':
        signOut(req, res, outcome.reason, credential.source);
        return;
      default: {
        const auth: UndecidedAuth = Object.freeze({ isAuthenticated: false, status: 'undecided', reason: outcome.reason, error: outcome.error });
        setStytchAuth(req, auth);
        metrics.reject(outcome.reason);
        logEvent(logger, 'warn', 'session_undecided', { reason: outcome.reason, credential: credential.source });
      }
    }
  };

  const internalFailure = (req: IncomingMessage, error: unknown): void => {
    // Never next() with an identity we did not establish (catalogue #100): undecided, so guards answer 503.
    logEvent(logger, 'error', 'session_middleware_failed', { error: error instanceof Error ? error.name : typeof error });
    const auth: StytchAuth = Object.freeze({
      isAuthenticated: false,
      status: 'undecided',
      reason: 'upstream_unavailable',
      error: new StytchUnavailableError('upstream_unavailable', 'The session could not be checked.'),
    });
    setStytchAuth(req, auth);
    if (findStytchContext(req) === undefined) setStytchContext(req, baseContext);
    metrics.reject('internal_error');
  };

  const jwtCookie = config.cookies.jwt;
  const tokenCookie = config.cookies.token;

  /** Decide the request's identity. Returns a promise only when the slow path (verify, network) runs. */
  const decide = (req: IncomingMessage, res: ServerResponse): Promise<void> | undefined => {
    // The credential as three locals: the cache-hit path builds no credential object.
    let source: CredentialSource;
    let kind: Credential['kind'];
    let value: string;
    // The opaque cookie sent with a JWT cookie: a fallback only for a JWT signed by a key not loaded yet.
    let tokenCookieValue: string | undefined;
    const bearer = parseBearer(req.headers.authorization);
    if (bearer.kind === 'malformed') {
      setStytchContext(req, baseContext);
      signOut(req, res, 'malformed_credentials', 'bearer');
      return undefined;
    }
    if (bearer.kind === 'token') {
      source = 'bearer';
      kind = 'jwt';
      value = bearer.value;
    } else {
      const header = req.headers.cookie;
      const cookies = header === undefined ? NO_COOKIES : scanCookiePair(header, jwtCookie, tokenCookie);
      const jwtValue = cookies.first;
      const tokenValue = cookies.second;
      if (jwtValue === 'duplicate' || tokenValue === 'duplicate') {
        setStytchContext(req, baseContext);
        signOut(req, res, 'duplicate_credentials', jwtValue === 'duplicate' ? 'jwt_cookie' : 'session_cookie');
        return undefined;
      }
      if (jwtValue !== undefined && jwtValue !== '') {
        source = 'jwt_cookie';
        kind = 'jwt';
        value = jwtValue;
        tokenCookieValue = tokenValue;
      } else if (tokenValue !== undefined && tokenValue !== '') {
        source = 'session_cookie';
        kind = 'opaque';
        value = tokenValue;
      } else {
        setStytchContext(req, baseContext);
        signOut(req, res, 'no_credentials', undefined);
        return undefined;
      }
    }
    // Hot path: exactly this token verified before (an O(1) bucket and one string comparison).
    // No shape check is needed first: only well-formed tokens are ever stored, so junk cannot hit
    // and simply falls through to the shape check below.
    const entry = core.lookup(kind, value);
    if (entry !== undefined) {
      metrics.cacheHits++;
      const memo = memoOf(entry);
      // Built once per entry and source; the stored copy of the token, not this request's Cookie header, is kept.
      attachRequestState(req, (memo.ctx[source] ??= contextFor({ source, kind, value: entry.token })), (memo.auth[source] ??= buildSignedIn(entry.identity, 'cache', source)));
      // Fresh cookies were written with the network answer that filled this entry (finish()). A hit on
      // an opaque token's entry writes nothing again: the token is unchanged, and a client that keeps
      // sending only it ignores cookies (a browser sends the JWT cookie from then on), so re-writing
      // ~1.3 KB of Set-Cookie on every such request was pure cost. A hit on a replaced JWT (expired or
      // too old, refreshed by a concurrent request) still gets the new cookies: that client's cookie
      // jar still holds the old JWT.
      if (entry.refreshed !== undefined && kind === 'jwt' && source !== 'bearer' && !res.headersSent) setSessionCookies(req, res, entry.refreshed);
      return undefined;
    }
    const credential: Credential = { source, kind, value };
    // Shape and size first: junk never reaches base64, JSON, the JWKS or the network (catalogue #6-#8).
    const wellFormed = kind === 'jwt' ? isCompactJwsShape(value, maxTokenBytes) : isOpaqueTokenShape(value, maxTokenBytes);
    if (!wellFormed) {
      setStytchContext(req, contextFor(credential));
      signOut(req, res, 'malformed_credentials', source);
      return undefined;
    }
    const fallback = tokenCookieValue !== undefined && isOpaqueTokenShape(tokenCookieValue, maxTokenBytes) ? tokenCookieValue : undefined;
    setStytchContext(req, contextFor(credential));
    const key = SessionAuthenticator.keyOf(kind, value);
    return core.authenticate(kind, value, key, fallback).then((outcome) => finish(req, res, credential, outcome, fallback));
  };

  const middleware = function stytchAuthMiddleware(req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void {
    // Mounted twice (or on a router and the app): verify once (idempotent).
    if (hasStytchAuth(req)) {
      next();
      return;
    }
    let pending: Promise<void> | undefined;
    try {
      pending = decide(req, res);
    } catch (error) {
      if (!hasStytchAuth(req)) internalFailure(req, error);
    }
    if (pending === undefined) {
      next();
      return;
    }
    pending.then(
      () => next(),
      (error: unknown) => {
        if (!hasStytchAuth(req)) internalFailure(req, error);
        next();
      },
    );
  } as StytchAuthMiddleware;

  Object.defineProperty(middleware, 'context', { value: baseContext, enumerable: true });
  middleware.metrics = () => metrics.snapshot(breaker.state, core.verifiedCacheSize);
  middleware.close = async () => {
    if (ownsClient) await client.close();
  };
  return middleware;
}

function clientOptions(options: StytchAuthOptions): StytchClientOptions {
  const out: StytchClientOptions = {};
  if (options.projectId !== undefined) out.projectId = options.projectId;
  if (options.secret !== undefined) out.secret = options.secret;
  if (options.baseUrl !== undefined) out.baseUrl = options.baseUrl;
  if (options.env !== undefined) out.env = options.env;
  if (options.dispatcher !== undefined) out.dispatcher = options.dispatcher;
  if (options.networkTimeoutMs !== undefined) out.timeoutMs = options.networkTimeoutMs;
  return out;
}
