/**
 * `GET /oauth/start?provider=…&organization_id=…|slug=…[&return_to=…]` and
 * `GET /oauth/discovery/start?provider=…[&return_to=…]`: start an OAuth login (Google, Microsoft,
 * GitHub, Slack, HubSpot) into one organization, or a discovery login that ends in the
 * organization picker. Redirects (303) to Stytch's public OAuth start URL with this router's
 * callback, the flow's PKCE challenge and id, and the configured scopes and provider parameters.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { oauthDiscoveryStartUrl, oauthStartUrl } from '../client/public-urls.js';
import type { OAuthProvider } from '../client/public-urls.js';
import { BadRequestError, StytchExpressError } from '../errors.js';
import { redirect } from '../middleware/respond.js';
import { logEvent } from '../session/logger.js';
import { prepareFlow } from './flow-start.js';
import { OAUTH_PROVIDERS } from './options.js';
import type { RouteContext } from './route-context.js';
import { startOrganization, startQuery, startReturnTo } from './start-input.js';

function provider(query: (name: string) => string | undefined): OAuthProvider {
  const value = query('provider');
  if (value === undefined || !(OAUTH_PROVIDERS as readonly string[]).includes(value)) {
    throw new BadRequestError('invalid_oauth_provider', `provider must be one of ${OAUTH_PROVIDERS.join(', ')}.`);
  }
  return value as OAuthProvider;
}

function publicToken(rc: RouteContext): string {
  if (rc.cfg.publicToken === undefined) throw new StytchExpressError('public_token_missing', 503, 'OAuth sign-in is not configured.');
  return rc.cfg.publicToken;
}

function passThrough(rc: RouteContext, name: OAuthProvider) {
  const given = rc.cfg.oauth[name];
  return {
    ...(given === undefined || given.customScopes.length === 0 ? {} : { customScopes: given.customScopes }),
    ...(given === undefined || Object.keys(given.providerParams).length === 0 ? {} : { providerParams: given.providerParams }),
  };
}

/** Handler of the organization-scoped OAuth start route. */
export async function oauthStart(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const query = startQuery(req);
  const name = provider(query);
  const returnTo = startReturnTo(query);
  const token = publicToken(rc);
  const org = await startOrganization(rc, query);
  const started = prepareFlow(req, rc, 'oauth', { organizationId: org.organization_id, returnTo }, { withChallenge: rc.cfg.pkce });
  const url = oauthStartUrl({
    publicToken: token,
    baseUrl: rc.cfg.publicBaseUrl ?? rc.client.config.baseUrl,
    provider: name,
    organizationId: org.organization_id,
    loginRedirectUrl: started.redirectUrl,
    signupRedirectUrl: started.redirectUrl,
    ...(started.challenge === undefined ? {} : { pkceCodeChallenge: started.challenge }),
    ...passThrough(rc, name),
  });
  started.commit(req, res);
  logEvent(rc.logger, 'info', 'stytch.routes.oauth_started', { provider: name, organizationId: org.organization_id });
  redirect(res, url, true);
}

/** Handler of the discovery OAuth start route. */
export function oauthDiscoveryStart(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const query = startQuery(req);
  const name = provider(query);
  const returnTo = startReturnTo(query);
  const token = publicToken(rc);
  const started = prepareFlow(req, rc, 'discovery_oauth', { returnTo }, { withChallenge: rc.cfg.pkce });
  const url = oauthDiscoveryStartUrl({
    publicToken: token,
    baseUrl: rc.cfg.publicBaseUrl ?? rc.client.config.baseUrl,
    provider: name,
    discoveryRedirectUrl: started.redirectUrl,
    ...(started.challenge === undefined ? {} : { pkceCodeChallenge: started.challenge }),
    ...passThrough(rc, name),
  });
  started.commit(req, res);
  logEvent(rc.logger, 'info', 'stytch.routes.oauth_started', { provider: name, discovery: true });
  redirect(res, url, true);
  return Promise.resolve();
}
