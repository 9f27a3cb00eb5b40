import type { Decision } from '../session/decision.js';
import type { AuthorizationVerdictInfo, StytchInstance } from './types.js';

/**
 * Everything this library attaches to one request, in one record: the decision of
 * `stytchAuth()`, the instance that made it, and the last RBAC verdict. Internal: read through
 * `getStytchAuth`, `getStytchContext` and `getAuthorizationVerdict`.
 */
export interface RequestState {
  decision: Decision | undefined;
  instance: StytchInstance | undefined;
  verdict: AuthorizationVerdictInfo | undefined;
}

/*
 * Where the record lives: in a true private field stamped onto the request object, so nothing
 * set on `req` by someone else is ever trusted. A `#field` is not a property: no code outside
 * this class can read, enumerate (`Object.getOwnPropertySymbols`, `util.inspect`), copy or forge
 * it, and a Proxy cannot intercept it: the privacy of a module-private WeakMap, at the cost of a
 * field write instead of a WeakMap insertion (which also adds ephemeron work for the collector).
 *
 * The stamp uses the standard "constructor returns another object" rule: `super(target)` makes
 * `target` the `this` of the subclass constructor, which then initialises its private field on it.
 * Objects that cannot take a new field (non-extensible) use a WeakMap instead.
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
    state = { decision: undefined, instance: undefined, verdict: undefined };
    RequestStamp.attach(req, state);
  }
  return state;
}

/** Attach a decision and the instance that made it (the middleware's one write per request). */
export function attachDecision(req: object, instance: StytchInstance, decision: Decision): void {
  const state = RequestStamp.find(req);
  if (state === undefined) {
    RequestStamp.attach(req, { decision, instance, verdict: undefined });
  } else {
    state.instance = instance;
    state.decision = decision;
  }
}
