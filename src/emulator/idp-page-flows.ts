/**
 * The browser side of SSO and OAuth: the public start endpoints open a flow (addendum A3.2,
 * A4.1) and the built-in IdP page's form finishes it by minting a token and redirecting (303)
 * to the app with `stytch_token_type` and `token` (reference 5.1).
 */
import type { Organization } from '../client/types.js';
import { ApiError, badRequest, notFound, organizationNotFound } from './http-errors.js';
import { newId } from './ids.js';
import { findMemberByEmail } from './members.js';
import { findOrganization } from './organizations.js';
import { isActive, underlyingConnection } from './sso-connections.js';
import { checkRedirectUrl, redirectWithToken } from './sso-redirects.js';
import { mintOAuthToken, mintSsoToken } from './sso-tokens.js';
import type { IdpFlow, SsoConnectionRecord } from './sso-types.js';
import type { EmulatorState } from './state.js';
import { EMAIL_VERIFYING_PROVIDERS, TENANT_PROVIDERS } from './idp-page.js';
import { reqEmail } from './validate.js';

/** The OAuth providers of B2B (addendum A4.1). */
export const OAUTH_PROVIDERS = new Set(['google', 'microsoft', 'hubspot', 'slack', 'github']);

const FLOW_TTL_MS = 10 * 60_000;
const CHALLENGE = /^[A-Za-z0-9_-]{1,128}$/;

/** Path the IdP page's form posts to. */
export function idpFormPath(flowId: string): string {
  return `/emulator-idp/flows/${encodeURIComponent(flowId)}`;
}

/** A query parameter; a repeated one is refused rather than guessed at. */
function param(query: URLSearchParams, name: string): string | undefined {
  const all = query.getAll(name);
  if (all.length > 1) throw badRequest('invalid_argument', `The query parameter '${name}' is repeated.`, { field: name });
  const value = all[0];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The public token check: missing → 400 `invalid_argument`; unknown → 401
 * `public_token_not_found` (the name is Stytch's; the status is the emulator's choice: the
 * token is the credential of these browser calls, as the secret is of backend calls).
 */
function checkPublicToken(state: EmulatorState, query: URLSearchParams): void {
  const token = param(query, 'public_token');
  if (token === undefined) throw badRequest('invalid_argument', "The query parameter 'public_token' is required.", { field: 'public_token' });
  if (token !== state.settings.publicToken) throw new ApiError(401, 'public_token_not_found', 'The public token could not be found for this project.');
}

function commonFields(query: URLSearchParams): Pick<IdpFlow, 'scopes' | 'provider_params'> & { pkce_code_challenge?: string } {
  const challenge = param(query, 'pkce_code_challenge');
  if (challenge !== undefined && !CHALLENGE.test(challenge)) {
    throw badRequest('invalid_argument', 'pkce_code_challenge must be base64url (the SHA-256 of the verifier).', { field: 'pkce_code_challenge' });
  }
  // URLSearchParams already turned `+` into spaces; both separators are accepted (addendum A3.2, A4.1).
  const scopes = (param(query, 'custom_scopes') ?? '').split(/[\s+]+/).filter((s) => s !== '');
  const provider_params: Record<string, string> = {};
  for (const [key, value] of query) {
    if (key.startsWith('provider_') && key.length > 'provider_'.length) provider_params[key.slice('provider_'.length)] = value;
  }
  return { scopes, provider_params, ...(challenge !== undefined ? { pkce_code_challenge: challenge } : {}) };
}

function openFlow(state: EmulatorState, flow: Omit<IdpFlow, 'id' | 'expires_at'>): IdpFlow {
  // Expired flows are dropped when a new one opens, so an abandoned page cannot pile up.
  for (const [id, f] of state.idpFlows) if (f.expires_at <= state.now()) state.idpFlows.delete(id);
  const full: IdpFlow = { ...flow, id: newId('emulator-idp-flow'), expires_at: state.now() + FLOW_TTL_MS };
  state.idpFlows.set(full.id, full);
  return full;
}

/** Resolves the connection an SSO start names, directly or through the org's default. */
function resolveSsoConnection(state: EmulatorState, query: URLSearchParams): SsoConnectionRecord {
  const connectionId = param(query, 'connection_id');
  const organizationId = param(query, 'organization_id');
  if (connectionId !== undefined && organizationId !== undefined) {
    throw badRequest('too_many_sso_connection_locators', 'Pass connection_id or organization_id, not both.');
  }
  let id = connectionId;
  if (id === undefined) {
    if (organizationId === undefined) throw badRequest('missing_sso_connection_locator', 'Pass connection_id or organization_id.');
    const org = findOrganization(state, organizationId);
    if (!org) throw organizationNotFound();
    if (!org.sso_default_connection_id) {
      if (org.sso_active_connections.length > 1) {
        throw badRequest('indeterminate_sso_connection_for_organization', 'The organization has several SSO connections and no default; pass connection_id.');
      }
      throw badRequest('no_sso_connection_exists_for_organization', 'The organization has no active SSO connection.');
    }
    id = org.sso_default_connection_id;
  }
  const record = state.ssoConnections.get(id);
  if (!record) throw notFound('sso_connection_not_found', 'The SSO connection could not be found.');
  // Not a documented name: the reference lists none for starting through a pending connection.
  if (!isActive(state, record)) throw badRequest('sso_connection_not_active', 'The SSO connection is not active yet (it needs its IdP settings).');
  return record;
}

const SSO_URL_ERRORS = { login: { invalid: 'invalid_login_sso_url', notAllowed: 'no_match_for_provided_sso_url' }, signup: { invalid: 'invalid_signup_sso_url', notAllowed: 'no_match_for_provided_sso_url' } };
const OAUTH_URL_ERRORS = {
  login: { invalid: 'invalid_login_oauth_url', notAllowed: 'no_match_for_provided_oauth_url' },
  signup: { invalid: 'invalid_signup_oauth_url', notAllowed: 'no_match_for_provided_oauth_url' },
  discovery: { invalid: 'invalid_discovery_redirect_url', notAllowed: 'no_match_for_provided_oauth_url' },
};

/** `GET /v1/public/sso/start`. */
export function startSso(state: EmulatorState, query: URLSearchParams): { flow: IdpFlow; organization: Organization; connectionName: string } {
  checkPublicToken(state, query);
  const record = resolveSsoConnection(state, query);
  const org = state.organizations.get(record.connection.organization_id);
  if (!org) throw organizationNotFound();
  const { redirectUrls } = state.settings;
  const login = checkRedirectUrl(state, param(query, 'login_redirect_url'), redirectUrls.login, 'login_redirect_url', SSO_URL_ERRORS.login);
  const signup = checkRedirectUrl(state, param(query, 'signup_redirect_url'), redirectUrls.signup, 'signup_redirect_url', SSO_URL_ERRORS.signup);
  const flow = openFlow(state, {
    kind: 'sso',
    organization_id: org.organization_id,
    connection_id: record.connection.connection_id,
    login_redirect_url: login,
    signup_redirect_url: signup,
    discovery_redirect_url: redirectUrls.discovery,
    ...commonFields(query),
  });
  return { flow, organization: org, connectionName: record.connection.display_name };
}

function checkProvider(provider: string): void {
  if (!OAUTH_PROVIDERS.has(provider)) throw badRequest('invalid_oauth_provider', `Unknown OAuth provider '${provider}'; use google, microsoft, hubspot, slack or github.`);
}

/** `GET /v1/b2b/public/oauth/{provider}/start` (organization-scoped). */
export function startOAuth(state: EmulatorState, provider: string, query: URLSearchParams): { flow: IdpFlow; organization: Organization } {
  checkPublicToken(state, query);
  checkProvider(provider);
  const organizationId = param(query, 'organization_id');
  const slug = param(query, 'slug');
  if (organizationId !== undefined && slug !== undefined) throw badRequest('too_many_oauth_organization_locators', 'Pass organization_id or slug, not both.');
  if (organizationId === undefined && slug === undefined) throw badRequest('missing_oauth_organization_locator', 'Pass organization_id or slug.');
  const org = organizationId !== undefined
    ? findOrganization(state, organizationId)
    : [...state.organizations.values()].find((o) => o.organization_slug === slug);
  if (!org) throw organizationNotFound();
  const { redirectUrls } = state.settings;
  const flow = openFlow(state, {
    kind: 'oauth',
    organization_id: org.organization_id,
    provider,
    login_redirect_url: checkRedirectUrl(state, param(query, 'login_redirect_url'), redirectUrls.login, 'login_redirect_url', OAUTH_URL_ERRORS.login),
    signup_redirect_url: checkRedirectUrl(state, param(query, 'signup_redirect_url'), redirectUrls.signup, 'signup_redirect_url', OAUTH_URL_ERRORS.signup),
    discovery_redirect_url: redirectUrls.discovery,
    ...commonFields(query),
  });
  return { flow, organization: org };
}

/** `GET /v1/b2b/public/oauth/{provider}/discovery/start`. */
export function startDiscoveryOAuth(state: EmulatorState, provider: string, query: URLSearchParams): IdpFlow {
  checkPublicToken(state, query);
  checkProvider(provider);
  const { redirectUrls } = state.settings;
  return openFlow(state, {
    kind: 'discovery_oauth',
    provider,
    login_redirect_url: redirectUrls.login,
    signup_redirect_url: redirectUrls.signup,
    discovery_redirect_url: checkRedirectUrl(state, param(query, 'discovery_redirect_url'), redirectUrls.discovery, 'discovery_redirect_url', OAUTH_URL_ERRORS.discovery),
    ...commonFields(query),
  });
}

/** The live flow of a form post; unknown, used or expired → 404 `idp_flow_not_found` (emulator-only). */
export function takeFlow(state: EmulatorState, flowId: string): IdpFlow {
  const flow = state.idpFlows.get(flowId);
  if (!flow || flow.expires_at <= state.now()) {
    state.idpFlows.delete(flowId);
    throw notFound('idp_flow_not_found', 'This sign-in page has expired or was already used; start again.');
  }
  return flow;
}

function formValue(form: URLSearchParams, name: string, max: number): string | undefined {
  const value = form.get(name)?.trim();
  if (value === undefined || value === '') return undefined;
  if (value.length > max) throw badRequest('invalid_argument', `The form field '${name}' is too long.`, { field: name });
  return value;
}

/** Whether the email already belongs to an active member of the org (login vs signup redirect). */
function isReturning(state: EmulatorState, organizationId: string, email: string): boolean {
  return findMemberByEmail(state, organizationId, email)?.status === 'active';
}

/**
 * Finishes a flow from the IdP page's form (`email_address`, `name`, and for OAuth
 * `email_verified`, `tenant_id`): mints the token and answers where to redirect.
 */
export function submitFlow(state: EmulatorState, flowId: string, form: URLSearchParams): string {
  const flow = takeFlow(state, flowId);
  const email = reqEmail({ email_address: formValue(form, 'email_address', 254) });
  const name = formValue(form, 'name', 256);
  const pkce = flow.pkce_code_challenge !== undefined ? { pkce_code_challenge: flow.pkce_code_challenge } : {};
  let location: string;
  if (flow.kind === 'sso') {
    const record = state.ssoConnections.get(flow.connection_id ?? '');
    if (!record || !underlyingConnection(state, record)) throw notFound('sso_connection_not_found', 'The SSO connection was deleted during the sign-in.');
    const orgId = flow.organization_id ?? '';
    const token = mintSsoToken(state, { organization_id: orgId, connection_id: record.connection.connection_id, email_address: email, ...(name ? { name } : {}), ...pkce });
    location = redirectWithToken(isReturning(state, orgId, email) ? flow.login_redirect_url : flow.signup_redirect_url, 'sso', token);
  } else {
    const provider = flow.provider ?? 'google';
    const tenant = TENANT_PROVIDERS.has(provider) ? formValue(form, 'tenant_id', 128) : undefined;
    const token = mintOAuthToken(state, {
      email_address: email,
      provider,
      provider_subject: `${provider}-subject-${email}`,
      // GitHub, Slack and HubSpot never verify, whatever the box says (reference 5.5).
      email_verified: EMAIL_VERIFYING_PROVIDERS.has(provider) && form.get('email_verified') === 'true',
      ...(name ? { full_name: name } : {}),
      ...(tenant ? { tenant_id: tenant } : {}),
      scopes: [...flow.scopes],
      ...(flow.organization_id !== undefined ? { organization_id: flow.organization_id } : {}),
      ...pkce,
    });
    if (flow.kind === 'discovery_oauth') location = redirectWithToken(flow.discovery_redirect_url, 'discovery_oauth', token);
    else {
      const orgId = flow.organization_id ?? '';
      location = redirectWithToken(isReturning(state, orgId, email) ? flow.login_redirect_url : flow.signup_redirect_url, 'oauth', token);
    }
  }
  state.idpFlows.delete(flowId);
  return location;
}
