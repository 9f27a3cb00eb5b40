/**
 * `GET /organizations/login-methods?slug=…|organization_id=…`: which sign-in methods an
 * organization allows, from its settings (`auth_methods`, `allowed_auth_methods`, active SSO
 * connections), so an app can render "Sign in to Acme" with the right buttons. Start URLs are
 * included for the start routes this router mounts. Public, like Stytch's own organization lookup
 * by slug for login pages; it says nothing about members.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Organization } from '../client/types.js';
import { sendJson, withQuery } from '../middleware/respond.js';
import { mountPath } from './callback-url.js';
import { OAUTH_PROVIDERS } from './options.js';
import type { RouteContext } from './route-context.js';
import { startOrganization, startQuery } from './start-input.js';

/** What the login page of one organization may offer. */
export interface OrganizationLoginMethods {
  organizationId: string;
  organizationName: string;
  organizationSlug: string;
  organizationLogoUrl: string;
  magicLink: boolean;
  emailOtp: boolean;
  password: boolean;
  sso: { connectionId: string; displayName: string; identityProvider: string; isDefault: boolean; startUrl: string | null }[];
  oauth: { provider: string; startUrl: string | null }[];
}

function allows(org: Organization, method: string): boolean {
  // RESTRICTED limits sign-in to allowed_auth_methods; ALL_ALLOWED allows every method (reference 6.1).
  return org.auth_methods !== 'RESTRICTED' || (org.allowed_auth_methods ?? []).includes(method);
}

/** The methods an organization allows, with start URLs under `base` for mounted start routes. */
export function loginMethodsOf(org: Organization, starts: { sso: string | undefined; oauth: string | undefined }): OrganizationLoginMethods {
  const sso = allows(org, 'sso')
    ? (org.sso_active_connections ?? []).map((c) => ({
        connectionId: c.connection_id,
        displayName: c.display_name,
        identityProvider: c.identity_provider ?? '',
        isDefault: c.connection_id === org.sso_default_connection_id,
        startUrl: starts.sso === undefined ? null : withQuery(withQuery(starts.sso, 'organization_id', org.organization_id), 'connection_id', c.connection_id),
      }))
    : [];
  const oauth = OAUTH_PROVIDERS.filter((p) => allows(org, `${p}_oauth`)).map((provider) => ({
    provider,
    startUrl: starts.oauth === undefined ? null : withQuery(withQuery(starts.oauth, 'provider', provider), 'organization_id', org.organization_id),
  }));
  return {
    organizationId: org.organization_id,
    organizationName: org.organization_name,
    organizationSlug: org.organization_slug,
    organizationLogoUrl: org.organization_logo_url ?? '',
    magicLink: allows(org, 'magic_link'),
    emailOtp: allows(org, 'email_otp'),
    password: allows(org, 'password'),
    sso,
    oauth,
  };
}

/** Handler of the organization login-methods route. */
export async function organizationLoginMethods(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const org = await startOrganization(rc, startQuery(req));
  const base = mountPath(req);
  const { paths } = rc.cfg;
  sendJson(res, 200, loginMethodsOf(org, { sso: paths.ssoStart === undefined ? undefined : base + paths.ssoStart, oauth: paths.oauthStart === undefined ? undefined : base + paths.oauthStart }), req);
}
