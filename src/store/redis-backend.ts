/**
 * The machinery behind `redisStore()`: two node-redis connections (commands, and pub/sub), the
 * local mirror of revocations, the outage state machine with its probe, and the local fallbacks.
 * Internal.
 */
import { createHash } from 'node:crypto';
import { logEvent } from '../session/logger.js';
import type { Logger } from '../session/logger.js';
import { LocalCounter } from './local-counter.js';
import { RevocationSet } from './revocation-set.js';
import type { HitResult, RevocationKind, SharedStore, StoreMetricsSnapshot } from './types.js';

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
/** The current window's count and time left, without counting. */
const PEEK_SCRIPT = "local c = redis.call('GET', KEYS[1]) local t = redis.call('PTTL', KEYS[1]) return {tonumber(c) or 0, t}";
/** Most revocations made here that are re-written after an outage. */
const MAX_OWN = 10_000;
const MAX_ID_CHARS = 1024;

class CommandTimeout extends Error {}

/** Validated options of `redisStore()`. */
export interface Resolved {
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

/** The Redis store; created by `redisStore()`. */
export class RedisStore implements SharedStore {
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
    const shared = await this.#window(HIT_SCRIPT, key, [String(Math.max(1, Math.round(windowMs)))]);
    if (shared !== undefined) return shared;
    this.#localHits++;
    return { ...this.#counter.hit(key, windowMs), local: true };
  }

  async peek(key: string): Promise<HitResult> {
    return (await this.#window(PEEK_SCRIPT, key, [])) ?? { ...this.#counter.peek(key), local: true };
  }

  /** Run a counter script (`{count, ttl}` reply) while Redis is up; undefined means "count locally". */
  async #window(script: string, key: string, args: string[]): Promise<HitResult | undefined> {
    if (this.#state !== 'up') return undefined;
    try {
      const reply = await this.#command(['EVAL', script, '1', this.#hitKey(key), ...args]);
      if (Array.isArray(reply) && reply.length === 2) {
        const count = Number(reply[0]);
        const ttl = Number(reply[1]);
        if (Number.isFinite(count) && Number.isFinite(ttl)) return { count, resetInMs: Math.max(0, ttl), local: false };
      }
      this.#failed('bad_reply');
    } catch (error) {
      this.#failed(error instanceof CommandTimeout ? 'timeout' : 'error');
    }
    return undefined;
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
