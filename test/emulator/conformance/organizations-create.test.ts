/**
 * `organizations.create` defaults and the organization settings rules, on create and update
 * (reference A11.6, A11.8; SDK doc comments of `B2BOrganizationsCreateRequest` in
 * types/lib/b2b/organizations.d.ts).
 */
import { describe, expect, it } from 'vitest';
import { expectStytch, newOrg, uniq, useConformance } from './support.js';

const { emu, sdk } = useConformance();

const name = () => `Org ${uniq()}`;
const create = (body: Record<string, unknown>) => sdk().organizations.create({ organization_name: name(), ...body });

/** The create fields counted as authentication settings (the broad reading of A11.8) and a value each accepts alone. */
const AUTH_SETTINGS: Record<string, unknown> = {
  sso_jit_provisioning: 'ALL_ALLOWED',
  email_allowed_domains: ['example.com'],
  email_jit_provisioning: 'NOT_ALLOWED',
  auth_methods: 'ALL_ALLOWED',
  allowed_auth_methods: ['magic_link'],
  mfa_policy: 'OPTIONAL',
  mfa_methods: 'ALL_ALLOWED',
  allowed_mfa_methods: ['totp'],
  oauth_tenant_jit_provisioning: 'NOT_ALLOWED',
  allowed_oauth_tenants: {},
};
/** Create fields that are not authentication settings (A11.8 table, right column). */
const OTHER_FIELDS: Record<string, () => unknown> = {
  organization_logo_url: () => 'https://example.com/logo.png',
  trusted_metadata: () => ({ a: 1 }),
  organization_external_id: () => `ext-${uniq()}`,
  rbac_email_implicit_role_assignments: () => [],
  claimed_email_domains: () => [],
  first_party_connected_apps_allowed_type: () => 'ALL_ALLOWED',
};

describe('organizations.create: defaults (A11.8)', () => {
  it('without settings: the documented defaults, and email_invites ALL_ALLOWED', async () => {
    // Create doc comments: sso_jit_provisioning, auth_methods, mfa_methods and the connected-app types
    // "ALL_ALLOWED – the default setting"; email_jit_provisioning and oauth_tenant_jit_provisioning
    // "NOT_ALLOWED – the default setting"; mfa_policy "OPTIONAL – The default value".
    const { organization } = await create({ organization_slug: `s-${uniq()}` });
    expect(organization).toMatchObject({
      sso_jit_provisioning: 'ALL_ALLOWED',
      email_jit_provisioning: 'NOT_ALLOWED',
      oauth_tenant_jit_provisioning: 'NOT_ALLOWED',
      auth_methods: 'ALL_ALLOWED',
      mfa_methods: 'ALL_ALLOWED',
      mfa_policy: 'OPTIONAL',
      first_party_connected_apps_allowed_type: 'ALL_ALLOWED',
      third_party_connected_apps_allowed_type: 'ALL_ALLOWED',
      email_invites: 'ALL_ALLOWED',
    });
  });

  for (const [field, value] of Object.entries(AUTH_SETTINGS)) {
    it(`passing ${field} (an authentication setting) makes email_invites default to NOT_ALLOWED`, async () => {
      // A11.8: "ALL_ALLOWED if no Organization authentication setting parameter is passed; otherwise NOT_ALLOWED"
      // (ruby-10.26 doc comments; org-configuration-rules page). Broad reading of the set [INF].
      expect((await create({ [field]: value })).organization.email_invites).toBe('NOT_ALLOWED');
    });
  }

  for (const [field, value] of Object.entries(OTHER_FIELDS)) {
    it(`passing ${field} (not an authentication setting) keeps email_invites ALL_ALLOWED`, async () => {
      // A11.8 table, "Does not count" column [INF].
      expect((await create({ [field]: value() })).organization.email_invites).toBe('ALL_ALLOWED');
    });
  }

  it('an explicit email_invites wins', async () => {
    // A11.8: the rule is a default; a passed email_invites is used as given.
    expect((await create({ mfa_policy: 'REQUIRED_FOR_ALL', email_invites: 'ALL_ALLOWED' })).organization.email_invites).toBe('ALL_ALLOWED');
  });
});

describe('organizations.create: slug (A11.8, A16.6)', () => {
  it('is optional: generated from the name when omitted, unique [INF]', async () => {
    // The doc sentence says a unique slug is required; the SDK type marks `organization_slug?` optional.
    // The emulator follows the type and derives one.
    const n = `Acme Widgets ${uniq()}`;
    const a = await sdk().organizations.create({ organization_name: n });
    const b = await sdk().organizations.create({ organization_name: n });
    expect(a.organization.organization_slug).toMatch(/^acme-widgets-/u);
    expect(b.organization.organization_slug).not.toBe(a.organization.organization_slug);
  });

  it('when given must be 2-128 characters of A-Z a-z 0-9 - . _ ~ and unused', async () => {
    // `organization_slug`: "only accepts alphanumeric characters and the following reserved characters:
    // `-` `.` `_` `~`. Must be between 2 and 128 characters in length."
    await expectStytch(create({ organization_slug: 'a' }), 400, 'invalid_organization_slug');
    await expectStytch(create({ organization_slug: 'has space' }), 400, 'invalid_organization_slug');
    const slug = `s-${uniq()}`;
    await create({ organization_slug: slug });
    await expectStytch(create({ organization_slug: slug }), 400, 'organization_slug_already_used');
  });
});

describe('organization settings rules, on create and update (A11.6)', () => {
  it('sso_jit_provisioning, email_jit_provisioning and email_invites cannot all be NOT_ALLOWED', async () => {
    // organizations.update doc comment: "An Organization must always have at least one auth setting set to
    // either RESTRICTED or ALL_ALLOWED in order to provision new Members." Name android-enum, 400 [INF].
    await expectStytch(create({ sso_jit_provisioning: 'NOT_ALLOWED', email_invites: 'NOT_ALLOWED' }), 400, 'too_restrictive_organization_settings');
    // With only sso_jit_provisioning: NOT_ALLOWED the email_invites default is NOT_ALLOWED too (A11.8).
    await expectStytch(create({ sso_jit_provisioning: 'NOT_ALLOWED' }), 400, 'too_restrictive_organization_settings');
    expect((await create({ sso_jit_provisioning: 'NOT_ALLOWED', email_invites: 'ALL_ALLOWED' })).organization.sso_jit_provisioning).toBe('NOT_ALLOWED');
    const org = newOrg(emu(), { email_invites: 'NOT_ALLOWED' });
    await expectStytch(sdk().organizations.update({ organization_id: org.organization_id, sso_jit_provisioning: 'NOT_ALLOWED', organization_name: 'Closed' }), 400, 'too_restrictive_organization_settings');
    // A refused update changes nothing.
    expect(emu().admin.getOrganization(org.organization_id)).toMatchObject({ sso_jit_provisioning: 'ALL_ALLOWED', organization_name: org.organization_name });
  });

  it('email_jit_provisioning / email_invites RESTRICTED need email_allowed_domains [INF invalid_restricted_email_setting]', async () => {
    // `email_allowed_domains`: "This list is enforced when either email_invites or email_jit_provisioning is
    // set to RESTRICTED"; the configuration-rules page forbids RESTRICTED with an empty list.
    await expectStytch(create({ email_jit_provisioning: 'RESTRICTED' }), 400, 'invalid_restricted_email_setting');
    await expectStytch(create({ email_invites: 'RESTRICTED' }), 400, 'invalid_restricted_email_setting');
    expect((await create({ email_invites: 'RESTRICTED', email_allowed_domains: ['example.com'] })).organization.email_invites).toBe('RESTRICTED');
    const org = newOrg(emu(), { email_jit_provisioning: 'RESTRICTED', email_allowed_domains: ['example.com'] });
    await expectStytch(sdk().organizations.update({ organization_id: org.organization_id, email_allowed_domains: [] }), 400, 'invalid_restricted_email_setting');
  });

  it('auth_methods / mfa_methods RESTRICTED need a non-empty allowed list', async () => {
    // 400 allowed_auth_methods_required_for_restricted (docs errors/400); mfa: android-enum name [INF 400].
    await expectStytch(create({ auth_methods: 'RESTRICTED' }), 400, 'allowed_auth_methods_required_for_restricted');
    await expectStytch(create({ auth_methods: 'RESTRICTED', allowed_auth_methods: [] }), 400, 'allowed_auth_methods_required_for_restricted');
    await expectStytch(create({ mfa_methods: 'RESTRICTED' }), 400, 'allowed_mfa_methods_required_for_restricted');
    expect((await create({ auth_methods: 'RESTRICTED', allowed_auth_methods: ['sso'] })).organization.allowed_auth_methods).toEqual(['sso']);
    const org = newOrg(emu());
    await expectStytch(sdk().organizations.update({ organization_id: org.organization_id, auth_methods: 'RESTRICTED' }), 400, 'allowed_auth_methods_required_for_restricted');
  });

  it('email_allowed_domains refuses common, malformed and repeated domains', async () => {
    // `email_allowed_domains`: "Common domains such as gmail.com are not allowed." Names android-enum (A11.6), 400 [INF].
    await expectStytch(create({ email_allowed_domains: ['gmail.com'] }), 400, 'organization_settings_domain_too_common');
    await expectStytch(create({ email_allowed_domains: ['not a domain'] }), 400, 'organization_settings_invalid_domain');
    await expectStytch(create({ email_allowed_domains: ['acme.test', 'ACME.test'] }), 400, 'organization_settings_duplicate_domain');
    const org = newOrg(emu());
    await expectStytch(sdk().organizations.update({ organization_id: org.organization_id, email_allowed_domains: ['yahoo.com'] }), 400, 'organization_settings_domain_too_common');
  });

  it('organization_external_id: A-Z a-z 0-9 . _ - |, at most 128, unique in the project (A11.9) [INF invalid_external_id]', async () => {
    // `organization_external_id`: "alphanumeric, `.`, `_`, `-`, or `|` characters with a maximum length of 128
    // characters. External IDs must be unique within a project".
    await expectStytch(create({ organization_external_id: 'bad id' }), 400, 'invalid_external_id');
    await expectStytch(create({ organization_external_id: 'e'.repeat(129) }), 400, 'invalid_external_id');
    const id = `a.b_c-d|${uniq()}`;
    expect((await create({ organization_external_id: id })).organization.organization_external_id).toBe(id);
    await expectStytch(create({ organization_external_id: id }), 400, 'duplicate_organization_external_id');
  });
});
