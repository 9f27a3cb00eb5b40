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
import { ConfigError } from '../errors.js';
import type { Logger } from '../session/logger.js';
import { RedisStore } from './redis-backend.js';
import type { SharedStore } from './types.js';

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

