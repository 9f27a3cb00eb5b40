// The drop-in routes and CSRF middleware (public surface re-exported from src/index.ts).
export { stytchRoutes } from './stytch-routes.js';
export type { StytchRoutesMiddleware } from './stytch-routes.js';
export { csrfProtection } from './csrf.js';
export type { CsrfProtectionOptions } from './csrf.js';
export type { StytchRoutesOptions, StytchRouteName, AuthenticatedResult, AuthenticatedVia, RouteLimitsOptions } from './options.js';
export type { FlowOutcome } from './flow.js';
export type { AttemptStore, AttemptCount, AttemptLimit, AttemptLimitsOptions } from './attempt-limiter.js';
