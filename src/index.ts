// Public exports of stytch-b2b-express. Keep this file to export lines only.
export * from './errors.js';
export type * from './client/types.js';
export { SESSION_CLAIM, ORGANIZATION_CLAIM } from './client/types.js';
export { getStytchAuth } from './middleware/auth-object.js';
export type { StytchAuth, SignedInAuth, SignedOutAuth, UndecidedAuth, SignedOutReason, UndecidedReason, VerifiedBy, CredentialSource } from './middleware/auth-object.js';
