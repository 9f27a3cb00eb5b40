/** Leaf types of the emulator's SSO connections and built-in IdP flows (imports nothing at runtime). */
import type { ExternalConnection, OIDCConnection, SAMLConnection } from '../client/api-types.js';

/** A stored connection, tagged by kind. */
export type SsoConnectionRecord =
  | { kind: 'saml'; connection: SAMLConnection }
  | { kind: 'oidc'; connection: OIDCConnection }
  | { kind: 'external'; connection: ExternalConnection };

/** Which token the IdP page mints, and so the `stytch_token_type` of the redirect. */
export type IdpFlowKind = 'sso' | 'oauth' | 'discovery_oauth';

/** A sign-in started at a public start endpoint, waiting for the IdP page's form. */
export interface IdpFlow {
  id: string;
  kind: IdpFlowKind;
  expires_at: number;
  /** The organization the login is for (absent for discovery). */
  organization_id?: string;
  /** SSO: the connection the login goes through (an External connection id when started with one). */
  connection_id?: string;
  /** OAuth: `google`, `microsoft`, `hubspot`, `slack` or `github`. */
  provider?: string;
  login_redirect_url: string;
  signup_redirect_url: string;
  discovery_redirect_url: string;
  pkce_code_challenge?: string;
  scopes: string[];
  /** `provider_<name>` query parameters, without the prefix (shown on the page, otherwise unused). */
  provider_params: Record<string, string>;
}
