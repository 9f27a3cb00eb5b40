/** The pure SSO/OAuth start-URL builders: base URL choice, parameters, encoding, misuse. */
import { describe, expect, it } from 'vitest';
import { oauthDiscoveryStartUrl, oauthStartUrl, ssoStartUrl } from '../../src/client/public-urls.js';
import { ConfigError } from '../../src/errors.js';

const TOKEN = 'public-token-test-11111111-2222-3333-4444-555555555555';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.code;
    throw error;
  }
  return undefined;
}

describe('ssoStartUrl', () => {
  it('builds the test-environment start URL with every parameter', () => {
    const url = ssoStartUrl({ publicToken: TOKEN, connectionId: 'saml-connection-test-1', loginRedirectUrl: 'https://app.example/cb?x=1', signupRedirectUrl: 'https://app.example/new', pkceCodeChallenge: CHALLENGE, customScopes: ['groups', 'offline access'] });
    expect(url).toBe(`https://test.stytch.com/v1/public/sso/start?connection_id=saml-connection-test-1&public_token=${TOKEN}&login_redirect_url=https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1&signup_redirect_url=https%3A%2F%2Fapp.example%2Fnew&pkce_code_challenge=${CHALLENGE}&custom_scopes=groups+offline%20access`);
  });

  it('goes live for a live public token and honours a custom domain or loopback emulator', () => {
    expect(ssoStartUrl({ publicToken: 'public-token-live-1', organizationId: 'o' })).toMatch(/^https:\/\/api\.stytch\.com\/v1\/public\/sso\/start\?organization_id=o&/);
    expect(ssoStartUrl({ publicToken: TOKEN, organizationId: 'o', baseUrl: 'https://login.example.com/' })).toMatch(/^https:\/\/login\.example\.com\/v1\/public\/sso\/start\?/);
    expect(ssoStartUrl({ publicToken: TOKEN, organizationId: 'o', baseUrl: 'http://127.0.0.1:4010' })).toMatch(/^http:\/\/127\.0\.0\.1:4010\//);
  });

  it('refuses misuse with a ConfigError naming the problem', () => {
    expect(code(() => ssoStartUrl({ publicToken: TOKEN }))).toBe('config_error');
    expect(code(() => ssoStartUrl({ publicToken: TOKEN, connectionId: 'c', organizationId: 'o' }))).toBe('config_error');
    expect(code(() => ssoStartUrl({ publicToken: '', connectionId: 'c' }))).toBe('config_error');
    expect(code(() => ssoStartUrl({ publicToken: TOKEN, connectionId: 'c', loginRedirectUrl: '/relative' }))).toBe('config_error');
    expect(code(() => ssoStartUrl({ publicToken: TOKEN, connectionId: 'c', pkceCodeChallenge: 'short' }))).toBe('config_error');
    expect(code(() => ssoStartUrl({ publicToken: TOKEN, connectionId: 'c', baseUrl: 'http://stytch.example' }))).toBe('config_error');
    expect(code(() => ssoStartUrl({ publicToken: TOKEN, connectionId: 'c', baseUrl: 'https://x.example/path' }))).toBe('config_error');
  });
});

describe('oauthStartUrl and oauthDiscoveryStartUrl', () => {
  it('builds the organization-scoped URL with %20 scopes and provider_ parameters', () => {
    const url = new URL(oauthStartUrl({ publicToken: TOKEN, provider: 'google', organizationSlug: 'acme', customScopes: ['openid', 'email'], providerParams: { prompt: 'select_account', login_hint: 'a@acme.test' }, pkceCodeChallenge: CHALLENGE }));
    expect(`${url.origin}${url.pathname}`).toBe('https://test.stytch.com/v1/b2b/public/oauth/google/start');
    expect(url.search).toContain('custom_scopes=openid%20email');
    expect(Object.fromEntries(url.searchParams)).toEqual({ public_token: TOKEN, slug: 'acme', pkce_code_challenge: CHALLENGE, custom_scopes: 'openid email', provider_prompt: 'select_account', provider_login_hint: 'a@acme.test' });
  });

  it('builds the discovery URL', () => {
    const url = new URL(oauthDiscoveryStartUrl({ publicToken: TOKEN, provider: 'github', discoveryRedirectUrl: 'https://app.example/discovery' }));
    expect(url.pathname).toBe('/v1/b2b/public/oauth/github/discovery/start');
    expect(Object.fromEntries(url.searchParams)).toEqual({ public_token: TOKEN, discovery_redirect_url: 'https://app.example/discovery' });
  });

  it('refuses unknown providers, two organization locators and bad provider parameter names', () => {
    expect(code(() => oauthStartUrl({ publicToken: TOKEN, provider: 'myspace' as 'google', organizationId: 'o' }))).toBe('config_error');
    expect(code(() => oauthStartUrl({ publicToken: TOKEN, provider: 'slack', organizationId: 'o', organizationSlug: 's' }))).toBe('config_error');
    expect(code(() => oauthDiscoveryStartUrl({ publicToken: TOKEN, provider: 'slack', providerParams: { 'a&b': 'x' } }))).toBe('config_error');
  });
});
