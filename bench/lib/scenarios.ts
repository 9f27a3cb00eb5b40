/**
 * The benchmark scenarios: one small one-route app per file under `bench/servers/`, each answering
 * `GET /data` with the same small JSON body.
 *
 * `credential` says what the load generator sends. Every scenario, even the bare ones, receives a
 * session cookie of the same size, so the request bytes and the load generator's own work are the
 * same everywhere and the ratios compare only what the server does with the request.
 */

/** What the load generator puts in the `Cookie` header. */
export type CredentialKind =
  /** The same valid session JWT on every request (`stytch_session_jwt`). */
  | 'warm-jwt'
  /** A different valid session JWT on every request, rotating through a pre-minted pool. */
  | 'jwt-pool'
  /** The same opaque session token on every request (`stytch_session`). */
  | 'opaque'
  /** A different session's opaque token on every request, rotating through a pool of real sessions. */
  | 'opaque-pool'
  /** The same M2M access token on every request, as `Authorization: Bearer` (machine tokens never ride in cookies). */
  | 'warm-m2m';

/** One benchmarked server. */
export interface Scenario {
  /** Stable id, used on the command line (`--only`, `--profile`) and in the results. */
  readonly id: string;
  /** Human label for the table and the chart. */
  readonly label: string;
  /** Server file under `bench/servers/`, without extension. */
  readonly file: string;
  readonly group: 'bare' | 'ours' | 'peer';
  readonly credential: CredentialKind;
  /** True when a request without a credential must be refused (checked before measuring). */
  readonly requiresAuth: boolean;
}

/** Every scenario, in table order. */
export const SCENARIOS: readonly Scenario[] = [
  { id: 'bare-http', label: 'bare node:http', file: 'bare-http', group: 'bare', credential: 'warm-jwt', requiresAuth: false },
  { id: 'bare-express', label: 'bare Express', file: 'bare-express', group: 'bare', credential: 'warm-jwt', requiresAuth: false },
  { id: 'control-2mw', label: 'control: bare Express + 2 no-op middlewares', file: 'control-2mw', group: 'bare', credential: 'warm-jwt', requiresAuth: false },
  { id: 'ours-warm', label: 'ours: warm JWT (requireAuth)', file: 'ours-warm', group: 'ours', credential: 'warm-jwt', requiresAuth: true },
  { id: 'ours-m2m', label: 'ours: warm M2M token (requireScope)', file: 'ours-m2m', group: 'ours', credential: 'warm-m2m', requiresAuth: true },
  { id: 'ours-rbac', label: 'ours: warm JWT + requirePermission', file: 'ours-rbac', group: 'ours', credential: 'warm-jwt', requiresAuth: true },
  { id: 'ours-cold', label: 'ours: cold JWT (distinct tokens)', file: 'ours-cold', group: 'ours', credential: 'jwt-pool', requiresAuth: true },
  { id: 'ours-opaque', label: 'ours: opaque token (default, answer reused)', file: 'ours-opaque', group: 'ours', credential: 'opaque', requiresAuth: true },
  { id: 'ours-opaque-net', label: 'ours: opaque token, network every request', file: 'ours-opaque-net', group: 'ours', credential: 'opaque', requiresAuth: true },
  { id: 'ours-opaque-distinct', label: 'ours: distinct opaque tokens, network every request', file: 'ours-opaque-net', group: 'ours', credential: 'opaque-pool', requiresAuth: true },
  { id: 'sdk-jwt', label: 'stytch SDK authenticateJwt', file: 'sdk-jwt', group: 'peer', credential: 'jwt-pool', requiresAuth: true },
  { id: 'sdk-jwt-rbac', label: 'stytch SDK authenticateJwt + authorization_check', file: 'sdk-jwt-rbac', group: 'peer', credential: 'jwt-pool', requiresAuth: true },
  { id: 'express-jwt', label: 'express-jwt + jwks-rsa', file: 'express-jwt', group: 'peer', credential: 'jwt-pool', requiresAuth: true },
  { id: 'sdk-opaque', label: 'stytch SDK sessions.authenticate', file: 'sdk-opaque', group: 'peer', credential: 'opaque', requiresAuth: true },
  { id: 'sdk-opaque-distinct', label: 'stytch SDK sessions.authenticate, distinct tokens', file: 'sdk-opaque', group: 'peer', credential: 'opaque-pool', requiresAuth: true },
];

/** The scenario every ratio is computed against. */
export const BASELINE_ID = 'bare-express';

/**
 * Bare Express with two no-op middlewares in the places where `ours-rbac` has `stytchAuth()` and
 * `requirePermission()`: the structural ceiling of any two Express middlewares.
 */
export const CONTROL_ID = 'control-2mw';

/** A performance target from the issue: `numerator` req/s must be at least `min` × `denominator` req/s. */
export interface Target {
  readonly numerator: string;
  readonly denominator: string;
  readonly min: number;
  readonly description: string;
}

/** The targets of issues 7 and 11, all measured in one run on the same machine. */
export const TARGETS: readonly Target[] = [
  { numerator: 'ours-rbac', denominator: CONTROL_ID, min: 0.97, description: 'warm JWT + requirePermission ≥ 0.97 × the control (bare Express + 2 no-op middlewares)' },
  { numerator: 'ours-cold', denominator: BASELINE_ID, min: 0.51, description: 'cold JWT keeps ≥ 0.51 × bare Express (its last quiet-run ratio)' },
  { numerator: 'ours-rbac', denominator: 'bare-express', min: 0.92, description: 'warm path with RBAC ≥ 0.92 × bare Express' },
  // Issue 15: the warm M2M path runs at the warm session JWT's ratio to bare Express or better
  // (same run); 0.98 leaves room for round-to-round noise on a shared 2-core machine.
  { numerator: 'ours-m2m', denominator: 'ours-warm', min: 0.98, description: 'warm M2M token ≥ warm session JWT (same ratio to bare Express)' },
  { numerator: 'ours-cold', denominator: 'bare-express', min: 0.7, description: 'cold path ≥ 0.70 × bare Express' },
  { numerator: 'ours-cold', denominator: 'sdk-jwt', min: 1.4, description: 'cold path ≥ 1.4 × stytch SDK local verification' },
  { numerator: 'ours-opaque-net', denominator: 'sdk-opaque', min: 2, description: 'opaque network path ≥ 2 × stytch SDK sessions.authenticate' },
  { numerator: 'ours-opaque-distinct', denominator: 'sdk-opaque-distinct', min: 2, description: 'opaque network path, distinct tokens (no coalescing) ≥ 2 × stytch SDK, distinct tokens' },
  { numerator: 'ours-opaque', denominator: 'sdk-opaque', min: 2, description: 'opaque path as shipped (answer reused) ≥ 2 × stytch SDK sessions.authenticate' },
];

/**
 * The control comparison, reported on its own: each scenario with the one it is judged against
 * (the control itself against bare Express, to show what two middlewares cost).
 */
export const CONTROL_COMPARISONS: readonly { readonly id: string; readonly against: string }[] = [
  { id: CONTROL_ID, against: BASELINE_ID },
  { id: 'ours-rbac', against: CONTROL_ID },
  { id: 'ours-cold', against: BASELINE_ID },
];

/**
 * The scenarios to run for the requested ids: those, plus bare Express (every ratio's baseline),
 * plus any bare scenario a selected one is judged against (`ours-rbac` brings the control), so a
 * target ratio always comes from one run. Table order.
 */
export function withReferences(ids: Iterable<string>): Scenario[] {
  const wanted = new Set(ids);
  wanted.add(BASELINE_ID);
  for (const target of TARGETS) {
    if (wanted.has(target.numerator) && findScenario(target.denominator).group === 'bare') wanted.add(target.denominator);
  }
  return SCENARIOS.filter((s) => wanted.has(s.id));
}

/** Looks a scenario up by id, with a clear error listing the valid ids. */
export function findScenario(id: string): Scenario {
  const found = SCENARIOS.find((s) => s.id === id);
  if (!found) throw new Error(`unknown scenario '${id}'; known: ${SCENARIOS.map((s) => s.id).join(', ')}`);
  return found;
}
