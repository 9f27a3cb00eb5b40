import type { IncomingMessage, ServerResponse } from 'node:http';
import { StytchB2BClient } from '../client/client.js';
import type { StytchClientOptions } from '../client/config.js';
import { policyFetchers } from '../rbac/fetchers.js';
import { PolicyCache } from '../rbac/policy-cache.js';
import type { MachineTokenKind } from '../session/auth-types.js';
import { SessionAuthenticator } from '../session/authenticator.js';
import { CircuitBreaker } from '../session/circuit-breaker.js';
import { RequestDecider } from '../session/decision.js';
import type { Decision, EntryMemo } from '../session/decision.js';
import { JwksCache } from '../session/jwks-cache.js';
import { PendingRevocations } from '../session/revocations.js';
import { SessionMetrics } from '../session/metrics.js';
import type { SessionMetricsSnapshot } from '../session/metrics.js';
import { SessionJwtVerifier } from '../session/verify-jwt.js';
import { memoryStore } from '../store/memory-store.js';
import type { StoreMetricsSnapshot } from '../store/types.js';
import { hasStytchAuth } from './auth-object.js';
import { createCookieWriter } from './cookies.js';
import { resolveStytchAuthOptions } from './options.js';
import type { StytchAuthOptions } from './options.js';
import { attachDecision } from './request-state.js';
import type { StytchInstance, StytchRequestContext } from './types.js';

/** Counters of one `stytchAuth()` instance; `store` is there when the `store` option was given. */
export type StytchAuthMetrics = SessionMetricsSnapshot & { store?: StoreMetricsSnapshot };

/** Ten minutes: longer than any session JWT lives (five), so every copy of it expires first. */
const DEFAULT_REVOCATION_MS = 600_000;
/** The longest a session can live at Stytch (527 040 minutes): no revocation is kept longer. */
const MAX_REVOCATION_MS = 527_040 * 60_000;

/** The middleware returned by {@link stytchAuth}. */
export interface StytchAuthMiddleware {
  (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void;
  /**
   * Counters: local verifications, cache hits, network calls, JWKS fetches, refreshes, rejections
   * by reason, circuit state, verified-token cache size; and the store's (state, outages,
   * revocations, per-process fallbacks) when the `store` option was given.
   */
  metrics(): StytchAuthMetrics;
  /**
   * Refuse a session everywhere the `store` reaches (this process at once; with Redis, every
   * instance within about a second) until `untilMs`, default ten minutes (longer than any JWT
   * lives). For revocations learnt elsewhere, e.g. the app's own handler of Stytch events. Pass the
   * session's expiry when Stytch may still accept it. Never rejects.
   * @example
   * await auth.revokeSession('member-session-test-...');
   */
  revokeSession(sessionId: string, untilMs?: number): Promise<void>;
  /**
   * Refuse every session the member started until now (a new sign-in afterwards works), until
   * `untilMs`, default ten minutes: after removing or deactivating a member, or changing their roles.
   * Never rejects.
   * @example
   * await auth.revokeMember(memberId);
   */
  revokeMember(memberId: string, untilMs?: number): Promise<void>;
  /** The shared context (client, policy cache, clock, logger, config) without a per-request credential. */
  readonly context: StytchRequestContext;
  /** Close the client and the store if `stytchAuth()` created them (a shared `client` or `store` option is left open). */
  close(): Promise<void>;
}

/** The instance behind each middleware, for `stytchRoutes({ auth })` to bind to at construction. */
const instances = new WeakMap<object, StytchInstance>();

/** The instance of a `stytchAuth()` middleware; undefined for anything else. Internal. */
export function instanceOf(middleware: unknown): StytchInstance | undefined {
  return typeof middleware === 'function' ? instances.get(middleware) : undefined;
}

/**
 * Authenticate every request from its Stytch B2B session, and attach the result for
 * `getStytchAuth(req)` (signed in, signed out with a reason, or undecided when Stytch is unreachable).
 * It never rejects a request itself: guards such as `requireAuth()` decide.
 *
 * Credentials, one per request, never mixed, in this order:
 * 1. `Authorization: Bearer <session JWT>` (scheme case-insensitive; other schemes are ignored);
 * 2. the session JWT cookie (`stytch_session_jwt`);
 * 3. the opaque session token cookie (`stytch_session`).
 * A cookie name sent twice with different values signs the request out and clears both cookies.
 *
 * With `acceptsToken` listing `'m2m'` or `'connected_app'`, a bearer access token of that kind is
 * verified locally too (its own claim rules, no network call) and cached like a session JWT; the
 * auth object then has `status: 'machine'`. Routes take machines only where they opt in.
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
  const { config, now, logger } = resolved;
  const machineKinds = new Set([...config.acceptsToken].filter((kind) => kind !== 'session')) as Set<MachineTokenKind>;

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
    machineTokens: machineKinds.size > 0,
  });
  const ownsStore = resolved.store === undefined;
  const store = resolved.store ?? memoryStore({ now });
  /** A revocation's end: the given one (capped at the longest session), or ten minutes from now. */
  const revocationEnd = (untilMs: number | undefined): number => {
    const at = now();
    return untilMs !== undefined && Number.isFinite(untilMs) ? Math.min(untilMs, at + MAX_REVOCATION_MS) : at + DEFAULT_REVOCATION_MS;
  };
  const publish = (kind: 'session' | 'member', id: unknown, untilMs: number | undefined): Promise<void> => {
    if (typeof id !== 'string' || id.length === 0) return Promise.resolve();
    // The store never rejects by contract; a custom one that does must not become an unhandled rejection.
    return store.revoke(kind, id, revocationEnd(untilMs)).catch(() => undefined);
  };
  const breaker = new CircuitBreaker({ failureThreshold: resolved.failureThreshold, coolOffMs: resolved.coolOffMs, now });
  const core = new SessionAuthenticator<EntryMemo>({
    verifier,
    sessions: client.sessions,
    now,
    metrics,
    logger,
    sessionDurationMinutes: config.sessionDurationMinutes,
    maxTokenAgeSeconds: resolved.maxTokenAgeSeconds,
    verifiedCacheSize: resolved.verifiedCacheSize,
    maxTokenBytes: resolved.maxTokenBytes,
    networkTimeoutMs: resolved.networkTimeoutMs,
    breaker,
    acceptsSessions: config.acceptsToken.has('session'),
    machineKinds,
    revocations: store,
    introspection:
      resolved.connectedApps === undefined
        ? undefined
        : { api: client.idp, clientId: resolved.connectedApps.clientId, clientSecret: resolved.connectedApps.clientSecret },
  });
  const decider = new RequestDecider({
    core,
    policyCache,
    cookieNames: config.cookies,
    maxTokenBytes: resolved.maxTokenBytes,
    metrics,
    logger,
    preload: resolved.preload,
  });

  const context: StytchRequestContext = Object.freeze({
    client,
    policyCache,
    now,
    logger,
    metrics,
    config,
    introspectMachineToken: core.introspectsMachines ? (token: string) => core.introspect(token, true) : undefined,
    forgetSession: (sessionId: string, untilMs?: number): void => {
      core.forgetSession(sessionId, untilMs);
      // The fleet needs it only while a JWT of the session can still verify locally (ten minutes
      // covers any); a logout whose revoke Stytch has not confirmed extends it (see the logout route).
      void publish('session', sessionId, Math.min(untilMs ?? Infinity, now() + DEFAULT_REVOCATION_MS));
    },
  });
  const revocations = new PendingRevocations({ revoke: (target) => client.sessions.revoke(target), now, logger });
  const instance: StytchInstance = Object.freeze({ context, cookies: createCookieWriter(config.cookies, now, logger), revocations, store });

  /** Apply a decision once: attach it, then carry out its cookie effect. */
  const apply = (req: IncomingMessage, res: ServerResponse, decision: Decision): void => {
    attachDecision(req, instance, decision);
    const effect = decision.cookies;
    // In 'frontend-sdk' cookie mode the frontend SDK refreshes and clears its own cookies.
    if (effect.kind === 'none' || res.headersSent || !instance.cookies.ownsSession) return;
    if (effect.kind === 'set') instance.cookies.setSession(req, res, effect.session);
    else instance.cookies.clearSession(req, res);
  };

  const middleware = function stytchAuthMiddleware(req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void {
    // Mounted twice (or on a router and the app): decide once.
    if (hasStytchAuth(req)) {
      next();
      return;
    }
    const decision = decider.decide({ authorization: req.headers.authorization, cookie: req.headers.cookie });
    if (!(decision instanceof Promise)) {
      apply(req, res, decision);
      next();
      return;
    }
    // decide() never rejects: failures are already "undecided" decisions.
    void decision.then((settled) => {
      apply(req, res, settled);
      next();
    });
  } as StytchAuthMiddleware;

  Object.defineProperty(middleware, 'context', { value: context, enumerable: true });
  instances.set(middleware, instance);
  middleware.metrics = () => {
    const snapshot: StytchAuthMetrics = metrics.snapshot(breaker.state, decider.verifiedCacheSize);
    if (!ownsStore) snapshot.store = store.metrics();
    return snapshot;
  };
  middleware.revokeSession = (sessionId, untilMs) => publish('session', sessionId, untilMs);
  middleware.revokeMember = (memberId, untilMs) => publish('member', memberId, untilMs);
  middleware.close = async () => {
    revocations.close();
    if (ownsStore) await store.close();
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
