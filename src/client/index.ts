// The typed Stytch B2B client: the class, its option/config types and every request/response type.
export { StytchB2BClient } from './client.js';
export { resolveClientConfig, resolveClientOptions, isLoopbackHost, STYTCH_LIVE_URL, STYTCH_TEST_URL } from './config.js';
export type { StytchClientOptions, StytchClientConfig, ResolvedClientOptions } from './config.js';
export type { CallOptions } from './transport.js';
export type * from './api-types.js';
export type { Sessions } from './sessions.js';
export type { Rbac, RbacOrganizations } from './rbac.js';
export type { MagicLinks, MagicLinksEmail, MagicLinksEmailDiscovery, MagicLinksDiscovery } from './magic-links.js';
export type { Otps, OtpsEmail, OtpsEmailDiscovery, OtpsSms } from './otps.js';
export type { Totps } from './totps.js';
export type { RecoveryCodes } from './recovery-codes.js';
export type { Discovery, DiscoveryOrganizations, DiscoveryIntermediateSessions } from './discovery.js';
export type { Organizations } from './organizations.js';
export type { Members } from './members.js';
export type { Passwords, PasswordsEmail, PasswordsExistingPassword, PasswordsSessions, PasswordsDiscovery, PasswordsDiscoveryEmail } from './passwords.js';
export type { OAuth, OAuthDiscovery } from './oauth.js';
export type { Sso } from './sso.js';
