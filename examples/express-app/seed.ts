/**
 * Demo data for emulator mode: two organizations (one requiring MFA for everyone), members with
 * different roles, and a project RBAC policy with a custom `documents` resource.
 */
import type { RbacPolicy, RbacRole } from '../../src/client/types.js';
import type { StytchB2BClient } from '../../src/client/client.js';
import type { Emulator } from '../../src/emulator/index.js';
import { TEST_IDP_CERTIFICATE } from '../../src/emulator/sso-metadata.js';

/** A demo account, printed by `npm start` and used by the browser tests. */
export interface DemoAccount {
  email: string;
  description: string;
}

/** What {@link seedEmulator} created. */
export interface SeedResult {
  organizations: { acme: { id: string; name: string }; globex: { id: string; name: string } };
  accounts: DemoAccount[];
  /** Acme's SAML connection (set by {@link seedSso}). */
  sso?: { connectionId: string; displayName: string };
}

/** The custom resource the example's "documents" area is guarded by. */
const DOCUMENTS = { resource_id: 'documents', description: 'Team documents', actions: ['read', 'create', 'delete'] };

/** The custom resource of the M2M admin page (`/admin/m2m`): machine clients that call /api/documents. */
const INTEGRATIONS = { resource_id: 'integrations', description: 'Machine (M2M) clients of the app', actions: ['read', 'create'] };

/**
 * The project policy: Stytch's defaults plus `documents`.
 * - every member (`stytch_member`) may read documents;
 * - `documents_editor` may also create them;
 * - `stytch_admin` may do anything with them (the `*` action wildcard), and manage `integrations`;
 * - `members_viewer` may see the members page (`stytch.member:search`) but change nothing there.
 */
export function examplePolicy(base: RbacPolicy): RbacPolicy {
  const grant = (role: RbacRole, resource_id: string, actions: string[]): RbacRole => ({
    ...role,
    permissions: [...role.permissions.filter((p) => p.resource_id !== resource_id), { resource_id, actions }],
  });
  const roles = base.roles.map((role) =>
    role.role_id === 'stytch_member'
      ? grant(role, 'documents', ['read'])
      : role.role_id === 'stytch_admin'
        ? grant(grant(role, 'documents', ['*']), 'integrations', ['*'])
        : role,
  );
  roles.push({ role_id: 'documents_editor', description: 'Can read and create documents', permissions: [{ resource_id: 'documents', actions: ['read', 'create'] }] });
  roles.push({ role_id: 'members_viewer', description: 'Can see the members of the organization', permissions: [{ resource_id: 'stytch.member', actions: ['search'] }] });
  // Scopes for machine callers of /api/documents (M2M clients): each maps onto documents permissions.
  const scopes = [
    ...(base.scopes ?? []).filter((s) => s.scope !== 'read:documents' && s.scope !== 'write:documents'),
    { scope: 'read:documents', description: 'Read the documents of any organization', permissions: [{ resource_id: 'documents', actions: ['read'] }] },
    { scope: 'write:documents', description: 'Read and create documents', permissions: [{ resource_id: 'documents', actions: ['read', 'create'] }] },
  ];
  const resources = [...base.resources.filter((r) => r.resource_id !== 'documents' && r.resource_id !== 'integrations'), DOCUMENTS, INTEGRATIONS];
  return { ...base, roles, resources, scopes };
}

/**
 * Seeds a freshly started emulator. Idempotent only on a fresh (or reset) emulator.
 *
 * Note: the emulator's TOTP secrets, codes and links are fake; nothing here is a real credential.
 */
export function seedEmulator(emulator: Emulator): SeedResult {
  const { admin } = emulator;
  admin.setProjectPolicy(examplePolicy(admin.getProjectPolicy()));

  const acme = admin.createOrganization({ organization_name: 'Acme Corp', organization_slug: 'acme', mfa_policy: 'OPTIONAL', email_invites: 'ALL_ALLOWED' });
  const globex = admin.createOrganization({ organization_name: 'Globex', organization_slug: 'globex', mfa_policy: 'REQUIRED_FOR_ALL', email_invites: 'ALL_ALLOWED' });

  admin.createMember(acme.organization_id, { email_address: 'ada@example.com', name: 'Ada Admin', roles: ['stytch_admin'] });
  admin.createMember(globex.organization_id, { email_address: 'ada@example.com', name: 'Ada Admin' });
  admin.createMember(acme.organization_id, { email_address: 'bob@example.com', name: 'Bob Editor', roles: ['documents_editor'] });
  admin.createMember(globex.organization_id, { email_address: 'bob@example.com', name: 'Bob Editor', mfa_phone_number: '+15555550123' });
  admin.createMember(acme.organization_id, { email_address: 'carol@example.com', name: 'Carol Reader' });

  return {
    organizations: {
      acme: { id: acme.organization_id, name: acme.organization_name },
      globex: { id: globex.organization_id, name: globex.organization_name },
    },
    accounts: [
      { email: 'ada@example.com', description: 'admin in Acme Corp; member in Globex (MFA required: enrol TOTP)' },
      { email: 'bob@example.com', description: 'documents_editor in Acme Corp; member in Globex (MFA by SMS code)' },
      { email: 'carol@example.com', description: 'member (read-only documents) in Acme Corp' },
    ],
  };
}

/** The SAML connection {@link seedSso} gives Acme. */
export const ACME_SSO = { displayName: 'Acme Okta', idpEntityId: 'https://idp.acme.example/entity', idpSsoUrl: 'https://idp.acme.example/sso' };

/**
 * Gives Acme an active SAML connection through the client's SSO calls. The IdP is the emulator's
 * built-in page, and the certificate is its fixed test certificate (not a real credential).
 */
export async function seedSso(client: StytchB2BClient, organizationId: string): Promise<{ connectionId: string; displayName: string }> {
  const { connection } = await client.sso.saml.createConnection({ organization_id: organizationId, display_name: ACME_SSO.displayName, identity_provider: 'okta' });
  const connectionId = connection?.connection_id ?? '';
  await client.sso.saml.updateConnection({
    organization_id: organizationId,
    connection_id: connectionId,
    idp_entity_id: ACME_SSO.idpEntityId,
    idp_sso_url: ACME_SSO.idpSsoUrl,
    x509_certificate: TEST_IDP_CERTIFICATE,
    attribute_mapping: { email: 'email', full_name: 'name' },
  });
  return { connectionId, displayName: ACME_SSO.displayName };
}
