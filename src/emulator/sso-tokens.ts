/**
 * SSO and OAuth tokens: minting (IdP page, admin API) and redemption with PKCE (reference 5.3's
 * rule applies to every redirect flow: a token minted with `pkce_code_challenge` needs the
 * matching `pkce_code_verifier`).
 */
import { createHash } from 'node:crypto';
import { badRequest, notFound, unauthorized } from './http-errors.js';
import { newToken } from './ids.js';
import type { EmulatorState, OAuthTokenRecord, SsoTokenRecord } from './state.js';

/** Tokens handed to the redirect URL live ten minutes. */
export const REDIRECT_TOKEN_TTL_MS = 10 * 60_000;

/**
 * Refuses a missing or wrong verifier when the token was minted with a challenge: 400
 * `pkce_expected_code_verifier` / `pkce_mismatch`. A verifier sent for a token minted without a
 * challenge is ignored, as for magic links.
 */
export function checkPkce(challenge: string | undefined, verifier: unknown): void {
  if (challenge === undefined) return;
  if (typeof verifier !== 'string' || verifier === '') {
    throw badRequest('pkce_expected_code_verifier', 'This token was issued with a PKCE code challenge; pass pkce_code_verifier.');
  }
  if (createHash('sha256').update(verifier).digest('base64url') !== challenge) {
    throw badRequest('pkce_mismatch', 'The PKCE code verifier does not match the code challenge.');
  }
}

export function mintSsoToken(state: EmulatorState, record: Omit<SsoTokenRecord, 'used' | 'expires_at'>): string {
  const token = newToken();
  state.ssoTokens.set(token, { ...record, used: false, expires_at: state.now() + REDIRECT_TOKEN_TTL_MS });
  return token;
}

export function mintOAuthToken(state: EmulatorState, record: Omit<OAuthTokenRecord, 'used' | 'expires_at'>): string {
  const token = newToken();
  state.oauthTokens.set(token, { ...record, used: false, expires_at: state.now() + REDIRECT_TOKEN_TTL_MS });
  return token;
}

/** Takes an SSO token: unknown 404 `sso_token_not_found`, used/expired 401, PKCE 400 (token stays usable). */
export function redeemSsoToken(state: EmulatorState, token: string, verifier: unknown): SsoTokenRecord {
  const record = state.ssoTokens.get(token);
  if (!record) throw notFound('sso_token_not_found', 'The SSO token could not be found.');
  if (record.used || state.now() >= record.expires_at) throw unauthorized('unable_to_auth_sso_token', 'The SSO token has already been used or has expired.');
  checkPkce(record.pkce_code_challenge, verifier);
  record.used = true;
  return record;
}

/** Takes an OAuth token of the right family (discovery or organization): as {@link redeemSsoToken}. */
export function redeemOAuthToken(state: EmulatorState, token: string, discovery: boolean, verifier: unknown): OAuthTokenRecord {
  const record = state.oauthTokens.get(token);
  if (!record || (record.organization_id === undefined) !== discovery) throw notFound('oauth_token_not_found', 'The OAuth token could not be found.');
  if (record.used || state.now() >= record.expires_at) throw unauthorized('unable_to_auth_oauth_token', 'The OAuth token has already been used or has expired.');
  checkPkce(record.pkce_code_challenge, verifier);
  record.used = true;
  return record;
}
