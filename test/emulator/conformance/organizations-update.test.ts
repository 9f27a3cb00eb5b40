/**
 * `organizations.update` with member-session headers: every field needs its own
 * `stytch.organization` action (reference A6.3; SDK doc comments of
 * `B2BOrganizationsUpdateRequest` in types/lib/b2b/organizations.d.ts), trusted metadata is
 * never writable as a member, and the acting member must belong to the organization (A6.1).
 */
import { describe, expect, it } from 'vitest';
import { actor, expectRefused, expectStytch, newOrg, uniq, useConformance } from './support.js';

const { emu, sdk } = useConformance();

const ORG = 'stytch.organization';

/** A valid value for each field and the action the SDK doc comment names for it. */
const FIELDS: { field: string; action: string; value: () => unknown }[] = [
  // organizations.d.ts `organization_name`: "permission to perform the `update.info.name` action"
  { field: 'organization_name', action: 'update.info.name', value: () => `Renamed ${uniq()}` },
  // `organization_slug`: `update.info.slug`
  { field: 'organization_slug', action: 'update.info.slug', value: () => `slug-${uniq()}` },
  // `organization_logo_url`: `update.info.logo-url`
  { field: 'organization_logo_url', action: 'update.info.logo-url', value: () => 'https://example.com/logo.png' },
  // `sso_default_connection_id`: `update.settings.default-sso-connection` (empty clears it)
  { field: 'sso_default_connection_id', action: 'update.settings.default-sso-connection', value: () => '' },
  // `sso_jit_provisioning`: `update.settings.sso-jit-provisioning`
  { field: 'sso_jit_provisioning', action: 'update.settings.sso-jit-provisioning', value: () => 'RESTRICTED' },
  // `sso_jit_provisioning_allowed_connections`: `update.settings.sso-jit-provisioning`
  { field: 'sso_jit_provisioning_allowed_connections', action: 'update.settings.sso-jit-provisioning', value: () => [] },
  // `email_allowed_domains`: `update.settings.allowed-domains`
  { field: 'email_allowed_domains', action: 'update.settings.allowed-domains', value: () => ['example.com'] },
  // `email_jit_provisioning`: `update.settings.email-jit-provisioning`
  { field: 'email_jit_provisioning', action: 'update.settings.email-jit-provisioning', value: () => 'NOT_ALLOWED' },
  // `email_invites`: `update.settings.email-invites`
  { field: 'email_invites', action: 'update.settings.email-invites', value: () => 'ALL_ALLOWED' },
  // `auth_methods` and `allowed_auth_methods`: `update.settings.allowed-auth-methods`
  { field: 'auth_methods', action: 'update.settings.allowed-auth-methods', value: () => 'ALL_ALLOWED' },
  { field: 'allowed_auth_methods', action: 'update.settings.allowed-auth-methods', value: () => ['magic_link'] },
  // `mfa_policy`: `update.settings.mfa-policy`
  { field: 'mfa_policy', action: 'update.settings.mfa-policy', value: () => 'OPTIONAL' },
  // `rbac_email_implicit_role_assignments`: `update.settings.implicit-roles`
  { field: 'rbac_email_implicit_role_assignments', action: 'update.settings.implicit-roles', value: () => [] },
  // `mfa_methods` and `allowed_mfa_methods`: `update.settings.allowed-mfa-methods`
  { field: 'mfa_methods', action: 'update.settings.allowed-mfa-methods', value: () => 'ALL_ALLOWED' },
  { field: 'allowed_mfa_methods', action: 'update.settings.allowed-mfa-methods', value: () => ['totp'] },
  // `oauth_tenant_jit_provisioning`: `update.settings.oauth-tenant-jit-provisioning`
  { field: 'oauth_tenant_jit_provisioning', action: 'update.settings.oauth-tenant-jit-provisioning', value: () => 'NOT_ALLOWED' },
  // `allowed_oauth_tenants`: `update.settings.allowed-oauth-tenants`
  { field: 'allowed_oauth_tenants', action: 'update.settings.allowed-oauth-tenants', value: () => ({ slack: ['T123'] }) },
];

/** Fields with no RBAC note in the docs (A6.3, A16.9): the emulator requires `*` [INF]. */
const UNNOTED: { field: string; value: () => unknown }[] = [
  { field: 'organization_external_id', value: () => `ext-${uniq()}` },
  { field: 'claimed_email_domains', value: () => [] },
  { field: 'first_party_connected_apps_allowed_type', value: () => 'ALL_ALLOWED' },
  { field: 'allowed_first_party_connected_apps', value: () => [] },
  { field: 'third_party_connected_apps_allowed_type', value: () => 'ALL_ALLOWED' },
  { field: 'allowed_third_party_connected_apps', value: () => [] },
];

const DECOY = 'update.info.name';
const ALL_NAMED = [...new Set(FIELDS.map((f) => f.action))];

describe('organizations.update: one stytch.organization action per field (A6.3)', () => {
  for (const { field, action, value } of FIELDS) {
    it(`${field} needs ${action}`, async () => {
      const org = newOrg(emu());
      const other = action === DECOY ? 'update.info.slug' : DECOY;
      const without = actor(emu(), org.organization_id, [{ resource_id: ORG, actions: [other] }]);
      const withIt = actor(emu(), org.organization_id, [{ resource_id: ORG, actions: [action] }]);
      await expectRefused(sdk().organizations.update({ organization_id: org.organization_id, [field]: value() }, without.as));
      const v = value();
      const res = await sdk().organizations.update({ organization_id: org.organization_id, [field]: v }, withIt.as);
      expect((res.organization as unknown as Record<string, unknown>)[field]).toEqual(field === 'sso_default_connection_id' ? null : v);
    });
  }

  for (const { field, value } of UNNOTED) {
    it(`${field} has no RBAC note: only '*' on stytch.organization may set it [INF]`, async () => {
      const org = newOrg(emu());
      const named = actor(emu(), org.organization_id, [{ resource_id: ORG, actions: ALL_NAMED }]);
      const star = actor(emu(), org.organization_id, [{ resource_id: ORG, actions: ['*'] }]);
      await expectRefused(sdk().organizations.update({ organization_id: org.organization_id, [field]: value() }, named.as));
      const v = value();
      const res = await sdk().organizations.update({ organization_id: org.organization_id, [field]: v }, star.as);
      expect((res.organization as unknown as Record<string, unknown>)[field]).toEqual(v);
    });
  }

  it('needs every action of a multi-field call, and refuses without changing anything', async () => {
    // A6.6: each required permission is checked; one missing refuses the whole call.
    const org = newOrg(emu());
    const partial = actor(emu(), org.organization_id, [{ resource_id: ORG, actions: ['update.info.name'] }]);
    await expectRefused(sdk().organizations.update({ organization_id: org.organization_id, organization_name: 'Half', mfa_policy: 'REQUIRED_FOR_ALL' }, partial.as));
    expect(emu().admin.getOrganization(org.organization_id)).toMatchObject({ organization_name: org.organization_name, mfa_policy: 'OPTIONAL' });
    const both = actor(emu(), org.organization_id, [{ resource_id: ORG, actions: ['update.info.name', 'update.settings.mfa-policy'] }]);
    const res = await sdk().organizations.update({ organization_id: org.organization_id, organization_name: 'Whole', mfa_policy: 'REQUIRED_FOR_ALL' }, both.as);
    expect(res.organization).toMatchObject({ organization_name: 'Whole', mfa_policy: 'REQUIRED_FOR_ALL' });
  });

  it("'*' on stytch.organization grants every field, over the session JWT header too", async () => {
    // base 4.4 / A6.6: `*` is the action wildcard; the SDK sends session_jwt as X-Stytch-Member-SessionJWT.
    const org = newOrg(emu());
    const star = actor(emu(), org.organization_id, [{ resource_id: ORG, actions: ['*'] }]);
    const res = await sdk().organizations.update({ organization_id: org.organization_id, organization_name: 'Star', email_invites: 'ALL_ALLOWED', organization_external_id: `x-${uniq()}` }, star.asJwt);
    expect(res.organization.organization_name).toBe('Star');
  });

  it('uses the roles of the session, implicit email-domain roles included', async () => {
    // A6.6: `session_has` uses the session's roles; base 4.7: email-implicit roles are session roles.
    const org = newOrg(emu());
    const editor = actor(emu(), org.organization_id, []);
    await expectRefused(sdk().organizations.update({ organization_id: org.organization_id, organization_name: 'Nope' }, editor.as));
    const granting = actor(emu(), org.organization_id, [{ resource_id: ORG, actions: ['update.info.name'] }]);
    const roleId = granting.member.roles.find((r) => r.role_id.startsWith('role-'))!.role_id;
    await sdk().organizations.update({ organization_id: org.organization_id, rbac_email_implicit_role_assignments: [{ domain: 'example.com', role_id: roleId }] });
    const res = await sdk().organizations.update({ organization_id: org.organization_id, organization_name: 'Implicit' }, editor.as);
    expect(res.organization.organization_name).toBe('Implicit');
  });

  it('refuses a member of another organization (tenancy), whatever their roles', async () => {
    // A6.1 rule 3: "The session's Member must belong to the Organization"; A12: 403 session_authorization_error.
    const org = newOrg(emu());
    const elsewhere = newOrg(emu());
    const outsider = actor(emu(), elsewhere.organization_id, [{ resource_id: ORG, actions: ['*'] }], { roles: ['stytch_admin'] });
    await expectRefused(sdk().organizations.update({ organization_id: org.organization_id, organization_name: 'Taken' }, outsider.as));
    await expectRefused(sdk().organizations.update({ organization_id: org.organization_id }, outsider.as));
  });

  it('refuses trusted_metadata with a member-session header, even for an admin [INF 403 cannot_update_trusted_metadata]', async () => {
    // organizations.d.ts `trusted_metadata`: "If a session header is passed into the request, this
    // field may **not** be passed"; the status is not documented (A16.10), the emulator picks 403.
    const org = newOrg(emu());
    const admin = actor(emu(), org.organization_id, [], { roles: ['stytch_admin'] });
    await expectStytch(sdk().organizations.update({ organization_id: org.organization_id, trusted_metadata: { tier: 'gold' } }, admin.as), 403, 'cannot_update_trusted_metadata');
    // Without the header the project secret alone authorizes the call (A6.1 rule 5).
    const res = await sdk().organizations.update({ organization_id: org.organization_id, trusted_metadata: { tier: 'gold' } });
    expect(res.organization.trusted_metadata).toEqual({ tier: 'gold' });
  });

  it('answers 404 session_not_found for an unknown session header', async () => {
    // A6.1 "Unknown-header failures" [INF]: as sessions.authenticate.
    const org = newOrg(emu());
    await expectStytch(sdk().organizations.update({ organization_id: org.organization_id, organization_name: 'x' }, { authorization: { session_token: 'no-such-session' } }), 404, 'session_not_found');
  });

  it('organizations.delete needs delete on stytch.organization', async () => {
    // A6.2: `organizations.delete` → `stytch.organization` `delete` (browser organizations.ts).
    const org = newOrg(emu());
    const plain = actor(emu(), org.organization_id, [{ resource_id: ORG, actions: ['update.info.name'] }]);
    const deleter = actor(emu(), org.organization_id, [{ resource_id: ORG, actions: ['delete'] }]);
    await expectRefused(sdk().organizations.delete({ organization_id: org.organization_id }, plain.as));
    expect((await sdk().organizations.delete({ organization_id: org.organization_id }, deleter.as)).organization_id).toBe(org.organization_id);
  });
});
