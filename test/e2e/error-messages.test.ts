/**
 * Every error code the drop-in routes can send to a page has a message in the example app
 * (examples/express-app/views/messages.ts). The codes are collected from the sources, so a new
 * code in a route, or a new Stytch error type on an endpoint the routes call, fails this test
 * until the example says something human about it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_MESSAGES, errorMessage } from '../../examples/express-app/views/messages.js';

const src = (path: string) => readFileSync(new URL(`../../src/${path}`, import.meta.url), 'utf8');
const all = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].map((m) => m[1]!);

/** The library's own codes: thrown by the route handlers, or mapped in the one response layer. */
function libraryCodes(): Set<string> {
  const codes = new Set<string>();
  // Every route module, including those in folders (the admin routes live in handlers/admin/).
  const files = readdirSync(new URL('../../src/handlers/', import.meta.url), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
  for (const file of files) {
    const text = src(`handlers/${file}`);
    for (const code of all(text, /new \w*Error\('([a-z_]+)'/g)) codes.add(code);
    // requireField(fields, 'name', RULE, 'code') / optionalField(...)
    for (const code of all(text, /(?:require|optional)Field\([^)]*'([a-z_]+)'\)/g)) codes.add(code);
  }
  // StytchUnavailableError's codes (a route passes them through when Stytch is unreachable).
  const union = /constructor\(\s*code: ((?:'[a-z_]+'\s*\|?\s*)+),/.exec(src('errors.ts'))?.[1] ?? '';
  for (const code of all(union, /'([a-z_]+)'/g)) codes.add(code);
  for (const code of all(src('middleware/respond.ts'), /code: '([a-z_]+)'/g)) codes.add(code);
  return codes;
}

/**
 * Stytch's error types on the endpoints the routes call, as the emulator answers them: magic
 * links, discovery, OAuth/SSO tokens, OTP, TOTP and recovery codes, sessions (exchange),
 * organizations (creation), members (email update), and the shared validation.
 */
const ROUTE_ENDPOINT_MODULES = [
  'http-errors.ts',
  'links.ts',
  'member-auth.ts',
  'members.ts',
  'mfa.ts',
  'organizations.ts',
  'proof.ts',
  'sessions.ts',
  'sso-tokens.ts',
  'validate.ts',
  'authorize.ts',
  'routes/common.ts',
  'routes/discovery.ts',
  'routes/magic-links.ts',
  'routes/members.ts',
  'routes/oauth-sso.ts',
  'routes/otps.ts',
  'routes/sessions.ts',
  'routes/totp.ts',
  // The example's own SSO admin page (SAML connection create and update).
  'sso-connections.ts',
  'routes/sso-admin.ts',
];

/** Types those modules raise for calls the routes never make, each with the reason. */
const NOT_FROM_ROUTES: Record<string, string> = {
  custom_claims_too_large: 'the routes never send custom claims',
  stytch_claims_in_custom_claims: 'the routes never send custom claims',
  unauthorized_credentials: 'the project secret refused: answered as upstream_unavailable',
  project_not_found: 'the project itself missing: answered as a Stytch error on every call, never by one route',
  duplicate_member_external_id: 'member creation and update with external ids only',
  invalid_member_get_fields: 'member lookups only',
  invalid_search_filter: 'member search only',
  password_not_found: 'passwords are not a route flow',
  cannot_update_trusted_metadata: 'the routes never send trusted metadata',
  invalid_external_id: 'member and organization updates with external ids only',
  retired_email_missing_email_identifiers: 'unlinking a retired email is not a route flow',
};

function stytchCodes(): Set<string> {
  const codes = new Set<string>();
  for (const file of ROUTE_ENDPOINT_MODULES) {
    for (const code of all(src(`emulator/${file}`), /(?:badRequest|unauthorized|forbidden|notFound|new ApiError\(\d+,)\s*\(?'([a-z_]+)'/g)) codes.add(code);
  }
  for (const code of Object.keys(NOT_FROM_ROUTES)) codes.delete(code);
  return codes;
}

describe("the example app's error messages", () => {
  it('finds the codes in the sources (the collection itself works)', () => {
    const library = libraryCodes();
    for (const code of ['pkce_verifier_missing', 'invalid_token', 'intermediate_session_missing', 'csrf_rejected', 'upstream_timeout', 'too_many_requests']) expect(library).toContain(code);
    const stytch = stytchCodes();
    for (const code of ['pkce_mismatch', 'unable_to_auth_magic_link', 'unable_to_auth_otp_code', 'unable_to_authenticate_totp', 'unable_to_authenticate_recovery_code', 'invalid_organization_slug']) {
      expect(stytch).toContain(code);
    }
  });

  it('has a message for every code a route can send to a page', () => {
    expect(libraryCodes().size + stytchCodes().size).toBeGreaterThan(60);
    const missing = [...libraryCodes(), ...stytchCodes()].filter((code) => !Object.hasOwn(ERROR_MESSAGES, code)).sort();
    expect(missing).toEqual([]);
  });

  it("has a message for every error code of the admin routes' contract (members, organization and account pages)", () => {
    const codes = ['permission_denied', 'last_admin', 'roles_required', 'unknown_role', 'member_not_found', 'member_not_invited', 'member_already_active', 'search_query_too_short', 'recent_factor_required', 'invalid_request', 'unauthenticated', 'csrf_rejected'];
    expect(codes.filter((code) => !Object.hasOwn(ERROR_MESSAGES, code))).toEqual([]);
  });

  it('says a reused or expired link was already used, and a wrong code is wrong', () => {
    for (const code of ['unable_to_auth_magic_link', 'magic_link_not_found', 'pkce_verifier_missing']) expect(errorMessage(code)).toMatch(/already been used/);
    expect(errorMessage('unable_to_authenticate_totp')).toMatch(/wrong/);
    expect(errorMessage('otp_code_not_found')).toMatch(/wrong/);
  });

  it('falls back to a generic message for a code it does not know, including inherited names', () => {
    expect(errorMessage('something_new')).toBe('Something went wrong. Please try again.');
    expect(errorMessage('constructor')).toBe('Something went wrong. Please try again.');
  });
});
