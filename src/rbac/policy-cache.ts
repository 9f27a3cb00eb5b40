import { LRUCache } from 'lru-cache';
import type { OrgPolicy, RbacPolicy } from '../client/types.js';
import { BadRequestError, ConfigError, StytchUnavailableError } from '../errors.js';
import { compileRoles, definesRole } from './compile.js';
import { policyDefinesScope } from './scopes.js';

/** Pino-compatible logger shape (every level optional). */
export interface PolicyCacheLogger {
  debug?(obj: Record<string, unknown>, msg?: string): void;
  info?(obj: Record<string, unknown>, msg?: string): void;
  warn?(obj: Record<string, unknown>, msg?: string): void;
  error?(obj: Record<string, unknown>, msg?: string): void;
}

/** Options of {@link PolicyCache}. */
export interface PolicyCacheOptions {
  /** Fetches the project policy (`GET /v1/b2b/rbac/policy`, the response's `policy`). */
  fetchProjectPolicy: () => Promise<RbacPolicy>;
  /** Fetches one organization's custom roles (`GET /v1/b2b/rbac/organizations/{id}`, the response's `org_policy`). */
  fetchOrgPolicy: (organizationId: string) => Promise<OrgPolicy | undefined>;
  /** How long a fetched policy is fresh, in ms. Past it, the policy is served while a background refresh runs. Default 300000 (5 minutes, like the official SDK). */
  ttlMs?: number;
  /**
   * How long past `ttlMs` a policy may still be served while refreshing fails (Stytch unreachable),
   * in ms. After that the cache fails closed: {@link PolicyCache.get} rejects with a
   * `StytchUnavailableError` (503). Default 600000 (10 minutes), so a policy is never used more
   * than `ttlMs + staleIfErrorMs` (15 minutes) after it was fetched.
   */
  staleIfErrorMs?: number;
  /** Most organization policies kept (least recently used are evicted and simply refetched). Default 5000. */
  maxOrganizations?: number;
  /** After a failed background refresh, wait this long (ms) before trying again while serving the stale copy. Default 5000. */
  refreshCooldownMs?: number;
  /**
   * After a failed fetch of a policy (the project's, or one organization's) while nothing usable
   * is cached, lookups of that policy reject at once with `StytchUnavailableError` (503) for this
   * long, in ms, instead of each starting a fetch and waiting for Stytch's timeout; the first
   * lookup after it fetches again. Doubles on every further failure up to `maxFailureBackoffMs`;
   * a success resets it. A stale policy within `staleIfErrorMs` is still served meanwhile.
   * `0` disables it. Default 1000 (like the JWKS cache).
   */
  failureBackoffMs?: number;
  /** Longest failure backoff while the policy endpoint keeps failing, in ms. At least `failureBackoffMs`. Default 30000 (or `failureBackoffMs` when larger). */
  maxFailureBackoffMs?: number;
  /**
   * A check that meets a role the cached policies do not define (a role created in Stytch after
   * they were fetched: the session JWT, signed by Stytch, names it) refetches them at once, when
   * the cached copy is at least this old, in ms, so the new role works on its first use instead
   * of one TTL later. See {@link PolicyCache.revalidateForRoles}. The age floor bounds the
   * refetches (a session naming a role that no policy defines at all costs at most one fetch per
   * organization, and one of the project policy, per period). `0` disables it. Default 5000.
   */
  unknownRoleRefetchMs?: number;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Receives a warning whenever a stale policy is served because a refresh failed. */
  logger?: PolicyCacheLogger;
}

/** Counters for metrics (monotonic, except `organizationsCached` and `inflight`). */
export interface PolicyCacheStats {
  /** Project-policy fetches started. */
  projectFetches: number;
  /** Organization-policy fetches started. */
  organizationFetches: number;
  /** Fetches that failed (network, 5xx, malformed answer). */
  fetchFailures: number;
  /** Lookups answered with a policy past its TTL because the last refresh failed (degraded mode). */
  staleServedOnError: number;
  /** Lookups refused because nothing usable was cached and the fetch failed (fail closed). */
  unavailable: number;
  /** Organization policies currently held (never above `maxOrganizations`). */
  organizationsCached: number;
  /** Fetches currently in flight. */
  inflight: number;
  /** Early refetches started because a session named a role (or a machine token a scope) the cached policies did not define. */
  unknownRoleRefetches: number;
}

/** The policies needed to decide a check in one organization. */
export interface PolicySnapshot {
  policy: RbacPolicy;
  orgPolicy: OrgPolicy;
}

interface Entry<T> {
  readonly value: T;
  /** When the fetch that produced the value started (conservative age). */
  readonly fetchedAt: number;
  /** Set when a background refresh of this entry failed; cleared by replacing the entry. */
  refreshFailed: boolean;
  /** No background refresh before this time (after a failure). */
  retryAfter: number;
}

interface Storage<T> {
  get(key: string): Entry<T> | undefined;
  set(key: string, entry: Entry<T>): void;
}

type Counter = 'fetches' | 'fetchFailures' | 'staleServedOnError' | 'unavailable';

interface Settings {
  ttlMs: number;
  staleIfErrorMs: number;
  refreshCooldownMs: number;
  failureBackoffMs: number;
  maxFailureBackoffMs: number;
  now: () => number;
  logger: PolicyCacheLogger | undefined;
}

/** Failure backoff of one key: no fetch before `nextAttemptAt`. */
interface Backoff {
  readonly backoffMs: number;
  readonly nextAttemptAt: number;
}

/**
 * One refreshing slot family (the project policy under a single key, or the organization
 * policies keyed by id): fresh → served; stale within the error window → served and refreshed
 * in the background; missing or too old → fetched, with every concurrent caller joining the
 * same in-flight promise (single-flight).
 */
class RefreshingStore<T extends object> {
  readonly inflight = new Map<string, Promise<Entry<T>>>();
  /**
   * Keys whose last fetch failed. Bounded like the organization entries, so a stream of failing
   * organizations cannot grow it; forgetting one only means its next lookup fetches at once.
   */
  private readonly backoffs: LRUCache<string, Backoff>;

  constructor(
    private readonly kind: 'project' | 'organization',
    private readonly storage: Storage<T>,
    private readonly fetcher: (key: string) => Promise<unknown>,
    private readonly accept: (raw: unknown) => T | undefined,
    private readonly settings: Settings,
    private readonly count: (counter: Counter) => void,
    maxKeys: number,
  ) {
    this.backoffs = new LRUCache<string, Backoff>({ max: maxKeys });
  }



  /** Load the entry in the background when nothing usable is cached. Never rejects. */
  prefetch(key: string): void {
    if (this.lookup(key) !== undefined || this.inflight.has(key) || this.backingOff(key) !== undefined) return;
    this.fetch(key).catch(() => undefined /* counted in fetch(); a later get() reports it */);
  }

  /**
   * The cached value when usable, starting a background refresh when it is past its TTL
   * (stale-while-revalidate); `undefined` when missing or too old. Synchronous: the warm path.
   */
  lookup(key: string): T | undefined {
    const entry = this.storage.get(key);
    if (entry === undefined) return undefined;
    const age = this.settings.now() - entry.fetchedAt;
    if (age < this.settings.ttlMs) return entry.value;
    if (age >= this.settings.ttlMs + this.settings.staleIfErrorMs) return undefined;
    // The request is answered now with the last good policy; the refresh runs beside it.
    if (entry.refreshFailed) this.count('staleServedOnError');
    this.refreshInBackground(key, entry);
    return entry.value;
  }

  async get(key: string): Promise<T> {
    const cached = this.lookup(key);
    if (cached !== undefined) return cached;
    // A fetch already running is joined; otherwise, right after a failure, refuse at once
    // rather than make every request wait for Stytch's timeout again (like the JWKS cache).
    const backoff = this.inflight.has(key) ? undefined : this.backingOff(key);
    if (backoff !== undefined) {
      this.count('unavailable');
      throw new StytchUnavailableError('upstream_unavailable', `The RBAC ${this.kind} policy is unavailable: Stytch failed recently and no usable cached copy exists.`, {
        retryAfterSeconds: Math.max(1, Math.ceil((backoff.nextAttemptAt - this.settings.now()) / 1000)),
      });
    }
    try {
      return (await this.fetch(key)).value;
    } catch (cause) {
      this.count('unavailable');
      // Fail closed: no usable policy means no decision, never "allow".
      if (cause instanceof StytchUnavailableError) throw cause;
      throw new StytchUnavailableError('upstream_unavailable', `The RBAC ${this.kind} policy could not be fetched and no usable cached copy exists.`, { cause });
    }
  }

  /**
   * Refetch a cached entry now when it is at least `minAgeMs` old (joining a fetch already
   * running); `undefined` when nothing is cached, it is younger, or a failed refresh is cooling
   * off. A failure keeps the cached copy and starts the cool-off, like a background refresh.
   */
  refetchIfOlder(key: string, minAgeMs: number): Promise<T> | undefined {
    const entry = this.storage.get(key);
    if (entry === undefined) return undefined;
    const running = this.inflight.get(key);
    if (running !== undefined) return running.then((fresh) => fresh.value);
    const now = this.settings.now();
    if (now - entry.fetchedAt < minAgeMs || now < entry.retryAfter) return undefined;
    return this.fetch(key).then(
      (fresh) => fresh.value,
      (cause: unknown) => {
        entry.retryAfter = this.settings.now() + this.settings.refreshCooldownMs;
        throw cause;
      },
    );
  }

  /** The key's failure backoff while it is running; `undefined` when a fetch may start now. */
  private backingOff(key: string): Backoff | undefined {
    const backoff = this.backoffs.get(key);
    return backoff !== undefined && this.settings.now() < backoff.nextAttemptAt ? backoff : undefined;
  }

  private recordFailure(key: string): void {
    this.count('fetchFailures');
    const { failureBackoffMs, maxFailureBackoffMs, now } = this.settings;
    if (failureBackoffMs === 0) return;
    const previous = this.backoffs.get(key);
    const backoffMs = previous === undefined ? failureBackoffMs : Math.min(previous.backoffMs * 2, maxFailureBackoffMs);
    this.backoffs.set(key, { backoffMs, nextAttemptAt: now() + backoffMs });
  }

  private refreshInBackground(key: string, entry: Entry<T>): void {
    if (this.inflight.has(key) || this.settings.now() < entry.retryAfter) return;
    this.fetch(key).catch((cause: unknown) => {
      entry.refreshFailed = true;
      entry.retryAfter = this.settings.now() + this.settings.refreshCooldownMs;
      try {
        this.settings.logger?.warn?.(
          {
            event: 'rbac_policy_stale',
            kind: this.kind,
            ...(this.kind === 'organization' ? { organizationId: key } : {}),
            ageMs: this.settings.now() - entry.fetchedAt,
            errorCode: errorCode(cause),
          },
          'RBAC policy refresh failed; serving the last good policy until the stale window ends',
        );
      } catch {
        // A throwing logger must not become an unhandled rejection.
      }
    });
  }

  private fetch(key: string): Promise<Entry<T>> {
    const running = this.inflight.get(key);
    if (running !== undefined) return running;
    const startedAt = this.settings.now();
    this.count('fetches');
    const promise = (async () => {
      let raw: unknown;
      try {
        raw = await this.fetcher(key);
      } catch (cause) {
        this.recordFailure(key);
        throw cause;
      }
      const value = this.accept(raw);
      if (value === undefined) {
        this.recordFailure(key);
        throw new StytchUnavailableError('upstream_bad_response', `Stytch returned a malformed RBAC ${this.kind} policy.`);
      }
      // Frozen so the raw policy handed to callers can never drift from its compiled form
      // (the evaluator memoises the compilation per object), then compiled once, here, off the
      // request's hot path.
      deepFreeze(value);
      compileRoles(value as OrgPolicy);
      const fresh: Entry<T> = { value, fetchedAt: startedAt, refreshFailed: false, retryAfter: 0 };
      this.storage.set(key, fresh);
      this.backoffs.delete(key);
      return fresh;
    })().finally(() => {
      this.inflight.delete(key);
    });
    this.inflight.set(key, promise);
    return promise;
  }
}

function deepFreeze(root: object): void {
  const seen = new Set<object>();
  const stack: object[] = [root];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (seen.has(current)) continue;
    seen.add(current);
    for (const key of Object.keys(current)) {
      const child: unknown = (current as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) stack.push(child);
    }
    Object.freeze(current);
  }
}

function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string') {
    return (error as { code: string }).code;
  }
  return 'unknown';
}

function acceptProjectPolicy(raw: unknown): RbacPolicy | undefined {
  if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as { roles?: unknown }).roles)) return undefined;
  return raw as RbacPolicy;
}

const NO_CUSTOM_ROLES: OrgPolicy = Object.freeze({ roles: Object.freeze([]) as unknown as OrgPolicy['roles'] });

function acceptOrgPolicy(raw: unknown): OrgPolicy | undefined {
  // An organization without custom roles may come back without `org_policy` (spec 4.2 and 11:
  // production behaviour unknown); like the official SDK, that adds no roles.
  if (raw === undefined || raw === null) return NO_CUSTOM_ROLES;
  if (typeof raw !== 'object') return undefined;
  return raw as OrgPolicy;
}

function positiveInteger(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new ConfigError(`PolicyCache: option "${name}" must be a ${allowZero ? 'non-negative' : 'positive'} finite number.`);
  }
  return value;
}

const PROJECT_KEY = 'project';

/**
 * Caches the project RBAC policy and each organization's custom roles.
 *
 * Fetched policies are deep-frozen and compiled once into a lookup table for the evaluator.
 *
 * - Fresh for `ttlMs` (default 5 minutes); past it the cached copy is served and refreshed in the
 *   background (stale-while-revalidate), so a policy edited in Stytch is honoured one refresh
 *   after the TTL.
 * - Single-flight: any number of concurrent lookups on a cold cache make one project fetch and
 *   one fetch per organization.
 * - While Stytch is unreachable the last good policy is served for at most `staleIfErrorMs` past
 *   the TTL, with a warning and the `staleServedOnError` counter; after that lookups reject with
 *   `StytchUnavailableError` (503). It never "allows by default".
 * - After a failed fetch with nothing usable cached, lookups of that policy reject at once (503)
 *   for `failureBackoffMs`, doubling up to `maxFailureBackoffMs` while Stytch keeps failing, so an
 *   outage does not make every request wait for a timeout; a success resets it.
 * - Organization policies live in a bounded LRU (`maxOrganizations`). Eviction only causes a
 *   refetch; decisions never depend on what was evicted.
 *
 * No timers: refreshes happen on lookups, so an idle process does no work and tests need no teardown.
 *
 * @example
 * const cache = new PolicyCache({
 *   fetchProjectPolicy: async () => (await client.rbac.policy()).policy,
 *   fetchOrgPolicy: async (organization_id) => (await client.rbac.organizations.getOrgPolicy({ organization_id })).org_policy,
 * });
 * const { policy, orgPolicy } = await cache.get(auth.organizationId);
 */
export class PolicyCache {
  readonly #project: RefreshingStore<RbacPolicy>;
  readonly #orgs: RefreshingStore<OrgPolicy>;
  readonly #orgEntries: LRUCache<string, Entry<OrgPolicy>>;
  readonly #counters = { projectFetches: 0, organizationFetches: 0, fetchFailures: 0, staleServedOnError: 0, unavailable: 0, unknownRoleRefetches: 0 };
  readonly #unknownRoleRefetchMs: number;

  constructor(options: PolicyCacheOptions) {
    if (typeof options?.fetchProjectPolicy !== 'function' || typeof options.fetchOrgPolicy !== 'function') {
      throw new ConfigError('PolicyCache: options "fetchProjectPolicy" and "fetchOrgPolicy" must be functions.');
    }
    const failureBackoffMs = positiveInteger('failureBackoffMs', options.failureBackoffMs, 1_000, true);
    const settings: Settings = {
      ttlMs: positiveInteger('ttlMs', options.ttlMs, 300_000),
      staleIfErrorMs: positiveInteger('staleIfErrorMs', options.staleIfErrorMs, 600_000, true),
      refreshCooldownMs: positiveInteger('refreshCooldownMs', options.refreshCooldownMs, 5_000, true),
      failureBackoffMs,
      maxFailureBackoffMs: positiveInteger('maxFailureBackoffMs', options.maxFailureBackoffMs, Math.max(30_000, failureBackoffMs), true),
      now: options.now ?? Date.now,
      logger: options.logger,
    };
    if (settings.maxFailureBackoffMs < failureBackoffMs) {
      throw new ConfigError('PolicyCache: option "maxFailureBackoffMs" must be at least "failureBackoffMs".');
    }
    this.#unknownRoleRefetchMs = positiveInteger('unknownRoleRefetchMs', options.unknownRoleRefetchMs, 5_000, true);
    const maxOrganizations = Math.floor(positiveInteger('maxOrganizations', options.maxOrganizations, 5_000));
    if (maxOrganizations < 1) throw new ConfigError('PolicyCache: option "maxOrganizations" must be at least 1.');

    let projectEntry: Entry<RbacPolicy> | undefined;
    const fetchProjectPolicy = options.fetchProjectPolicy;
    const fetchOrgPolicy = options.fetchOrgPolicy;
    this.#project = new RefreshingStore<RbacPolicy>(
      'project',
      { get: () => projectEntry, set: (_key, entry) => void (projectEntry = entry) },
      () => fetchProjectPolicy(),
      acceptProjectPolicy,
      settings,
      (counter) => this.#count(counter, 'project'),
      1,
    );
    this.#orgEntries = new LRUCache<string, Entry<OrgPolicy>>({ max: maxOrganizations });
    this.#orgs = new RefreshingStore<OrgPolicy>(
      'organization',
      this.#orgEntries,
      (organizationId) => fetchOrgPolicy(organizationId),
      acceptOrgPolicy,
      settings,
      (counter) => this.#count(counter, 'organization'),
      maxOrganizations,
    );
  }

  #count(counter: Counter, kind: 'project' | 'organization'): void {
    if (counter === 'fetches') {
      if (kind === 'project') this.#counters.projectFetches++;
      else this.#counters.organizationFetches++;
    } else {
      this.#counters[counter]++;
    }
  }

  /**
   * The project policy and the organization's custom roles, from the cache when usable,
   * otherwise fetched (single-flight, both in parallel).
   *
   * @throws StytchUnavailableError (503) when nothing usable is cached and the fetch fails.
   * @throws BadRequestError when `organizationId` is not a non-empty string.
   */
  async get(organizationId: string): Promise<PolicySnapshot> {
    assertOrganizationId(organizationId);
    const [policy, orgPolicy] = await Promise.all([this.#project.get(PROJECT_KEY), this.#orgs.get(organizationId)]);
    return { policy, orgPolicy };
  }

  /**
   * The policies when usable, without waiting: like {@link PolicyCache.get} on a warm cache
   * (past the TTL it answers with the cached copy and refreshes in the background), but
   * synchronous and `undefined` instead of fetching when nothing usable is cached. This is the
   * hot path of the permission guard.
   */
  lookup(organizationId: string): PolicySnapshot | undefined {
    if (typeof organizationId !== 'string' || organizationId.length === 0) return undefined;
    const policy = this.#project.lookup(PROJECT_KEY);
    const orgPolicy = this.#orgs.lookup(organizationId);
    if (policy === undefined || orgPolicy === undefined) return undefined;
    return { policy, orgPolicy };
  }

  /**
   * The project policy alone (roles, resources and `scopes`), for callers without an
   * organization such as M2M tokens: from the cache when usable, otherwise fetched.
   *
   * @throws StytchUnavailableError (503) when nothing usable is cached and the fetch fails.
   */
  getProjectPolicy(): Promise<RbacPolicy> {
    return this.#project.get(PROJECT_KEY);
  }

  /** The project policy when usable, without waiting (see {@link PolicyCache.lookup}). */
  lookupProjectPolicy(): RbacPolicy | undefined {
    return this.#project.lookup(PROJECT_KEY);
  }

  /**
   * Start loading the policies of an organization in the background when nothing usable is
   * cached (refreshing them when past the TTL), so that a later {@link PolicyCache.lookup} finds
   * them. Never rejects.
   */
  prefetch(organizationId: string): void {
    if (typeof organizationId !== 'string' || organizationId.length === 0) return;
    this.#project.prefetch(PROJECT_KEY);
    this.#orgs.prefetch(organizationId);
  }

  /**
   * Fresh policies for a check that `roles` may have been refused by only because the cache is
   * older than a role: when one of `roles` is defined neither by the cached project policy nor by
   * the organization's, both are refetched (single-flight) if at least `unknownRoleRefetchMs` old.
   * Decide again with the answer; on rejection (Stytch unreachable, a malformed answer) keep the
   * first decision: the cached copies stay in use.
   *
   * @returns the refetched snapshot; `undefined` when every role is defined, nothing is cached,
   *   or the copies are too recent to refetch (or the feature is off).
   * @example
   * const fresh = cache.revalidateForRoles(auth.organizationId, auth.roles);
   * if (!decision.authorized && fresh !== undefined) decision = evaluate(await fresh);
   */
  revalidateForRoles(organizationId: string, roles: readonly string[]): Promise<PolicySnapshot> | undefined {
    const minAgeMs = this.#unknownRoleRefetchMs;
    if (minAgeMs === 0 || !Array.isArray(roles)) return undefined;
    const snapshot = this.lookup(organizationId);
    if (snapshot === undefined) return undefined;
    const project = compileRoles(snapshot.policy);
    const org = compileRoles(snapshot.orgPolicy);
    if (!roles.some((role) => typeof role === 'string' && !definesRole(project, role) && !definesRole(org, role))) return undefined;
    const policy = this.#project.refetchIfOlder(PROJECT_KEY, minAgeMs);
    const orgPolicy = this.#orgs.refetchIfOlder(organizationId, minAgeMs);
    if (policy === undefined && orgPolicy === undefined) return undefined;
    this.#counters.unknownRoleRefetches++;
    return Promise.all([policy ?? snapshot.policy, orgPolicy ?? snapshot.orgPolicy]).then(([p, o]) => ({ policy: p, orgPolicy: o }));
  }

  /**
   * The same for a machine token's scopes: when one of `scopes` is not in the cached project
   * policy's `scopes` section (a scope added in Stytch since), the project policy is refetched if
   * at least `unknownRoleRefetchMs` old. Counted in `unknownRoleRefetches` too.
   *
   * @returns the refetched project policy; `undefined` when every scope is defined, nothing is
   *   cached, or the copy is too recent (or the feature is off).
   */
  revalidateForScopes(scopes: readonly string[]): Promise<RbacPolicy> | undefined {
    const minAgeMs = this.#unknownRoleRefetchMs;
    if (minAgeMs === 0 || !Array.isArray(scopes)) return undefined;
    const policy = this.#project.lookup(PROJECT_KEY);
    if (policy === undefined) return undefined;
    if (!scopes.some((scope) => typeof scope === 'string' && !policyDefinesScope(policy, scope))) return undefined;
    const fresh = this.#project.refetchIfOlder(PROJECT_KEY, minAgeMs);
    if (fresh !== undefined) this.#counters.unknownRoleRefetches++;
    return fresh;
  }

  /** A snapshot of the counters, for metrics. */
  stats(): PolicyCacheStats {
    return {
      ...this.#counters,
      organizationsCached: this.#orgEntries.size,
      inflight: this.#project.inflight.size + this.#orgs.inflight.size,
    };
  }
}

function assertOrganizationId(organizationId: unknown): asserts organizationId is string {
  if (typeof organizationId !== 'string' || organizationId.length === 0) {
    throw new BadRequestError('invalid_organization_id', 'An organization id is required for an RBAC check.');
  }
}
