import * as stytch from 'stytch';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RbacPolicy } from '../../src/client/types.js';
import { useEmulator } from '../helpers/emulator.js';
import { newEmail, newOrg } from './support.js';

const policy: RbacPolicy = {
  roles: [
    { role_id: 'stytch_member', description: 'every member', permissions: [{ resource_id: 'stytch.self', actions: ['*'] }] },
    { role_id: 'stytch_admin', description: 'admins', permissions: [{ resource_id: 'stytch.member', actions: ['*'] }] },
    { role_id: 'editor', description: 'edits documents', permissions: [{ resource_id: 'documents', actions: ['read', 'write'] }] },
  ],
  resources: [{ resource_id: 'documents', description: 'docs', actions: ['read', 'write', 'delete'] }],
  scopes: [],
};

const emu = useEmulator({ policy });
let client: stytch.B2BClient;

beforeAll(() => {
  const e = emu();
  // The SDK warns once about a custom `env` (reference 1.1); keep the test output clean.
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  client = new stytch.B2BClient({ project_id: e.projectId, secret: e.secret, env: `${e.url}/` });
  warn.mockRestore();
});
afterAll(() => {
  vi.restoreAllMocks();
});

/** The official SDK's magic-link login, reading the token from the emulator outbox. */
async function sdkLogin(roles?: string[]) {
  const e = emu();
  const org = newOrg(e);
  const email = newEmail();
  e.admin.createMember(org.organization_id, { email_address: email, status: 'active', ...(roles ? { roles } : {}) });
  const sent = await client.magicLinks.email.loginOrSignup({ organization_id: org.organization_id, email_address: email });
  expect(sent.status_code).toBe(200);
  const token = e.outbox.latest({ to: email })!.token!;
  const auth = await client.magicLinks.authenticate({ magic_links_token: token });
  return { org, email, auth };
}

/** Local verification uses the emulator clock, so the test never depends on wall-clock time. */
const now = () => new Date(emu().clock.now());

describe('official stytch SDK against the emulator', () => {
  it('completes a magic-link login', async () => {
    const { auth, org, email } = await sdkLogin();
    expect(auth.member_authenticated).toBe(true);
    expect(auth.organization.organization_id).toBe(org.organization_id);
    expect(auth.member.email_address).toBe(email);
    expect(auth.session_jwt.split('.')).toHaveLength(3);
    expect(auth.member_session?.organization_id).toBe(org.organization_id);
  });

  it('verifies the session JWT locally with authenticateJwtLocal', async () => {
    const { auth, org } = await sdkLogin();
    const session = await client.sessions.authenticateJwtLocal({ session_jwt: auth.session_jwt, current_date: now() });
    expect(session.member_id).toBe(auth.member.member_id);
    expect(session.organization_id).toBe(org.organization_id);
    expect(session.organization_slug).toBe(org.organization_slug);
    expect(session.member_session_id).toBe(auth.member_session!.member_session_id);
    expect(session.roles).toContain('stytch_member');
  });

  it('allows a local authorization_check the member holds', async () => {
    const { auth, org } = await sdkLogin(['editor']);
    const session = await client.sessions.authenticateJwtLocal({
      session_jwt: auth.session_jwt,
      current_date: now(),
      authorization_check: { organization_id: org.organization_id, resource_id: 'documents', action: 'write' },
    });
    expect(session.roles).toContain('editor');
  });

  it('refuses a local authorization_check with invalid_permissions, and another org with tenancy_mismatch', async () => {
    const { auth, org } = await sdkLogin(['editor']);
    const denied = client.sessions.authenticateJwtLocal({
      session_jwt: auth.session_jwt,
      current_date: now(),
      authorization_check: { organization_id: org.organization_id, resource_id: 'documents', action: 'delete' },
    });
    await expect(denied).rejects.toMatchObject({ code: 'invalid_permissions' });
    const other = newOrg(emu());
    const tenancy = client.sessions.authenticateJwtLocal({
      session_jwt: auth.session_jwt,
      current_date: now(),
      authorization_check: { organization_id: other.organization_id, resource_id: 'documents', action: 'read' },
    });
    await expect(tenancy).rejects.toMatchObject({ code: 'tenancy_mismatch' });
  });

  it('authenticates remotely, with a verdict and with a 403 StytchError when refused', async () => {
    const { auth, org } = await sdkLogin(['editor']);
    const ok = await client.sessions.authenticate({
      session_token: auth.session_token,
      authorization_check: { organization_id: org.organization_id, resource_id: 'documents', action: 'read' },
    });
    expect(ok.verdict?.authorized).toBe(true);
    expect(ok.verdict?.granting_roles).toEqual(['editor']);
    const refused = client.sessions.authenticate({
      session_jwt: auth.session_jwt,
      authorization_check: { organization_id: org.organization_id, resource_id: 'documents', action: 'delete' },
    });
    await expect(refused).rejects.toBeInstanceOf(stytch.StytchError);
    await expect(refused).rejects.toMatchObject({ status_code: 403, error_type: 'session_authorization_error' });
  });

  it('surfaces 404 session_not_found as a StytchError after revoke', async () => {
    const { auth } = await sdkLogin();
    await client.sessions.revoke({ session_token: auth.session_token });
    await expect(client.sessions.authenticate({ session_token: auth.session_token })).rejects.toMatchObject({
      status_code: 404,
      error_type: 'session_not_found',
    });
  });

  it('reads the RBAC policy, an org policy and the JWKS', async () => {
    const { org } = await sdkLogin();
    const res = await client.rbac.policy();
    expect(res.policy?.roles.map((r) => r.role_id)).toEqual(['stytch_member', 'stytch_admin', 'editor']);
    const orgPolicy = await client.rbac.organizations.getOrgPolicy({ organization_id: org.organization_id });
    expect(orgPolicy.org_policy.roles).toEqual([]);
    const jwks = await client.sessions.getJWKS({ project_id: emu().projectId });
    expect(jwks.keys.map((k) => k.kid)).toContain(emu().admin.currentKid());
  });

  it('runs discovery: send, authenticate, list and exchange', async () => {
    const e = emu();
    const org = newOrg(e);
    const email = newEmail();
    e.admin.createMember(org.organization_id, { email_address: email, status: 'active' });
    await client.magicLinks.email.discovery.send({ email_address: email });
    const token = e.outbox.latest({ to: email, kind: 'discovery_magic_link' })!.token!;
    const found = await client.magicLinks.discovery.authenticate({ discovery_magic_links_token: token });
    expect(found.email_address).toBe(email);
    const listed = await client.discovery.organizations.list({ intermediate_session_token: found.intermediate_session_token });
    expect(listed.discovered_organizations.map((d) => d.organization?.organization_id)).toContain(org.organization_id);
    const exchanged = await client.discovery.intermediateSessions.exchange({
      intermediate_session_token: found.intermediate_session_token,
      organization_id: org.organization_id,
    });
    expect(exchanged.member_authenticated).toBe(true);
    const local = await client.sessions.authenticateJwtLocal({ session_jwt: exchanged.session_jwt, current_date: now() });
    expect(local.organization_id).toBe(org.organization_id);
  });

  it('creates an organization through discovery with the creator as stytch_admin', async () => {
    const e = emu();
    const email = newEmail('founder');
    await client.magicLinks.email.discovery.send({ email_address: email });
    const found = await client.magicLinks.discovery.authenticate({ discovery_magic_links_token: e.outbox.latest({ to: email })!.token! });
    const created = await client.discovery.organizations.create({
      intermediate_session_token: found.intermediate_session_token,
      organization_name: 'SDK Made',
      organization_slug: `sdk-${Date.now().toString(36)}`,
    });
    expect(created.member_authenticated).toBe(true);
    expect(created.member_session?.roles).toContain('stytch_admin');
  });

  it('authenticateJwt returns the same JWT on the local path', async () => {
    const { auth } = await sdkLogin();
    const res = await client.sessions.authenticateJwt({ session_jwt: auth.session_jwt });
    expect(res.member_session.member_id).toBe(auth.member.member_id);
  });
});
