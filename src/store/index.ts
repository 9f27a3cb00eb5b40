export { memoryStore } from './memory-store.js';
export type { MemoryStoreOptions } from './memory-store.js';
export { redisStore } from './redis-store.js';
export type { RedisStoreOptions } from './redis-store.js';
export { createStore } from './create-store.js';
export type { StoreConfig } from './create-store.js';
export { AttemptLimiter } from './limiter.js';
export type { AttemptLimit, LimitVerdict } from './limiter.js';
export type { HitResult, RevocationKind, SharedStore, StoreMetricsSnapshot } from './types.js';
