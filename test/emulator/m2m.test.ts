/**
 * M2M and Connected-App tokens through the emulator, driven by the official SDK: clients and
 * secret rotation, `m2m.token` with scope checks, `m2m.authenticateToken`, Connected-App tokens
 * via `idp.introspectTokenLocal` / `introspectTokenNetwork`, and the policy's scopes.
 */
import * as stytch from 'stytch';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RbacPolicy } from '../../src/client/types.js';
import { useEmulator } from '../helpers/emulator.js';
import { newEmail, newOrg } from './support.js';

const policy: RbacPolicy = {
  roles: [
    { role_id: 'stytch_member', description: 'every member', permissions: [{ resource_id: 'stytch.self', actions: ['*'] }] },
    { role_id: 'editor', description: 'edits documents', permissions: [{ resource_id: 'documents', actions: ['read', 'write'] }] },
  ],
  resources: [{ resource_id: 'documents', description: 'docs', actions: ['read', 'write', 'delete'] }],
  scopes: [
    { scope: 'read:documents', description: 'read', permissions: [{ resource_id: 'documents', actions: ['read'] }] },
    { scope: 'delete:documents', description: 'delete', permissions: [{ resource_id: 'documents', actions: ['delete'] }] },
  ],
};

const emu = useEmulator({ policy });
let client: stytch.B2BClient;

beforeAll(() => {
  const e = emu();
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  client = new stytch.B2BClient({ project_id: e.projectId, secret: e.secret, env: `${e.url}/` });
  warn.mockRestore();
});
afterAll(() => {
  vi.restoreAllMocks();
});

async function newClient(scopes = ['read:documents', 'write:documents']) {
  const created = await client.m2m.clients.create({ scopes, client_name: 'sync job' });
  return created.m2m_client;
}

describe('M2M clients through the SDK', () => {
  it('creates a client whose secret is shown once, then gets, searches, updates and deletes it', async () => {
    const created = await newClient();
    expect(created.client_id).toMatch(/^m2m-client-test-/);
    expect(created.client_secret.length).toBeGreaterThanOrEqual(32);
    expect(created.client_secret_last_four).toBe(created.client_secret.slice(-4));
    const got = await client.m2m.clients.get({ client_id: created.client_id });
    expect(got.m2m_client).not.toHaveProperty('client_secret');
    expect(got.m2m_client.scopes).toEqual(['read:documents', 'write:documents']);
    const found = await client.m2m.clients.search({ query: { operator: 'AND', operands: [{ filter_name: 'client_id', filter_value: [created.client_id] }] } });
    expect(found.m2m_clients.map((c) => c.client_id)).toEqual([created.client_id]);
    const updated = await client.m2m.clients.update({ client_id: created.client_id, scopes: ['read:documents'], client_name: 'renamed' });
    expect(updated.m2m_client).toMatchObject({ scopes: ['read:documents'], client_name: 'renamed' });
    const deleted = await client.m2m.clients.delete({ client_id: created.client_id });
    expect(deleted.client_id).toBe(created.client_id);
    await expect(client.m2m.clients.get({ client_id: created.client_id })).rejects.toMatchObject({ status_code: 404, error_type: 'm2m_client_not_found' });
  });

  it('rotates a secret: both work during the rotation, only the new one after', async () => {
    const created = await newClient();
    const started = await client.m2m.clients.secrets.rotateStart({ client_id: created.client_id });
    const next = started.m2m_client.next_client_secret;
    expect(next).not.toBe(created.client_secret);
    await client.m2m.token({ client_id: created.client_id, client_secret: created.client_secret });
    await client.m2m.token({ client_id: created.client_id, client_secret: next });
    await client.m2m.clients.secrets.rotate({ client_id: created.client_id });
    await expect(client.m2m.token({ client_id: created.client_id, client_secret: created.client_secret })).rejects.toMatchObject({ status_code: 400, error_type: 'invalid_client' });
    await client.m2m.token({ client_id: created.client_id, client_secret: next });
  });

  it('cancels a rotation: the next secret stops working, and a second cancel is refused', async () => {
    const created = await newClient();
    const started = await client.m2m.clients.secrets.rotateStart({ client_id: created.client_id });
    await client.m2m.clients.secrets.rotateCancel({ client_id: created.client_id });
    await expect(client.m2m.token({ client_id: created.client_id, client_secret: started.m2m_client.next_client_secret })).rejects.toMatchObject({ error_type: 'invalid_client' });
    await expect(client.m2m.clients.secrets.rotateCancel({ client_id: created.client_id })).rejects.toMatchObject({ status_code: 400, error_type: 'm2m_client_not_rotating_secret' });
  });
});

describe('m2m.token and m2m.authenticateToken', () => {
  it('issues a token that the SDK verifies locally, with the client id and all its scopes', async () => {
    const created = await newClient();
    const token = await client.m2m.token({ client_id: created.client_id, client_secret: created.client_secret });
    expect(token).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
    const verified = await client.m2m.authenticateToken({ access_token: token.access_token, required_scopes: ['read:documents'] });
    expect(verified).toEqual({ client_id: created.client_id, scopes: ['read:documents', 'write:documents'], custom_claims: {} });
  });

  it('narrows the token to the requested scopes, and refuses scopes the client does not have', async () => {
    const created = await newClient();
    const narrow = await client.m2m.token({ client_id: created.client_id, client_secret: created.client_secret, scopes: ['read:documents'] });
    await expect(client.m2m.authenticateToken({ access_token: narrow.access_token, required_scopes: ['write:documents'] })).rejects.toMatchObject({ code: 'missing_scopes' });
    await expect(client.m2m.token({ client_id: created.client_id, client_secret: created.client_secret, scopes: ['admin:everything'] })).rejects.toMatchObject({ status_code: 400, error_type: 'invalid_scope' });
  });

  it('refuses a wrong secret, an unknown client and an inactive client with OAuth2 errors', async () => {
    const created = await newClient();
    await expect(client.m2m.token({ client_id: created.client_id, client_secret: 'not-the-secret' })).rejects.toMatchObject({ status_code: 400, error_type: 'invalid_client' });
    await expect(client.m2m.token({ client_id: 'm2m-client-test-nope', client_secret: 'x' })).rejects.toMatchObject({ status_code: 400, error_type: 'invalid_client' });
    const issued = await client.m2m.token({ client_id: created.client_id, client_secret: created.client_secret });
    await client.m2m.clients.update({ client_id: created.client_id, status: 'inactive' });
    await expect(client.m2m.token({ client_id: created.client_id, client_secret: created.client_secret })).rejects.toMatchObject({ error_type: 'invalid_client' });
    // Tokens already issued stay valid until they expire (addendum A7.3).
    await expect(client.m2m.authenticateToken({ access_token: issued.access_token })).resolves.toMatchObject({ client_id: created.client_id });
  });

  it('signs tokens with the claims Stytch uses: RS256 with typ and kid, one-hour exp, scope as a string', async () => {
    const e = emu();
    const created = await newClient();
    const token = await client.m2m.token({ client_id: created.client_id, client_secret: created.client_secret });
    const [header, payload] = token.access_token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>);
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: e.admin.currentKid() });
    expect(payload).toMatchObject({ sub: created.client_id, iss: e.issuer, aud: [e.projectId], scope: 'read:documents write:documents' });
    expect((payload!.exp as number) - (payload!.iat as number)).toBe(3600);
    expect(payload).not.toHaveProperty(['https://stytch.com/session']);
  });

  it('accepts the form body with HTTP Basic client credentials and JSON bodies too', async () => {
    const e = emu();
    const created = await newClient();
    const basic = `Basic ${Buffer.from(`${created.client_id}:${created.client_secret}`).toString('base64')}`;
    const form = await fetch(`${e.url}/v1/public/${e.projectId}/oauth2/token`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&scope=read%3Adocuments' });
    expect(form.status).toBe(200);
    const jsonBody = await fetch(`${e.url}/v1/public/${e.projectId}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: created.client_id, client_secret: created.client_secret }),
    });
    expect(jsonBody.status).toBe(200);
    const wrongGrant = await fetch(`${e.url}/v1/public/${e.projectId}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=password' });
    expect(wrongGrant.status).toBe(400);
    expect(await wrongGrant.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });
});

describe('Connected-App access tokens', () => {
  function member(roles: string[]) {
    const e = emu();
    const org = newOrg(e);
    const m = e.admin.createMember(org.organization_id, { email_address: newEmail(), roles });
    return { org, member: m };
  }

  it('verifies locally with the organization claim and maps policy scopes to permissions', async () => {
    const e = emu();
    const { org, member: m } = member(['editor']);
    const app = e.admin.createConnectedApp({ client_name: 'Partner' });
    const { access_token } = e.admin.issueConnectedAppToken({ client_id: app.client_id, member_id: m.member_id, scopes: ['openid', 'read:documents'] });
    const local = await client.idp.introspectTokenLocal(access_token, { authorization_check: { organization_id: org.organization_id, resource_id: 'documents', action: 'read' } });
    expect(local).toMatchObject({ subject: m.member_id, scope: 'openid read:documents', organization: { organization_id: org.organization_id, slug: org.organization_slug } });
    expect(local.custom_claims).toMatchObject({ client_id: app.client_id });
    await expect(
      client.idp.introspectTokenLocal(access_token, { authorization_check: { organization_id: org.organization_id, resource_id: 'documents', action: 'write' } }),
    ).rejects.toMatchObject({ code: 'invalid_permissions' });
  });

  it('refuses to let a member grant a scope their roles do not cover', () => {
    const e = emu();
    const { member: m } = member(['editor']);
    const app = e.admin.createConnectedApp();
    expect(() => e.admin.issueConnectedAppToken({ client_id: app.client_id, member_id: m.member_id, scopes: ['delete:documents'] })).toThrow(/cannot grant/);
  });

  it('introspects over the network: active until consent is revoked', async () => {
    const e = emu();
    const { member: m } = member(['editor']);
    const app = e.admin.createConnectedApp();
    const { access_token } = e.admin.issueConnectedAppToken({ client_id: app.client_id, member_id: m.member_id, scopes: ['read:documents'] });
    const active = await client.idp.introspectTokenNetwork({ token: access_token, client_id: app.client_id, client_secret: app.client_secret! });
    expect(active).toMatchObject({ subject: m.member_id, scope: 'read:documents', token_type: 'access_token' });
    e.admin.revokeAccessToken(access_token);
    await expect(client.idp.introspectTokenNetwork({ token: access_token, client_id: app.client_id, client_secret: app.client_secret! })).rejects.toMatchObject({ code: 'token_invalid' });
  });

  it('serves the policy scopes from GET /v1/b2b/rbac/policy', async () => {
    const served = await client.rbac.policy();
    expect(served.policy?.scopes?.map((s) => s.scope)).toEqual(['read:documents', 'delete:documents']);
  });
});
