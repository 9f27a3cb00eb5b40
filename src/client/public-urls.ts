/**
 * Browser start URLs of Stytch's SSO and OAuth flows (reference 5.1; addendum A3.2, A4.1). Pure
 * functions: they build a URL to send the browser to and never call anything.
 */
import { ConfigError } from '../errors.js';
import { STYTCH_LIVE_URL, STYTCH_TEST_URL, isLoopbackHost } from './config.js';

/** B2B OAuth providers. */
export type OAuthProvider = 'google' | 'microsoft' | 'hubspot' | 'slack' | 'github';

const PROVIDERS: ReadonlySet<string> = new Set(['google', 'microsoft', 'hubspot', 'slack', 'github']);
const PARAM_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const CHALLENGE = /^[A-Za-z0-9_-]{43,128}$/;

/** Fields every start URL takes. */
export interface PublicUrlBase {
  /** The project's public token (`public-token-test-…` / `public-token-live-…`). */
  publicToken: string;
  /**
   * Origin serving the public endpoints: your custom auth domain or an emulator's URL. Default:
   * chosen from the public token (`public-token-live-` → `https://api.stytch.com`, anything
   * else → `https://test.stytch.com`), the same rule as the client's base URL. Plain `http://`
   * only for loopback hosts.
   */
  baseUrl?: string;
  /** `base64url(SHA-256(verifier))`; the verifier is then required by the authenticate call. */
  pkceCodeChallenge?: string;
  /** Extra scopes requested from the IdP/provider. */
  customScopes?: readonly string[];
}

/** Options of {@link ssoStartUrl}: exactly one of `connectionId` and `organizationId`. */
export interface SsoStartUrlOptions extends PublicUrlBase {
  /** A SAML, OIDC or External connection id. */
  connectionId?: string;
  /** An organization id (or external id): its default SSO connection is used. */
  organizationId?: string;
  /** Where an existing member lands. Default: the project's default Login URL. */
  loginRedirectUrl?: string;
  /** Where a JIT-provisioned member lands. Default: the project's default Sign-up URL. */
  signupRedirectUrl?: string;
}

/** Options of {@link oauthStartUrl}: exactly one of `organizationId` and `organizationSlug`. */
export interface OAuthStartUrlOptions extends PublicUrlBase {
  provider: OAuthProvider;
  organizationId?: string;
  organizationSlug?: string;
  loginRedirectUrl?: string;
  signupRedirectUrl?: string;
  /** Provider parameters, sent as `provider_<name>=<value>` (e.g. `{ prompt: 'select_account' }`). */
  providerParams?: Readonly<Record<string, string>>;
}

/** Options of {@link oauthDiscoveryStartUrl}. */
export interface OAuthDiscoveryStartUrlOptions extends PublicUrlBase {
  provider: OAuthProvider;
  /** Where the browser lands with `stytch_token_type=discovery_oauth`. Default: the project's Discovery URL. */
  discoveryRedirectUrl?: string;
  providerParams?: Readonly<Record<string, string>>;
}

function fail(message: string): never {
  throw new ConfigError(message);
}

function requireText(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') fail(`${name} must be a non-empty string.`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) fail(`${name} must not contain control characters.`);
  return value.trim();
}

function origin(publicToken: string, baseUrl: string | undefined): string {
  if (baseUrl === undefined) return publicToken.startsWith('public-token-live-') ? STYTCH_LIVE_URL : STYTCH_TEST_URL;
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    fail('baseUrl is not a valid absolute URL.');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    fail('baseUrl must use https:// (http:// only for a loopback host).');
  }
  if (url.username !== '' || url.password !== '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    fail('baseUrl must be an origin only (no credentials, path, query or fragment).');
  }
  return url.origin;
}

function redirectUrl(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const text = requireText(value, name);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    fail(`${name} must be an absolute URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(`${name} must be an http(s) URL.`);
  return text;
}

function encodePairs(pairs: readonly (readonly [string, string | undefined])[]): string {
  return pairs.flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${encodeURIComponent(v)}`])).join('&');
}

/** Scopes joined by `separator` after encoding each one (so the separator stays literal). */
function scopes(list: readonly string[] | undefined, separator: string): string | undefined {
  if (list === undefined || list.length === 0) return undefined;
  return list.map((s) => encodeURIComponent(requireText(s, 'customScopes[]'))).join(separator);
}

function common(options: PublicUrlBase): { base: string; token: string; challenge: string | undefined } {
  const token = requireText(options.publicToken, 'publicToken');
  const challenge = options.pkceCodeChallenge;
  if (challenge !== undefined && !CHALLENGE.test(challenge)) fail('pkceCodeChallenge must be base64url (43-128 characters).');
  return { base: origin(token, options.baseUrl), token, challenge };
}

function providerPairs(params: Readonly<Record<string, string>> | undefined): [string, string][] {
  return Object.entries(params ?? {}).map(([name, value]) => {
    if (!PARAM_NAME.test(name)) fail(`providerParams key '${name}' must be 1-64 characters of A-Z a-z 0-9 _ . -.`);
    if (typeof value !== 'string') fail(`providerParams.${name} must be a string.`);
    return [`provider_${name}`, value];
  });
}

function checkProvider(provider: unknown): OAuthProvider {
  if (typeof provider !== 'string' || !PROVIDERS.has(provider)) fail('provider must be one of google, microsoft, hubspot, slack, github.');
  return provider as OAuthProvider;
}

function oneOf(a: string | undefined, b: string | undefined, names: string): void {
  if ((a === undefined) === (b === undefined)) fail(`Pass exactly one of ${names}.`);
}

/**
 * The SSO start URL: `GET {base}/v1/public/sso/start?...`. Stytch sends the browser to the
 * IdP and back to a redirect URL with `stytch_token_type=sso&token=…`.
 *
 * @throws {ConfigError} for a missing public token, both or neither locator, a non-absolute
 *   redirect URL, a malformed PKCE challenge or an insecure base URL.
 * @example
 * const url = ssoStartUrl({ publicToken, connectionId, loginRedirectUrl: 'https://app.example/auth/callback' });
 * res.redirect(303, url);
 */
export function ssoStartUrl(options: SsoStartUrlOptions): string {
  const { base, token, challenge } = common(options);
  const connectionId = options.connectionId === undefined ? undefined : requireText(options.connectionId, 'connectionId');
  const organizationId = options.organizationId === undefined ? undefined : requireText(options.organizationId, 'organizationId');
  oneOf(connectionId, organizationId, 'connectionId and organizationId');
  const query = encodePairs([
    ['connection_id', connectionId],
    ['organization_id', organizationId],
    ['public_token', token],
    ['login_redirect_url', redirectUrl(options.loginRedirectUrl, 'loginRedirectUrl')],
    ['signup_redirect_url', redirectUrl(options.signupRedirectUrl, 'signupRedirectUrl')],
    ['pkce_code_challenge', challenge],
  ]);
  // SSO custom scopes are `+`-separated (addendum A3.2).
  const extra = scopes(options.customScopes, '+');
  return `${base}/v1/public/sso/start?${query}${extra === undefined ? '' : `&custom_scopes=${extra}`}`;
}

/**
 * The organization-scoped OAuth start URL: `GET {base}/v1/b2b/public/oauth/{provider}/start?...`.
 * The browser comes back with `stytch_token_type=oauth&token=…`.
 *
 * @throws {ConfigError} as {@link ssoStartUrl}, plus an unknown provider or a bad provider parameter name.
 * @example
 * oauthStartUrl({ publicToken, provider: 'google', organizationSlug: 'acme', providerParams: { prompt: 'select_account' } });
 */
export function oauthStartUrl(options: OAuthStartUrlOptions): string {
  const { base, token, challenge } = common(options);
  const provider = checkProvider(options.provider);
  const organizationId = options.organizationId === undefined ? undefined : requireText(options.organizationId, 'organizationId');
  const slug = options.organizationSlug === undefined ? undefined : requireText(options.organizationSlug, 'organizationSlug');
  oneOf(organizationId, slug, 'organizationId and organizationSlug');
  const query = encodePairs([
    ['public_token', token],
    ['organization_id', organizationId],
    ['slug', slug],
    ['login_redirect_url', redirectUrl(options.loginRedirectUrl, 'loginRedirectUrl')],
    ['signup_redirect_url', redirectUrl(options.signupRedirectUrl, 'signupRedirectUrl')],
    ['pkce_code_challenge', challenge],
    // OAuth custom scopes are space-separated, URL-encoded as %20 (addendum A4.1).
    ['custom_scopes', options.customScopes?.length ? options.customScopes.map((s) => requireText(s, 'customScopes[]')).join(' ') : undefined],
    ...providerPairs(options.providerParams),
  ]);
  return `${base}/v1/b2b/public/oauth/${provider}/start?${query}`;
}

/**
 * The discovery OAuth start URL: `GET {base}/v1/b2b/public/oauth/{provider}/discovery/start?...`.
 * The browser comes back with `stytch_token_type=discovery_oauth&token=…`.
 *
 * @throws {ConfigError} as {@link oauthStartUrl}.
 * @example
 * oauthDiscoveryStartUrl({ publicToken, provider: 'microsoft', discoveryRedirectUrl: 'https://app.example/auth/discovery' });
 */
export function oauthDiscoveryStartUrl(options: OAuthDiscoveryStartUrlOptions): string {
  const { base, token, challenge } = common(options);
  const provider = checkProvider(options.provider);
  const query = encodePairs([
    ['public_token', token],
    ['discovery_redirect_url', redirectUrl(options.discoveryRedirectUrl, 'discoveryRedirectUrl')],
    ['pkce_code_challenge', challenge],
    ['custom_scopes', options.customScopes?.length ? options.customScopes.map((s) => requireText(s, 'customScopes[]')).join(' ') : undefined],
    ...providerPairs(options.providerParams),
  ]);
  return `${base}/v1/b2b/public/oauth/${provider}/discovery/start?${query}`;
}
