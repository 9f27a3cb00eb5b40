/**
 * `GET /sso/start?organization_id=…|slug=…[&connection_id=…][&return_to=…]`: start an SSO login
 * (SAML or OIDC) into one organization. The connection is the one named, else the
 * organization's default, else its only active one; with several and no default, the answer is
 * the choice (JSON for API callers, a small page for navigations). Redirects (303) to Stytch's
 * public SSO start URL with this router's callback, the flow's PKCE challenge and its id.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Organization } from '../client/types.js';
import { ssoStartUrl } from '../client/public-urls.js';
import { BadRequestError, StytchExpressError } from '../errors.js';
import { escapeHtml, isNavigation, redirect, sendHtml, sendJson, withQuery } from '../middleware/respond.js';
import { logEvent } from '../session/logger.js';
import { FIELD_RULES } from './body.js';
import { mountPath } from './callback-url.js';
import { prepareFlow } from './flow-start.js';
import type { RouteContext } from './route-context.js';
import { startOrganization, startQuery, startReturnTo } from './start-input.js';

type Connection = Organization['sso_active_connections'][number];

function chooseConnection(org: Organization, connectionId: string | undefined): Connection | Connection[] {
  const active = org.sso_active_connections ?? [];
  if (connectionId !== undefined) {
    const named = active.find((c) => c.connection_id === connectionId);
    if (named === undefined) throw new StytchExpressError('sso_connection_not_found', 404, 'This organization has no such active SSO connection.');
    return named;
  }
  const byDefault = active.find((c) => c.connection_id === org.sso_default_connection_id);
  if (byDefault !== undefined) return byDefault;
  if (active.length === 1 && active[0] !== undefined) return active[0];
  if (active.length === 0) throw new StytchExpressError('sso_not_configured', 404, 'This organization has no active SSO connection.');
  return active;
}

/** Handler of the SSO start route. */
export async function ssoStart(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const { cfg } = rc;
  const query = startQuery(req);
  const connectionId = query('connection_id');
  if (connectionId !== undefined && !FIELD_RULES.organization.test(connectionId)) throw new BadRequestError('invalid_connection_id', 'The connection id is malformed.');
  const returnTo = startReturnTo(query);
  const publicToken = cfg.publicToken;
  if (publicToken === undefined) throw new StytchExpressError('public_token_missing', 503, 'SSO sign-in is not configured.');
  const org = await startOrganization(rc, query);
  const chosen = chooseConnection(org, connectionId);
  if (Array.isArray(chosen)) {
    answerChoice(req, res, org, chosen, returnTo);
    return;
  }
  const started = prepareFlow(req, rc, 'sso', { organizationId: org.organization_id, returnTo }, { withChallenge: cfg.pkce });
  const url = ssoStartUrl({
    publicToken,
    baseUrl: cfg.publicBaseUrl ?? rc.client.config.baseUrl,
    connectionId: chosen.connection_id,
    loginRedirectUrl: started.redirectUrl,
    signupRedirectUrl: started.redirectUrl,
    ...(started.challenge === undefined ? {} : { pkceCodeChallenge: started.challenge }),
    ...(cfg.ssoCustomScopes.length === 0 ? {} : { customScopes: cfg.ssoCustomScopes }),
  });
  started.commit(req, res);
  logEvent(rc.logger, 'info', 'stytch.routes.sso_started', { organizationId: org.organization_id, connectionId: chosen.connection_id });
  redirect(res, url, true);
}

/** Several connections and no default: list them, each with the start URL that picks it. */
function answerChoice(req: IncomingMessage, res: ServerResponse, org: Organization, connections: Connection[], returnTo: string | undefined): void {
  const self = `${mountPath(req)}${new URL(req.url ?? '/', 'http://start.invalid').pathname}`;
  const startUrl = (c: Connection): string => {
    let url = withQuery(withQuery(self, 'organization_id', org.organization_id), 'connection_id', c.connection_id);
    if (returnTo !== undefined) url = withQuery(url, 'return_to', returnTo);
    return url;
  };
  const list = connections.map((c) => ({ connectionId: c.connection_id, displayName: c.display_name, identityProvider: c.identity_provider ?? '', startUrl: startUrl(c) }));
  if (!isNavigation(req)) {
    sendJson(res, 200, { status: 'choose_connection', organizationId: org.organization_id, connections: list }, req);
    return;
  }
  const name = escapeHtml(org.organization_name);
  const items = list.map((c) => `<li><a href="${escapeHtml(c.startUrl)}">${escapeHtml(c.displayName || c.connectionId)}</a></li>`).join('');
  sendHtml(res, 200, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in to ${name}</title></head><body><main><h1>Sign in to ${name}</h1><p>Choose your identity provider:</p><ul>${items}</ul></main></body></html>`);
}
