/**
 * Helpers shared by the emulator's own test files: unique names, the test-side TOTP (re-exported),
 * independently of the emulator, Stytch error-shape assertions, and short login flows over HTTP.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { callApi } from '../helpers/emulator.js';
import type { JsonBody } from '../helpers/emulator.js';
import type { ApiResponse } from '../helpers/emulator.js';

/** A short random suffix so every test owns its organizations and members. */
export function uniq(): string {
  return randomUUID().slice(0, 8);
}

/** A fresh email address on a non-common domain. */
export function newEmail(prefix = 'user'): string {
  return `${prefix}-${uniq()}@example.com`;
}

export { base32Decode, totp } from '../helpers/totp.js';

/** Asserts the Stytch error body shape (reference 1.5) and returns the body. */
export function expectStytchError(res: ApiResponse, status: number, errorType?: string | string[]): JsonBody {
  const detail = `${res.status} ${res.text.slice(0, 300)}`;
  expect(res.status, detail).toBe(status);
  expect(res.headers.get('content-type') ?? '', detail).toMatch(/application\/json/u);
  const body = res.body;
  expect(body, detail).toBeTypeOf('object');
  expect(body.status_code, detail).toBe(status);
  expect(body.request_id, detail).toMatch(/^request-id-test-/u);
  expect(body.error_type, detail).toBeTypeOf('string');
  expect(body.error_message, detail).toBeTypeOf('string');
  expect(body.error_url, detail).toBeTypeOf('string');
  if (typeof errorType === 'string') expect(body.error_type, detail).toBe(errorType);
  else if (errorType) expect(errorType, detail).toContain(body.error_type);
  // No stack trace ever leaves the emulator.
  expect(res.text).not.toMatch(/\n\s+at /u);
  return body;
}

/** Asserts a 200 Stytch success body and returns it. */
export function expectOk(res: ApiResponse): JsonBody {
  expect(res.status, `${res.status} ${res.text.slice(0, 400)}`).toBe(200);
  expect(res.body.status_code).toBe(200);
  expect(res.body.request_id).toMatch(/^request-id-test-/u);
  return res.body;
}

/** Creates an organization (with a unique slug) through the admin API. */
export function newOrg(emu: Emulator, extra: Record<string, unknown> = {}) {
  const slug = `org-${uniq()}`;
  return emu.admin.createOrganization({ organization_name: `Org ${slug}`, organization_slug: slug, ...extra });
}

/** Sends a login magic link over HTTP and returns the token read from the outbox. */
export async function sendLoginLink(emu: Emulator, organizationId: string, email: string): Promise<string> {
  expectOk(await callApi(emu, 'POST', '/v1/b2b/magic_links/email/login_or_signup', { organization_id: organizationId, email_address: email }));
  const msg = emu.outbox.latest({ to: email });
  expect(msg?.token, 'a magic link token in the outbox').toBeTypeOf('string');
  return msg!.token!;
}

/** Full magic-link login over HTTP; returns the `magic_links/authenticate` response body. */
export async function magicLinkLogin(emu: Emulator, organizationId: string, email: string, extra: Record<string, unknown> = {}) {
  const token = await sendLoginLink(emu, organizationId, email);
  return expectOk(await callApi(emu, 'POST', '/v1/b2b/magic_links/authenticate', { magic_links_token: token, ...extra }));
}

/** An active member in a fresh organization, logged in by magic link. */
export async function loggedInMember(emu: Emulator, opts: { roles?: string[]; org?: Record<string, unknown> } = {}) {
  const org = newOrg(emu, opts.org);
  const email = newEmail();
  const member = emu.admin.createMember(org.organization_id, { email_address: email, status: 'active', ...(opts.roles ? { roles: opts.roles } : {}) });
  const auth = await magicLinkLogin(emu, org.organization_id, email);
  expect(auth.member_authenticated).toBe(true);
  return { org, member, email, auth, sessionToken: auth.session_token as string, sessionJwt: auth.session_jwt as string };
}

export { callApi };
