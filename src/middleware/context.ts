import { MiddlewareNotMountedError } from '../errors.js';
import type { Decision } from '../session/decision.js';
import { findRequestState } from './request-state.js';
import type { StytchRequestContext } from './types.js';

export type { ErrorPageRenderer, ResolvedCookieConfig, StytchContextConfig, StytchRequestContext } from './types.js';

/** Per decision (decisions of cached tokens are shared), the context with its credential. */
const withCredential = new WeakMap<Decision, StytchRequestContext>();

/**
 * The context of the `stytchAuth()` that decided this request, with the request's credential.
 * Internal form of {@link getStytchContext}: undefined when `stytchAuth()` did not run.
 */
export function findStytchContext(req: object): StytchRequestContext | undefined {
  const state = findRequestState(req);
  const base = state?.instance?.context;
  const decision = state?.decision;
  if (base === undefined || decision === undefined) return undefined;
  if (decision.credential === undefined) return base;
  let ctx = withCredential.get(decision);
  if (ctx === undefined) {
    ctx = Object.freeze({ ...base, credential: decision.credential });
    withCredential.set(decision, ctx);
  }
  return ctx;
}

/**
 * Read the context that `stytchAuth()` attached to the request: the shared client, the policy
 * cache, the clock, the logger, the resolved config and this request's credential.
 *
 * @throws MiddlewareNotMountedError when `stytchAuth()` is not mounted before the caller.
 * @example
 * const { client, now } = getStytchContext(req);
 */
export function getStytchContext(req: object): StytchRequestContext {
  const ctx = findStytchContext(req);
  if (ctx === undefined) throw new MiddlewareNotMountedError('getStytchContext(req): stytchAuth() middleware is not mounted before this route. Add app.use(stytchAuth()) first.');
  return ctx;
}
