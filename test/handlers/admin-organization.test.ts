import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { PREFIX, call, expectPermissionDenied, routeCalls, seedOrganization, signedIn, useAdminApp } from './admin-support.js';
import { resetEmulatorBeforeEach } from './harness.js';

const emu = useEmulator();
const app = useAdminApp(emu);
const remote = useAdminApp(emu, { admin: { localCheck: false } });
resetEmulatorBeforeEach(emu);

/** Every editable field, a valid new value and the `stytch.organization` action it needs (reference A6.3). */
const FIELDS: { field: string; value: unknown; action: string }[] = [
  { field: 'organization_name', value: 'Renamed Inc', action: 'update.info.name' },
  { field: 'organization_slug', value: `renamed-${process.pid}`, action: 'update.info.slug' },
  { field: 'mfa_policy', value: 'REQUIRED_FOR_ALL', action: 'update.settings.mfa-policy' },
  { field: 'mfa_methods', value: 'ALL_ALLOWED', action: 'update.settings.allowed-mfa-methods' },
  { field: 'allowed_mfa_methods', value: ['totp'], action: 'update.settings.allowed-mfa-methods' },
  { field: 'email_allowed_domains', value: ['example.com'], action: 'update.settings.allowed-domains' },
  { field: 'email_jit_provisioning', value: 'NOT_ALLOWED', action: 'update.settings.email-jit-provisioning' },
  { field: 'email_invites', value: 'ALL_ALLOWED', action: 'update.settings.email-invites' },
  { field: 'auth_methods', value: 'ALL_ALLOWED', action: 'update.settings.allowed-auth-methods' },
  { field: 'allowed_auth_methods', value: ['magic_link'], action: 'update.settings.allowed-auth-methods' },
];

const VIEW_FIELDS = ['organization_id', ...FIELDS.map((f) => f.field)].sort();

describe('GET /organization', () => {
  it('shows an admin the trimmed organization and every field as editable', async () => {
    const s = seedOrganization(emu());
    const res = await call(signedIn(emu(), app, s.admin.member_id), 'GET', '/organization');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toContain('no-store');
    expect(Object.keys(res.body.organization).sort()).toEqual(VIEW_FIELDS);
    expect(res.body.organization).toMatchObject({ organization_id: s.org.organization_id, organization_name: s.org.organization_name });
    expect([...res.body.editable].sort()).toEqual(FIELDS.map((f) => f.field).sort());
  });

  it('shows a plain member the organization with nothing editable', async () => {
    const s = seedOrganization(emu());
    const res = await call(signedIn(emu(), app, s.member.member_id), 'GET', '/organization');
    expect(res.status).toBe(200);
    expect(res.body.organization.organization_id).toBe(s.org.organization_id);
    expect(res.body.editable).toEqual([]);
  });

  it('is 401 without a session', async () => {
    const res = await call(app.browser(), 'GET', '/organization');
    expect(res.status).toBe(401);
    expect(routeCalls(emu())).toEqual([]);
  });
});

describe.each(FIELDS)('PATCH /organization { $field }', ({ field, value, action }) => {
  it('is refused locally for a plain member, naming the action of that field, with no Stytch call', async () => {
    const s = seedOrganization(emu());
    const browser = signedIn(emu(), app, s.member.member_id);
    await call(browser, 'GET', '/organization');
    emu().calls.clear();
    const res = await call(browser, 'PATCH', '/organization', { [field]: value });
    expectPermissionDenied(res, 'stytch.organization', action);
    expect(routeCalls(emu())).toEqual([]);
  });

  it('is refused by Stytch itself when the local check is off, with the same answer', async () => {
    const s = seedOrganization(emu());
    const res = await call(signedIn(emu(), remote, s.member.member_id), 'PATCH', '/organization', { [field]: value });
    expectPermissionDenied(res, 'stytch.organization', action);
    expect(routeCalls(emu())).toEqual(['PUT /v1/b2b/organizations/' + s.org.organization_id]);
    expect(emu().admin.getOrganization(s.org.organization_id)?.[field as 'organization_name']).toEqual(s.org[field as 'organization_name']);
  });

  it('is changed by an admin', async () => {
    const s = seedOrganization(emu());
    const given = field === 'organization_slug' ? `${value as string}-${s.org.organization_id.slice(-8)}` : value;
    const res = await call(signedIn(emu(), app, s.admin.member_id), 'PATCH', '/organization', { [field]: given });
    expect(res.status, res.text).toBe(200);
    expect(res.body.organization[field]).toEqual(given);
    expect(emu().admin.getOrganization(s.org.organization_id)?.[field as 'organization_name']).toEqual(given);
  });
});

describe('PATCH /organization: bad input', () => {
  it('refuses an unknown field, the organization id, an empty change and a bad value with 400 naming the field, and no Stytch call', async () => {
    const s = seedOrganization(emu());
    const browser = signedIn(emu(), app, s.admin.member_id);
    await call(browser, 'GET', '/organization');
    emu().calls.clear();
    for (const [body, field] of [
      [{ trusted_metadata: { tier: 'gold' } }, 'trusted_metadata'],
      [{ organization_id: 'organization-test-other' }, 'organization_id'],
      [{}, 'body'],
      [{ mfa_policy: 'SOMETIMES' }, 'mfa_policy'],
      [{ email_allowed_domains: 'example.com' }, 'email_allowed_domains'],
      [{ email_allowed_domains: ['not a domain'] }, 'email_allowed_domains'],
      [{ organization_name: '' }, 'organization_name'],
      [{ organization_slug: 'bad slug!' }, 'organization_slug'],
    ] as const) {
      const res = await call(browser, 'PATCH', '/organization', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_request', field });
    }
    expect(routeCalls(emu())).toEqual([]);
  });

  it('checks every field given: a role that may rename but not change the MFA policy is refused for mfa_policy', async () => {
    const s = seedOrganization(emu());
    emu().admin.setOrgPolicy(s.org.organization_id, { roles: [{ role_id: 'namer', description: 'renames', permissions: [{ resource_id: 'stytch.organization', actions: ['update.info.name'] }] }] });
    const namer = emu().admin.createMember(s.org.organization_id, { email_address: `namer-${Date.now()}@example.com`, roles: ['namer'] });
    const browser = signedIn(emu(), app, namer.member_id);
    expect((await call(browser, 'PATCH', '/organization', { organization_name: 'Named' })).status).toBe(200);
    expectPermissionDenied(await call(browser, 'PATCH', '/organization', { organization_name: 'Named 2', mfa_policy: 'REQUIRED_FOR_ALL' }), 'stytch.organization', 'update.settings.mfa-policy');
    expect((await call(browser, 'GET', '/organization')).body.editable).toEqual(['organization_name']);
    // Stytch names the same field when the local check is off.
    expectPermissionDenied(
      await call(signedIn(emu(), remote, namer.member_id), 'PATCH', '/organization', { organization_name: 'Named 3', mfa_policy: 'REQUIRED_FOR_ALL' }),
      'stytch.organization',
      'update.settings.mfa-policy',
    );
    expect(emu().admin.getOrganization(s.org.organization_id)?.organization_name).toBe('Named');
  });

  it('takes a form post with comma-separated lists and answers 303 to return_to', async () => {
    const s = seedOrganization(emu());
    const browser = signedIn(emu(), app, s.admin.member_id);
    const res = await browser.post(`${PREFIX}/organization`, { form: { _method: 'PATCH', email_allowed_domains: 'example.com, example.org', return_to: '/settings' } });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/settings');
    expect(emu().admin.getOrganization(s.org.organization_id)?.email_allowed_domains).toEqual(['example.com', 'example.org']);
  });

  it('refuses a change without an Origin (403 csrf_rejected)', async () => {
    const s = seedOrganization(emu());
    const browser = signedIn(emu(), app, s.admin.member_id);
    emu().calls.clear();
    const res = await browser.request('PATCH', `${PREFIX}/organization`, { origin: null, json: { organization_name: 'Hijacked' } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('csrf_rejected');
    expect(routeCalls(emu())).toEqual([]);
    expect(emu().admin.getOrganization(s.org.organization_id)?.organization_name).toBe(s.org.organization_name);
  });
});
