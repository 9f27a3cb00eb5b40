/**
 * The routes' attempt limits, bound to the store of one `stytchAuth()` instance. A refused
 * attempt never reaches Stytch: it is answered 429 `too_many_attempts` with `Retry-After`.
 */
import type { IncomingMessage } from 'node:http';
import { TooManyAttemptsError } from '../errors.js';
import { AttemptLimiter } from '../store/limiter.js';
import type { SharedStore } from '../store/types.js';
import type { ResolvedRouteLimits } from './options.js';

/** One router's limiters (undefined: that limit is off). */
export interface RouteLimiters {
  readonly code: AttemptLimiter | undefined;
  readonly email: AttemptLimiter | undefined;
  readonly sms: AttemptLimiter | undefined;
  readonly client: AttemptLimiter | undefined;
  readonly clientAddress: (req: IncomingMessage) => string | undefined;
}

/** Build the limiters of one router over one store. */
export function createRouteLimiters(limits: ResolvedRouteLimits, store: SharedStore): RouteLimiters {
  const make = (name: string, limit: ResolvedRouteLimits['codeAttempts']) => (limit === undefined ? undefined : new AttemptLimiter(store, name, limit));
  return Object.freeze({
    code: make('mfa_code', limits.codeAttempts),
    email: make('email_send', limits.emailSends),
    sms: make('sms_send', limits.smsSends),
    client: make('client_send', limits.sendsPerClient),
    clientAddress: limits.clientAddress,
  });
}

/** Count one attempt; throws {@link TooManyAttemptsError} when over the limit. */
export async function enforceLimit(limiter: AttemptLimiter | undefined, key: string | undefined): Promise<void> {
  if (limiter === undefined || key === undefined || key === '') return;
  const verdict = await limiter.consume(key);
  if (!verdict.allowed) throw new TooManyAttemptsError(verdict.retryAfterSeconds);
}

/** Count one send per client address (when that limit is on). */
export function enforceClientLimit(limiters: RouteLimiters, req: IncomingMessage): Promise<void> {
  if (limiters.client === undefined) return Promise.resolve();
  let address: string | undefined;
  try {
    address = limiters.clientAddress(req);
  } catch {
    address = undefined;
  }
  return enforceLimit(limiters.client, typeof address === 'string' ? address : undefined);
}
