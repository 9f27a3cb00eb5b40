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
 * Where the record lives: in a true private field stamped onto the request object, so nothing
 * set on `req` by someone else is ever trusted. A `#field` is not a property: no code outside
 * this class can read, enumerate (`Object.getOwnPropertySymbols`, `util.inspect`), copy or forge
 * it, and a Proxy cannot intercept it; it has the privacy of a module-private WeakMap. It is
 * used instead of one for speed: a WeakMap write for a new key was the most expensive step of a
 * warm request (~150-250 ns plus ephemeron work for the garbage collector), a field ~10-20 ns.
 *
 * The stamp uses the standard "constructor returns another object" rule: `super(target)` makes
 * `target` the `this` of the subclass constructor, which then initialises its private field on it.
 * Objects that cannot take a new field (non-extensible) or are not objects at all use the
 * WeakMap, which keeps the exact old behaviour for them.
 */
class ReturnsItsTarget {
  constructor(target: object) {
    return target;
  }
}

const fallback = new WeakMap<object, RequestState>();

class RequestStamp extends ReturnsItsTarget {
  #state: RequestState;

  private constructor(target: object, state: RequestState) {
    super(target);
    this.#state = state;
  }

  static find(req: object): RequestState | undefined {
    if (req === null || (typeof req !== 'object' && typeof req !== 'function')) return undefined;
    return #state in req ? req.#state : fallback.get(req);
  }

  /** Only for a request without a record (a private field cannot be initialised twice). */
  static attach(req: object, state: RequestState): void {
    if (req !== null && (typeof req === 'object' || typeof req === 'function') && Object.isExtensible(req)) new RequestStamp(req, state);
    else fallback.set(req, state);
  }
}

/** The request's record, or undefined when `stytchAuth()` has attached nothing to it. */
export function findRequestState(req: object): RequestState | undefined {
  return RequestStamp.find(req);
}

/** The request's record, created empty on first use. */
export function requestState(req: object): RequestState {
  let state = RequestStamp.find(req);
  if (state === undefined) {
    state = { auth: undefined, ctx: undefined, verdict: undefined };
    RequestStamp.attach(req, state);
  }
  return state;
}

/** Attach the context and the auth object at once (the middleware's warm path). */
export function attachRequestState(req: object, ctx: StytchRequestContext, auth: StytchAuth): void {
  const state = RequestStamp.find(req);
  if (state === undefined) {
    RequestStamp.attach(req, { auth, ctx, verdict: undefined });
  } else {
    state.ctx = ctx;
    state.auth = auth;
  }
}
