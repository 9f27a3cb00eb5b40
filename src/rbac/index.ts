// The RBAC core: no Express here (the guards live in src/middleware/require-*.ts).
export { evaluateAuthorization } from './evaluate.js';
export type { AuthorizationDecision, EvaluateAuthorizationInput } from './evaluate.js';
export { PolicyCache } from './policy-cache.js';
export type { PolicyCacheOptions, PolicyCacheStats, PolicySnapshot, PolicyCacheLogger } from './policy-cache.js';
export { createCan } from './can.js';
export { policyFetchers } from './fetchers.js';
export type { RbacPolicySource } from './fetchers.js';
