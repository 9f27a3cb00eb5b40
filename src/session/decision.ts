/**
 * One request, one decision: the request's credential headers in, a value out that says who the
 * caller is, which credential decided, and what to do with the session cookies. Pure: it reads
 * header strings (never `req`) and writes nothing; the middleware applies the value once.
 */
import { StytchUnavailableError } from '../errors.js';
import { createCan } from '../rbac/can.js';
import type { PolicyCache } from '../rbac/policy-cache.js';
import { indexScopes, missingScope } from '../rbac/scopes.js';
import type { Credential, CredentialSource, MachineAuth, SignedInAuth, SignedOutAuth, SignedOutReason, StytchAuth, UndecidedAuth, VerifiedBy } from './auth-types.js';
import type { AuthOutcome, CachedEntry, MachineEntry, RefreshedCredentials, SessionAuthenticator } from './authenticator.js';
import type { MachineIdentity } from './machine-claims.js';
import type { SessionIdentity } from './claims.js';
import { COOKIE_ABSENT, isCompactJwsShape, isOpaqueTokenShape, parseBearer, scanCookiePair } from './credentials.js';
import type { CookiePair } from './credentials.js';
import { logEvent } from './logger.js';
import type { Logger } from './logger.js';
import type { SessionMetrics } from './metrics.js';

/** What to do with the session cookies after this request was decided. */
export type CookieEffect =
  | { readonly kind: 'none' }
  /** Stytch issued fresh credentials: write both session cookies. */
  | { readonly kind: 'set'; readonly session: RefreshedCredentials }
  /** The cookie credential is definitely bad: clear both session cookies. */
  | { readonly kind: 'clear' };

/** The whole outcome of one request's authentication. Immutable; often shared between requests. */
export interface Decision {
  readonly auth: StytchAuth;
  /** The credential that decided; undefined when the request carried none (or only junk headers). */
  readonly credential: Credential | undefined;
  readonly cookies: CookieEffect;
}

/** The credential header values of one request. */
export interface CredentialHeaders {
  readonly authorization: string | undefined;
  readonly cookie: string | undefined;
}

/** Options of {@link RequestDecider}, resolved once by the factory that creates it. */
export interface RequestDeciderOptions {
  readonly core: SessionAuthenticator<EntryMemo>;
  readonly policyCache: PolicyCache;
  readonly cookieNames: { readonly jwt: string; readonly token: string };
  readonly maxTokenBytes: number;
  readonly metrics: SessionMetrics;
  readonly logger: Logger | undefined;
  /** Warm the RBAC policy of each newly verified session's organization. */
  readonly preload: boolean;
}

/** Prebuilt decisions of one verified-cache entry, per credential source (a hit allocates nothing). */
export type EntryMemo = Partial<Record<CredentialSource, Decision>>;

const NO_COOKIES: CookiePair = Object.freeze({ first: COOKIE_ABSENT, second: COOKIE_ABSENT });
const KEEP: CookieEffect = Object.freeze({ kind: 'none' });
const CLEAR: CookieEffect = Object.freeze({ kind: 'clear' });

/** Reasons after which a cookie credential is definitely bad, so its cookies are cleared. */
const CLEAR_COOKIES_ON: ReadonlySet<SignedOutReason> = new Set<SignedOutReason>([
  'malformed_credentials',
  'invalid_token',
  'expired_session',
  'session_not_found',
  'duplicate_credentials',
  'not_a_session_token',
]);

/**
 * Decides requests for one `stytchAuth()` instance.
 *
 * Credentials, one per request, never mixed, in this order: `Authorization: Bearer`, the session
 * JWT cookie, the opaque session token cookie. A cookie name sent twice with different values
 * signs the request out. A repeated token is answered from the verified-token cache with a
 * decision built once per token and credential source.
 *
 * @example
 * const decision = decider.decide({ authorization: req.headers.authorization, cookie: req.headers.cookie });
 * const { auth, cookies } = decision instanceof Promise ? await decision : decision;
 */
export class RequestDecider {
  readonly #core: SessionAuthenticator<EntryMemo>;
  readonly #policyCache: PolicyCache;
  readonly #jwtCookie: string;
  readonly #tokenCookie: string;
  readonly #maxTokenBytes: number;
  readonly #metrics: SessionMetrics;
  readonly #logger: Logger | undefined;
  readonly #preload: boolean;
  readonly #signedOut = new Map<SignedOutReason, Decision>();
  readonly #signedOutClearing = new Map<SignedOutReason, Decision>();
  readonly #signedOutAuths = new Map<SignedOutReason, SignedOutAuth>();

  constructor(options: RequestDeciderOptions) {
    this.#core = options.core;
    this.#policyCache = options.policyCache;
    this.#jwtCookie = options.cookieNames.jwt;
    this.#tokenCookie = options.cookieNames.token;
    this.#maxTokenBytes = options.maxTokenBytes;
    this.#metrics = options.metrics;
    this.#logger = options.logger;
    this.#preload = options.preload;
  }

  /**
   * Decide one request. Synchronous for a cache hit and for every refusal that needs no work;
   * a promise only when a signature check or a network call runs. Never rejects: an internal
   * failure is "undecided", so guards answer 503 and nobody is signed in or out by accident.
   */
  decide(headers: CredentialHeaders): Decision | Promise<Decision> {
    try {
      const decision = this.#decide(headers);
      return decision instanceof Promise ? decision.catch((error: unknown) => this.#internalFailure(error)) : decision;
    } catch (error) {
      return this.#internalFailure(error);
    }
  }

  #decide(headers: CredentialHeaders): Decision | Promise<Decision> {
    let source: CredentialSource;
    let kind: Credential['kind'];
    let value: string;
    // The opaque cookie sent with a JWT cookie: a fallback only for a JWT signed by a key not loaded yet.
    let tokenCookieValue: string | undefined;
    const bearer = parseBearer(headers.authorization);
    if (bearer.kind === 'malformed') return this.#signOut('malformed_credentials', 'bearer', undefined);
    if (bearer.kind === 'token') {
      source = 'bearer';
      kind = 'jwt';
      value = bearer.value;
    } else {
      const cookies = headers.cookie === undefined ? NO_COOKIES : scanCookiePair(headers.cookie, this.#jwtCookie, this.#tokenCookie);
      const jwtCookie = cookies.first;
      const tokenCookie = cookies.second;
      if (jwtCookie.kind === 'conflict') return this.#signOut('duplicate_credentials', 'jwt_cookie', undefined);
      if (tokenCookie.kind === 'conflict') return this.#signOut('duplicate_credentials', 'session_cookie', undefined);
      if (jwtCookie.kind === 'value' && jwtCookie.value !== '') {
        source = 'jwt_cookie';
        kind = 'jwt';
        value = jwtCookie.value;
        if (tokenCookie.kind === 'value') tokenCookieValue = tokenCookie.value;
      } else if (tokenCookie.kind === 'value' && tokenCookie.value !== '') {
        source = 'session_cookie';
        kind = 'opaque';
        value = tokenCookie.value;
      } else {
        return this.#signOut('no_credentials', undefined, undefined);
      }
      // Cookies only ever carry sessions; an app that accepts only machines never verifies them.
      if (!this.#core.acceptsSessions) return this.#signOut('token_type_not_accepted', source, undefined);
    }
    // Hot path: exactly this token verified before (an O(1) bucket and one string comparison).
    // Only well-formed tokens are ever stored, so junk cannot hit and needs no shape check first.
    if (source === 'bearer' && this.#core.acceptsMachines) {
      // One cache read for a bearer token, session JWT or machine token alike.
      const entry = this.#core.lookupBearer(value);
      if (entry !== undefined) {
        this.#metrics.cacheHits++;
        return entry.machine ? this.#machineHit(entry) : this.#hit(entry, source);
      }
    } else {
      const entry = this.#core.lookup(kind, value);
      if (entry !== undefined) {
        this.#metrics.cacheHits++;
        return this.#hit(entry, source);
      }
    }
    // Shape and size first: junk never reaches base64, JSON, the JWKS or the network.
    const wellFormed = kind === 'jwt' ? isCompactJwsShape(value, this.#maxTokenBytes) : isOpaqueTokenShape(value, this.#maxTokenBytes);
    if (!wellFormed) {
      // A bearer token that is no JWT may be an opaque Connected-App token, where the app gave
      // the Connected App's credentials to introspect it (an opaque session is never a bearer).
      if (source === 'bearer' && this.#core.introspectsMachines && isOpaqueTokenShape(value, this.#maxTokenBytes)) {
        const opaque: Credential = { source, kind: 'opaque', value };
        return this.#core.introspect(value).then((outcome) => this.#finish(opaque, outcome, undefined));
      }
      return this.#signOut('malformed_credentials', source, { source, kind, value });
    }
    const credential: Credential = { source, kind, value };
    const fallback = tokenCookieValue !== undefined && isOpaqueTokenShape(tokenCookieValue, this.#maxTokenBytes) ? tokenCookieValue : undefined;
    return this.#core.authenticate(kind, value, fallback, source === 'bearer').then((outcome) => this.#finish(credential, outcome, fallback));
  }

  /** The decision of a machine-cache hit, built once per entry. */
  #machineHit(entry: MachineEntry<EntryMemo>): Decision {
    const memo = (entry.memo ??= {});
    let decision = memo.bearer;
    if (decision === undefined) {
      const credential: Credential = Object.freeze({ source: 'bearer', kind: entry.kind, value: entry.token });
      decision = Object.freeze({ auth: machineAuth(entry.identity, 'cache'), credential, cookies: KEEP });
      memo.bearer = decision;
    }
    return decision;
  }

  /** The decision of a cache hit, built once per entry and source. */
  #hit(entry: CachedEntry<EntryMemo>, source: CredentialSource): Decision {
    const memo = (entry.memo ??= {});
    let decision = memo[source];
    if (decision === undefined) {
      // The stored copy of the token, not this request's Cookie header, is kept.
      const credential: Credential = Object.freeze({ source, kind: entry.kind, value: entry.token });
      // A hit on a replaced JWT (expired or too old, refreshed by a concurrent request) still gets
      // the new cookies: that client's cookie jar still holds the old JWT. A hit on an opaque
      // token writes nothing again: the token is unchanged, and a browser sends the JWT next.
      const cookies: CookieEffect = entry.refreshed !== undefined && entry.kind === 'jwt' && source !== 'bearer' ? Object.freeze({ kind: 'set', session: entry.refreshed }) : KEEP;
      decision = Object.freeze({ auth: this.#signedIn(entry.identity, 'cache', source), credential, cookies });
      memo[source] = decision;
    }
    if (decision.cookies.kind === 'set') this.#metrics.refreshes++;
    return decision;
  }

  #finish(requested: Credential, outcome: AuthOutcome<EntryMemo>, sessionTokenFallback: string | undefined): Decision {
    switch (outcome.status) {
      case 'signed_in': {
        // The opaque cookie decided, so it is the request's credential from here on: a remote
        // RBAC check or a route must never present the (other, unverified) JWT.
        const credential: Credential =
          outcome.bySessionTokenFallback === true && sessionTokenFallback !== undefined ? { source: 'session_cookie', kind: 'opaque', value: sessionTokenFallback } : requested;
        if (this.#preload) this.#policyCache.prefetch(outcome.identity.organizationId);
        let cookies = KEEP;
        if (outcome.refreshed !== undefined && credential.source !== 'bearer') {
          this.#metrics.refreshes++;
          cookies = { kind: 'set', session: outcome.refreshed };
        }
        return { auth: this.#signedIn(outcome.identity, outcome.verifiedBy, credential.source), credential, cookies };
      }
      case 'machine':
        return { auth: machineAuth(outcome.identity, outcome.verifiedBy), credential: requested, cookies: KEEP };
      case 'signed_out':
        return this.#signOut(outcome.reason, requested.source, requested);
      default: {
        const auth: UndecidedAuth = Object.freeze({ isAuthenticated: false, status: 'undecided', reason: outcome.reason, error: outcome.error });
        this.#metrics.reject(outcome.reason);
        logEvent(this.#logger, 'warn', 'session_undecided', { reason: outcome.reason, credential: requested.source });
        // Undecided never touches cookies: the member may well still be signed in.
        return { auth, credential: requested, cookies: KEEP };
      }
    }
  }

  #signedIn(identity: SessionIdentity, verifiedBy: VerifiedBy, source: CredentialSource): SignedInAuth {
    return Object.freeze({
      isAuthenticated: true,
      status: 'signed_in',
      memberId: identity.memberId,
      organizationId: identity.organizationId,
      organizationSlug: identity.organizationSlug,
      sessionId: identity.sessionId,
      roles: identity.roles,
      authenticationFactors: identity.authenticationFactors,
      sessionExpiresAt: identity.sessionExpiresAt,
      sessionStartedAt: identity.sessionStartedAt,
      tokenIssuedAt: identity.issuedAt === undefined ? undefined : new Date(identity.issuedAt * 1000),
      customClaims: identity.customClaims,
      verifiedBy,
      credential: source,
      can: createCan(this.#policyCache, identity.organizationId, identity.roles),
    });
  }

  /**
   * A signed-out decision. A bearer credential is the client's business; only our cookies are
   * ours to clear, and only when the reason says the cookie credential is definitely bad.
   */
  #signOut(reason: SignedOutReason, source: CredentialSource | undefined, credential: Credential | undefined): Decision {
    if (reason !== 'no_credentials') {
      this.#metrics.reject(reason);
      logEvent(this.#logger, 'info', 'session_signed_out', { reason, credential: source });
    }
    const clears = source !== undefined && source !== 'bearer' && CLEAR_COOKIES_ON.has(reason);
    // Without a credential to carry, the decision is the same for every request: share it.
    if (credential === undefined) {
      const shared = clears ? this.#signedOutClearing : this.#signedOut;
      let decision = shared.get(reason);
      if (decision === undefined) {
        decision = Object.freeze({ auth: this.#signedOutAuth(reason), credential: undefined, cookies: clears ? CLEAR : KEEP });
        shared.set(reason, decision);
      }
      return decision;
    }
    return { auth: this.#signedOutAuth(reason), credential, cookies: clears ? CLEAR : KEEP };
  }

  #signedOutAuth(reason: SignedOutReason): SignedOutAuth {
    let auth = this.#signedOutAuths.get(reason);
    if (auth === undefined) {
      auth = Object.freeze({ isAuthenticated: false, status: 'signed_out', reason });
      this.#signedOutAuths.set(reason, auth);
    }
    return auth;
  }

  #internalFailure(error: unknown): Decision {
    // Never an identity we did not establish: undecided, so guards answer 503.
    logEvent(this.#logger, 'error', 'session_middleware_failed', { error: error instanceof Error ? error.name : typeof error });
    this.#metrics.reject('internal_error');
    const auth: UndecidedAuth = Object.freeze({
      isAuthenticated: false,
      status: 'undecided',
      reason: 'upstream_unavailable',
      error: new StytchUnavailableError('upstream_unavailable', 'The session could not be checked.'),
    });
    return { auth, credential: undefined, cookies: KEEP };
  }

  /** Entries in the verified-token cache right now. */
  get verifiedCacheSize(): number {
    return this.#core.verifiedCacheSize;
  }
}

/** The frozen auth object of a verified machine token. */
function machineAuth(identity: MachineIdentity, verifiedBy: MachineAuth['verifiedBy']): MachineAuth {
  let index: ReturnType<typeof indexScopes> | undefined;
  return Object.freeze({
    isAuthenticated: false,
    status: 'machine',
    tokenType: identity.tokenType,
    clientId: identity.clientId,
    subject: identity.subject,
    scopes: identity.scopes,
    organizationId: identity.organizationId,
    organizationSlug: identity.organizationSlug,
    customClaims: identity.customClaims,
    tokenIssuedAt: new Date(identity.issuedAt * 1000),
    expiresAt: new Date(identity.expiresAt * 1000),
    verifiedBy,
    credential: 'bearer',
    hasScopes(...required: string[]): boolean {
      index ??= indexScopes(identity.scopes);
      return missingScope(index, required) === undefined;
    },
  });
}
