/**
 * The fleet store on Redis, through node-redis (the `redis` package, an optional peer
 * dependency loaded only when this store is created). Revocations are written as keys with a
 * TTL (so a process that starts or reconnects later loads them) and announced on a pub/sub
 * channel (so running processes learn them within milliseconds). Attempt counters are one
 * atomic script per hit.
 *
 * An outage never turns into a refusal or an error: revocations made here are enforced here at
 * once and written to Redis when it is back, counters fall back to this process, and the state
 * change is logged once each way and counted in `metrics()`.
 */
import { createHash } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { logEvent } from '../session/logger.js';
import type { Logger } from '../session/logger.js';
import { LocalCounter } from './local-counter.js';
import { RevocationSet } from './revocation-set.js';
import type { HitResult, RevocationKind, SharedStore, StoreMetricsSnapshot } from './types.js';

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  /** Redis URL, e.g. `redis://127.0.0.1:6379` or `rediss://user:pass@host:6380`. Required. */
  url: string;
  /** Prefix of every key and of the channel, so several apps can share one Redis. Default `stytch:`. */
  prefix?: string;
  /** Deadline of one Redis command in ms; a slower answer counts as an outage. Default 250. */
  commandTimeoutMs?: number;
  /** Deadline of one connection attempt in ms. Default 2 000. */
  connectTimeoutMs?: number;
  /** How long `ready()` waits for the first connection and the initial load, in ms. Default 3 000. */
  readyTimeoutMs?: number;
  /** While Redis is down or slow, how often it is probed, in ms. Default 1 000. */
  probeIntervalMs?: number;
  /** Most revocations and most per-process counters kept in memory (each). Default 100 000. */
  maxEntries?: number;
  /** Receives `stytch.store.*` events (state changes only; never keys' contents). */
  logger?: Logger;
  /** Epoch-ms clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/** The slice of a node-redis client used here (stable across node-redis 5 and 6). */
interface RedisConnection {
  readonly isReady: boolean;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  connect(): Promise<unknown>;
  sendCommand(args: string[]): Promise<unknown>;
  duplicate(): RedisConnection;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  destroy?(): void;
  disconnect?(): Promise<void>;
}

interface RedisModule {
  createClient(options: Record<string, unknown>): RedisConnection;
}

/** Atomic fixed window: count, start the window on the first hit, answer count and time left. */
const HIT_SCRIPT =
  "local c = redis.call('INCR', KEYS[1]) local t = redis.call('PTTL', KEYS[1]) " +
  "if t < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) t = tonumber(ARGV[1]) end return {c, t}";
/** Most revocations made here that are re-written after an outage. */
const MAX_OWN = 10_000;
const MAX_ID_CHARS = 1024;

class CommandTimeout extends Error {}

function positiveInteger(option: string, value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) throw new ConfigError(`redisStore(): option "${option}" must be an integer between 1 and ${max}.`);
  return value;
}

/**
 * A {@link SharedStore} on Redis, for many instances behind a load balancer: a logout on one
 * instance is refused by all within about a second, and attempt limits count across instances.
 *
 * @throws {ConfigError} when `url` is not a `redis:` or `rediss:` URL or a number option is out of range.
 * @example
 * const store = redisStore({ url: process.env.REDIS_URL! });
 * await store.ready();
 * const auth = stytchAuth({ store });
 */
export function redisStore(options: RedisStoreOptions): SharedStore {
  if (typeof options !== 'object' || options === null) throw new ConfigError('redisStore(): options must be an object with a "url".');
  let parsed: URL;
  try {
    parsed = new URL(options.url);
  } catch {
    throw new ConfigError('redisStore(): option "url" must be a redis:// or rediss:// URL.');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new ConfigError('redisStore(): option "url" must be a redis:// or rediss:// URL.');
  const prefix = options.prefix ?? 'stytch:';
  if (typeof prefix !== 'string' || prefix.length > 100) throw new ConfigError('redisStore(): option "prefix" must be a string of at most 100 characters.');
  return new RedisStore({
    url: options.url,
    prefix,
    commandTimeoutMs: positiveInteger('commandTimeoutMs', options.commandTimeoutMs, 250, 60_000),
    connectTimeoutMs: positiveInteger('connectTimeoutMs', options.connectTimeoutMs, 2_000, 60_000),
    readyTimeoutMs: positiveInteger('readyTimeoutMs', options.readyTimeoutMs, 3_000, 600_000),
    probeIntervalMs: positiveInteger('probeIntervalMs', options.probeIntervalMs, 1_000, 600_000),
    maxEntries: positiveInteger('maxEntries', options.maxEntries, 100_000, 10_000_000),
    logger: options.logger,
    now: options.now ?? Date.now,
  });
}

interface Resolved {
  url: string;
  prefix: string;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  readyTimeoutMs: number;
  probeIntervalMs: number;
  maxEntries: number;
  logger: Logger | undefined;
  now: () => number;
}

interface Unpublished {
  kind: RevocationKind;
  id: string;
  atMs: number;
  untilMs: number;
}

interface Own extends Unpublished {
  /** True once Redis holds it (since the last outage). */
  written: boolean;
}

class RedisStore implements SharedStore {
  readonly kind = 'redis' as const;
  readonly #o: Resolved;
  readonly #revocations: RevocationSet;
  readonly #counter: LocalCounter;
  readonly #channel: string;
  /**
   * Revocations made here and still live, keyed by kind and id. Written again after every outage:
   * Redis may have come back empty (a restart without persistence), and late starters must see them.
   */
  readonly #own = new Map<string, Own>();
  #client: RedisConnection | undefined;
  #subscriber: RedisConnection | undefined;
  /** `starting` until the first connection; no outage is counted before it. */
  #state: 'starting' | 'up' | 'down' = 'starting';
  #downSince = 0;
  #probe: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  #syncing: Promise<void> | undefined;
  /** A subscribe was sent (true) / confirmed (#listening). */
  #subscribed = false;
  #listening = false;
  /** Settles once connected, subscribed and loaded (or when the client is missing). */
  readonly #started: Promise<void>;
  #markStarted: () => void = () => undefined;
  #outages = 0;
  #commandFailures = 0;
  #published = 0;
  #received = 0;
  #localHits = 0;

  constructor(options: Resolved) {
    this.#o = options;
    this.#revocations = new RevocationSet(options.now, options.maxEntries);
    this.#counter = new LocalCounter(options.now, options.maxEntries);
    this.#channel = `${options.prefix}revocations`;
    this.#started = new Promise<void>((resolve) => {
      this.#markStarted = resolve;
    });
    void this.#start();
  }

  get hasRevocations(): boolean {
    return this.#revocations.size > 0;
  }

  isRevoked(sessionId: string, memberId: string, sessionStartedAtMs: number): boolean {
    return this.#revocations.isRevoked(sessionId, memberId, sessionStartedAtMs);
  }

  async revoke(kind: RevocationKind, id: string, untilMs: number): Promise<void> {
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_CHARS || !Number.isFinite(untilMs)) return;
    const atMs = this.#o.now();
    // Enforced here first, whatever Redis does next.
    this.#revocations.add(kind, id, atMs, untilMs);
    this.#published++;
    const entry = this.#keepOwn({ kind, id, atMs, untilMs, written: false });
    if (this.#state === 'up' && (await this.#write(entry))) entry.written = true;
  }

  async hit(key: string, windowMs: number): Promise<HitResult> {
    if (this.#state === 'up') {
      try {
        const reply = await this.#command(['EVAL', HIT_SCRIPT, '1', this.#hitKey(key), String(Math.max(1, Math.round(windowMs)))]);
        if (Array.isArray(reply) && reply.length === 2) {
          const count = Number(reply[0]);
          const ttl = Number(reply[1]);
          if (Number.isFinite(count) && Number.isFinite(ttl)) return { count, resetInMs: Math.max(0, ttl), local: false };
        }
        this.#failed('bad_reply');
      } catch (error) {
        this.#failed(error instanceof CommandTimeout ? 'timeout' : 'error');
      }
    }
    this.#localHits++;
    return { ...this.#counter.hit(key, windowMs), local: true };
  }

  async reset(key: string): Promise<void> {
    this.#counter.reset(key);
    if (this.#state !== 'up') return;
    try {
      await this.#command(['DEL', this.#hitKey(key)]);
    } catch (error) {
      this.#failed(error instanceof CommandTimeout ? 'timeout' : 'error');
    }
  }

  ready(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const giveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#o.readyTimeoutMs);
      timer.unref?.();
    });
    return Promise.race([this.#started, giveUp]).finally(() => clearTimeout(timer));
  }

  metrics(): StoreMetricsSnapshot {
    return {
      kind: 'redis',
      state: this.#state === 'up' ? 'up' : 'down',
      outages: this.#outages,
      commandFailures: this.#commandFailures,
      revocationsPublished: this.#published,
      revocationsReceived: this.#received,
      revocationsUnpublished: this.#unwritten(),
      revocationsKnown: this.#revocations.size,
      localHits: this.#localHits,
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#stopProbe();
    for (const connection of [this.#subscriber, this.#client]) {
      if (connection === undefined) continue;
      try {
        if (typeof connection.destroy === 'function') connection.destroy();
        else await connection.disconnect?.();
      } catch {
        // Closing a broken connection has nothing left to do.
      }
    }
  }

  /** Load node-redis, connect both connections, subscribe, load what was published before. */
  async #start(): Promise<void> {
    let redis: RedisModule;
    try {
      redis = await import('redis');
    } catch {
      logEvent(this.#o.logger, 'error', 'stytch.store.redis_client_missing', { hint: 'npm install redis' });
      this.#down('client_missing');
      this.#markStarted();
      return;
    }
    if (this.#closed) return;
    const client = redis.createClient({
      url: this.#o.url,
      // Commands fail at once while disconnected, instead of queueing behind the outage.
      disableOfflineQueue: true,
      socket: { connectTimeout: this.#o.connectTimeoutMs, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000) },
    });
    this.#client = client;
    const subscriber = client.duplicate();
    this.#subscriber = subscriber;
    client.on('error', () => this.#down('connection'));
    subscriber.on('error', () => this.#down('connection'));
    // A reconnect may have missed messages: load the keys again, then write what is pending.
    client.on('ready', () => void this.#up());
    subscriber.on('ready', () => {
      // Subscribed once, node-redis subscribes again by itself after each reconnect.
      if (!this.#subscribed) {
        this.#subscribed = true;
        subscriber.subscribe(this.#channel, (message) => this.#onMessage(message)).then(
          // Load after subscribing, so nothing published in between is missed.
          () => {
            this.#listening = true;
            return this.#state === 'up' ? this.#sync() : undefined;
          },
          () => {
            this.#subscribed = false;
          },
        );
      } else if (this.#state === 'up') void this.#sync();
    });
    client.connect().catch(() => this.#down('connection'));
    subscriber.connect().catch(() => this.#down('connection'));
  }

  async #up(): Promise<void> {
    if (this.#closed || this.#client?.isReady !== true) return;
    try {
      await this.#command(['PING']);
    } catch {
      this.#failed('timeout');
      return;
    }
    if (this.#state !== 'up') {
      const was = this.#state;
      this.#state = 'up';
      this.#stopProbe();
      if (was === 'starting') logEvent(this.#o.logger, 'info', 'stytch.store.connected', { kind: 'redis' });
      else logEvent(this.#o.logger, 'info', 'stytch.store.recovered', { kind: 'redis', downForMs: this.#o.now() - this.#downSince });
      for (const entry of this.#own.values()) entry.written = false;
    }
    await this.#sync();
  }

  #down(reason: string): void {
    if (this.#closed || this.#state === 'down') return;
    this.#state = 'down';
    this.#outages++;
    this.#downSince = this.#o.now();
    logEvent(this.#o.logger, 'warn', 'stytch.store.unavailable', { kind: 'redis', reason });
    this.#startProbe();
  }

  #failed(reason: string): void {
    this.#commandFailures++;
    this.#down(reason);
  }

  #startProbe(): void {
    if (this.#probe !== undefined || this.#closed) return;
    this.#probe = setInterval(() => void this.#up(), this.#o.probeIntervalMs);
    this.#probe.unref?.();
  }

  #stopProbe(): void {
    if (this.#probe !== undefined) clearInterval(this.#probe);
    this.#probe = undefined;
  }

  /** Load the published revocations, then write the ones made here during the outage. One at a time. */
  #sync(): Promise<void> {
    this.#syncing ??= this.#load()
      .then(() => this.#flush())
      .then(() => {
        if (this.#listening) this.#markStarted();
      })
      .catch(() => this.#failed('error'))
      .finally(() => {
        this.#syncing = undefined;
      });
    return this.#syncing;
  }

  async #load(): Promise<void> {
    let cursor = '0';
    do {
      const reply = await this.#command(['SCAN', cursor, 'MATCH', `${this.#o.prefix}rev:*`, 'COUNT', '1000']);
      if (!Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[1])) throw new Error('bad SCAN reply');
      cursor = String(reply[0]);
      const keys = (reply[1] as unknown[]).map(String);
      if (keys.length === 0) continue;
      const values = await this.#command(['MGET', ...keys]);
      if (!Array.isArray(values)) throw new Error('bad MGET reply');
      keys.forEach((key, i) => {
        const value: unknown = values[i];
        if (typeof value === 'string') this.#learn(key.slice(this.#o.prefix.length + 4), value);
      });
    } while (cursor !== '0');
  }

  async #flush(): Promise<void> {
    const now = this.#o.now();
    for (const [key, entry] of [...this.#own]) {
      if (!(entry.untilMs > now)) {
        this.#own.delete(key);
        continue;
      }
      if (entry.written) continue;
      if (!(await this.#write(entry))) return;
      entry.written = true;
    }
  }

  /** Key with TTL (late starters) and message (running processes). False when Redis failed. */
  async #write(entry: Unpublished): Promise<boolean> {
    const ttl = Math.ceil(entry.untilMs - this.#o.now());
    if (ttl <= 0) return true;
    const value = `${entry.atMs}:${entry.untilMs}`;
    try {
      await Promise.all([
        this.#command(['SET', `${this.#o.prefix}rev:${entry.kind === 'session' ? 's' : 'm'}:${entry.id}`, value, 'PX', String(ttl)]),
        this.#command(['PUBLISH', this.#channel, JSON.stringify([entry.kind, entry.id, entry.atMs, entry.untilMs])]),
      ]);
      return true;
    } catch (error) {
      this.#failed(error instanceof CommandTimeout ? 'timeout' : 'error');
      return false;
    }
  }

  #keepOwn(entry: Own): Own {
    const key = `${entry.kind}:${entry.id}`;
    this.#own.delete(key);
    if (this.#own.size >= MAX_OWN) {
      const oldest = this.#own.keys().next().value;
      if (oldest !== undefined) this.#own.delete(oldest);
    }
    this.#own.set(key, entry);
    return entry;
  }

  #unwritten(): number {
    let count = 0;
    for (const entry of this.#own.values()) if (!entry.written) count++;
    return count;
  }

  /** A key's tail (`s:<id>` or `m:<id>`) and its value `<atMs>:<untilMs>`. */
  #learn(tail: string, value: string): void {
    const kind: RevocationKind | undefined = tail.startsWith('s:') ? 'session' : tail.startsWith('m:') ? 'member' : undefined;
    const [at, until] = value.split(':').map(Number);
    if (kind === undefined || at === undefined || until === undefined || !Number.isFinite(at) || !Number.isFinite(until)) return;
    if (this.#revocations.add(kind, tail.slice(2), at, until)) this.#received++;
  }

  #onMessage(message: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    if (!Array.isArray(parsed) || parsed.length !== 4) return;
    const [kind, id, at, until] = parsed as unknown[];
    if ((kind !== 'session' && kind !== 'member') || typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_CHARS) return;
    if (typeof at !== 'number' || typeof until !== 'number' || !Number.isFinite(at) || !Number.isFinite(until)) return;
    if (this.#revocations.add(kind, id, at, until)) this.#received++;
  }

  #hitKey(key: string): string {
    // Keys may hold an email address or a client address: only a digest reaches Redis.
    return `${this.#o.prefix}hit:${createHash('sha256').update(key).digest('base64url')}`;
  }

  /** One command with a deadline; rejects at once when not connected. */
  #command(args: string[]): Promise<unknown> {
    const client = this.#client;
    if (client === undefined || !client.isReady) return Promise.reject(new Error('not connected'));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CommandTimeout('deadline')), this.#o.commandTimeoutMs);
      timer.unref?.();
    });
    const sent = client.sendCommand(args);
    // A late answer after the deadline is dropped, never an unhandled rejection.
    sent.catch(() => undefined);
    return Promise.race([sent, deadline]).finally(() => clearTimeout(timer));
  }
}
