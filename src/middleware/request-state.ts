import type { StytchAuth } from './auth-object.js';
import type { StytchRequestContext } from './context.js';
import type { AuthorizationVerdictInfo } from './require-permission.js';

/**
 * Everything this library attaches to one request, in one record: the auth object, the
 * request context and the last RBAC verdict. Internal: read through `getStytchAuth`,
 * `getStytchContext` and `getAuthorizationVerdict`.
 */
export interface RequestState {
  auth: StytchAuth | undefined;
  ctx: StytchRequestContext | undefined;
  verdict: AuthorizationVerdictInfo | undefined;
}

/*
 * One WeakMap keyed by the request, module-private, so nothing set on `req` by someone else is
 * ever trusted (a property, even under a Symbol, could be copied or forged by other code).
 * One record per request rather than one WeakMap per value: a WeakMap write for a new key is by
 * far the most expensive step of a warm request (hundreds of ns, plus ephemeron work for the
 * garbage collector), while filling in a field of the record is a plain property store.
 */
const stateByRequest = new WeakMap<object, RequestState>();

/** The request's record, or undefined when `stytchAuth()` has attached nothing to it. */
export function findRequestState(req: object): RequestState | undefined {
  return stateByRequest.get(req);
}

/** The request's record, created empty on first use. */
export function requestState(req: object): RequestState {
  let state = stateByRequest.get(req);
  if (state === undefined) {
    state = { auth: undefined, ctx: undefined, verdict: undefined };
    stateByRequest.set(req, state);
  }
  return state;
}

/**
 * Attach the context and the auth object at once (the middleware's warm path): one WeakMap
 * write for a request seen for the first time.
 */
export function attachRequestState(req: object, ctx: StytchRequestContext, auth: StytchAuth): void {
  const state = stateByRequest.get(req);
  if (state === undefined) {
    stateByRequest.set(req, { auth, ctx, verdict: undefined });
  } else {
    state.ctx = ctx;
    state.auth = auth;
  }
}
