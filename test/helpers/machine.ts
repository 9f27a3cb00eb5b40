/**
 * Machine access tokens from the emulator for tests: an M2M client plus a token from the real
 * token endpoint (through this library's client), and Connected-App tokens via the admin API.
 */
import { StytchB2BClient } from '../../src/client/index.js';
import type { Emulator } from '../../src/emulator/index.js';

/** A policy with documents, an editor role and the scopes that map onto documents permissions. */
export const DOCUMENTS_POLICY = {
  roles: [
    { role_id: 'stytch_member', description: 'every member', permissions: [{ resource_id: 'stytch.self', actions: ['*'] }] },
    { role_id: 'editor', description: 'edits documents', permissions: [{ resource_id: 'documents', actions: ['read', 'write'] }] },
  ],
  resources: [{ resource_id: 'documents', description: 'docs', actions: ['read', 'write', 'delete'] }],
  scopes: [
    { scope: 'read:documents', description: 'read', permissions: [{ resource_id: 'documents', actions: ['read'] }] },
    { scope: 'write:documents', description: 'write', permissions: [{ resource_id: 'documents', actions: ['read', 'write'] }] },
    { scope: 'admin:documents', description: 'all', permissions: [{ resource_id: 'documents', actions: ['*'] }] },
  ],
};

/** A fresh M2M client with `clientScopes` and a token for `scopes` (default: all of them). */
export async function m2mToken(emulator: Emulator, clientScopes: string[], scopes?: string[]): Promise<{ token: string; clientId: string }> {
  const client = emulator.admin.createM2MClient({ scopes: clientScopes });
  const api = new StytchB2BClient({ projectId: emulator.projectId, secret: emulator.secret, baseUrl: emulator.url, env: {} });
  try {
    const answer = await api.m2m.token({ client_id: client.client_id, client_secret: client.client_secret, ...(scopes === undefined ? {} : { scopes }) });
    return { token: answer.access_token, clientId: client.client_id };
  } finally {
    await api.close();
  }
}

/** A Connected-App token for a new member with `roles` in a new organization. */
export function connectedAppToken(emulator: Emulator, scopes: string[], roles: string[] = ['editor']): { token: string; clientId: string; organizationId: string; organizationSlug: string; memberId: string } {
  const slug = `ca-${Math.random().toString(36).slice(2, 10)}`;
  const org = emulator.admin.createOrganization({ organization_name: slug, organization_slug: slug });
  const member = emulator.admin.createMember(org.organization_id, { email_address: `${slug}@example.com`, roles });
  const app = emulator.admin.createConnectedApp({ client_name: 'Partner' });
  const { access_token } = emulator.admin.issueConnectedAppToken({ client_id: app.client_id, member_id: member.member_id, scopes });
  return { token: access_token, clientId: app.client_id, organizationId: org.organization_id, organizationSlug: slug, memberId: member.member_id };
}
