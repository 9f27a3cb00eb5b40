import { ConfigError } from '../errors.js';
import type { Logger } from '../session/logger.js';
import { memoryStore } from './memory-store.js';
import { redisStore } from './redis-store.js';
import type { RedisStoreOptions } from './redis-store.js';
import type { SharedStore } from './types.js';

/** What {@link createStore} accepts: nothing (memory), `'memory'`, or the Redis options. */
export type StoreConfig = 'memory' | { redis: RedisStoreOptions } | { redis: string };

/**
 * Create a store from configuration: Redis when a Redis URL (or options) is given, memory otherwise.
 *
 * @throws {ConfigError} on anything else, or on invalid Redis options.
 * @example
 * const store = createStore(process.env.REDIS_URL ? { redis: process.env.REDIS_URL } : 'memory');
 */
export function createStore(config: StoreConfig | undefined = 'memory', defaults: { logger?: Logger; now?: () => number } = {}): SharedStore {
  if (config === undefined || config === 'memory') return memoryStore(defaults.now === undefined ? {} : { now: defaults.now });
  if (typeof config === 'object' && config !== null && 'redis' in config) {
    const redis = typeof config.redis === 'string' ? { url: config.redis } : config.redis;
    return redisStore({ ...defaults, ...redis });
  }
  throw new ConfigError('createStore(): config must be "memory", { redis: url } or { redis: { url, ... } }.');
}
