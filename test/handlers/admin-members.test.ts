import { describe, expect, it } from 'vitest';
import { callApi, useEmulator } from '../helpers/emulator.js';
import { m2mToken } from '../helpers/machine.js';
import { PREFIX, call, expectPermissionDenied, routeCalls, seedOrganization, signedIn, useAdminApp } from './admin-support.js';
import { resetEmulatorBeforeEach, uniqueEmail } from './harness.js';

const emu = useEmulator();
const app = useAdminApp(emu);
/** Same routes without the local check: proves Stytch's (the emulator's) own enforcement. */
const remote = useAdminApp(emu, { admin: { localCheck: false } });
const machines = useAdminApp(emu, { auth: { acceptsToken: ['session', 'm2m'] } });
resetEmulatorBeforeEach(emu);

type Seed = ReturnType<typeof seedOrganization> & { gone: { member_id: string } };

interface RouteCase {
  name: string;
  method: string;
  path: (s: Seed) => string;
  body?: unknown;
  action: string;
}

const ROUTES: RouteCase[] = [
  { name: 'list', method: 'GET', path: () => '/members', action: 'search' },
  { name: 'get', method: 'GET', path: (s) => `/members/${s.member.member_id}`, action: 'search' },
  { name: 'invite', method: 'POST', path: () => '/members/invite', body: { email_address: 'new-person@example.com' }, action: 'create' },
  { name: 'resend invite', method: 'POST', path: (s) => `/members/${s.invited.member_id}/resend-invite`, action: 'create' },
  { name: 'set roles', method: 'PUT', path: (s) => `/members/${s.member.member_id}/roles`, body: { roles: ['stytch_admin'] }, action: 'update.settings.roles' },
  { name: 'deactivate', method: 'POST', path: (s) => `/members/${s.member.member_id}/deactivate`, action: 'delete' },
  { name: 'reactivate', method: 'POST', path: (s) => `/members/${s.gone.member_id}/reactivate`, action: 'create' },
  { name: 'delete', method: 'DELETE', path: (s) => `/members/${s.member.member_id}`, action: 'delete' },
  { name: 'delete MFA phone', method: 'DELETE', path: (s) => `/members/${s.member.member_id}/mfa/phone`, action: 'update.info.delete.mfa-phone' },
  { name: 'delete TOTP', method: 'DELETE', path: (s) => `/members/${s.member.member_id}/mfa/totp`, action: 'update.info.delete.mfa-totp' },
  { name: 'delete password', method: 'DELETE', path: (s) => `/members/${s.member.member_id}/password`, action: 'update.info.delete.password' },
];

/** A seeded organization whose plain member also has a password and a second plain member acts. */
async function seed() {
  const s = seedOrganization(emu());
  const actor = emu().admin.createMember(s.org.organization_id, { email_address: uniqueEmail('actor') });
  // A deactivated member, for reactivation.
  const gone = emu().admin.createMember(s.org.organization_id, { email_address: uniqueEmail('gone') });
  await callApi(emu(), 'DELETE', `/v1/b2b/organizations/${s.org.organization_id}/members/${gone.member_id}`);
  emu().calls.clear();
  return { ...s, actor, gone };
}

describe.each(ROUTES)('$method $name', (route) => {
  it('is refused locally for a plain member (stytch_member), naming the permission, with no Stytch call', async () => {
    const s = await seed();
    const browser = signedIn(emu(), app, s.actor.member_id);
    // Warm the policy cache so the refusal below is purely local.
    await call(browser, 'GET', '/me');
    emu().calls.clear();
    const res = await call(browser, route.method, route.path(s), route.body);
    expectPermissionDenied(res, 'stytch.member', route.action);
    expect(routeCalls(emu())).toEqual([]);
  });

  it('is refused by Stytch itself when the local check is off, with the same answer', async () => {
    const s = await seed();
    // The member whose password a route removes needs one for the call to reach Stytch.
    emu().admin.createMember(s.org.organization_id, { email_address: uniqueEmail('pw'), password: 'correct horse battery staple 1' });
    const target = route.name === 'delete password' ? emu().admin.createMember(s.org.organization_id, { email_address: uniqueEmail('pw2'), password: 'correct horse battery staple 2' }) : s.member;
    const browser = signedIn(emu(), remote, s.actor.member_id);
    const res = await call(browser, route.method, route.path({ ...s, member: target }), route.body);
    expectPermissionDenied(res, 'stytch.member', route.action);
    expect(emu().calls.list().some((c) => c.status === 403)).toBe(true);
  });
});

describe('members routes as an admin', () => {
  it('lists the members of the own organization only, with trimmed views and masked phones', async () => {
    const s = await seed();
    seedOrganization(emu()); // another organization's members never show
    const res = await call(signedIn(emu(), app, s.admin.member_id), 'GET', '/members');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toContain('no-store');
    const ids = res.body.members.map((m: { member_id: string }) => m.member_id).sort();
    expect(ids).toEqual([s.admin.member_id, s.member.member_id, s.invited.member_id, s.actor.member_id].sort());
    expect(res.body.total).toBe(4);
    expect(res.body.next_cursor).toBeNull();
    const plain = res.body.members.find((m: { member_id: string }) => m.member_id === s.member.member_id);
    expect(Object.keys(plain).sort()).toEqual(['default_mfa_method', 'email_address', 'has_password', 'has_totp', 'is_admin', 'member_id', 'mfa_enrolled', 'mfa_phone_number', 'name', 'roles', 'status'].sort());
    expect(plain.mfa_phone_number).toMatch(/^\+1\*{6}\d{4}$/);
    expect(plain.mfa_phone_number).not.toBe(s.member.mfa_phone_number);
    const admin = res.body.members.find((m: { member_id: string }) => m.member_id === s.admin.member_id);
    expect(admin).toMatchObject({ is_admin: true, roles: expect.arrayContaining(['stytch_admin', 'stytch_member']) });
  });

  it('filters by email (fuzzy) and status, and pages with a cursor', async () => {
    const s = await seed();
    const browser = signedIn(emu(), app, s.admin.member_id);
    const fuzzy = await call(browser, 'GET', `/members?q=${encodeURIComponent(s.member.email_address.slice(0, 12))}`);
    expect(fuzzy.body.members.map((m: { member_id: string }) => m.member_id)).toEqual([s.member.member_id]);
    const invited = await call(browser, 'GET', '/members?status=invited');
    expect(invited.body.members.map((m: { member_id: string }) => m.member_id)).toEqual([s.invited.member_id]);
    const first = await call(browser, 'GET', '/members?limit=2');
    expect(first.body.members).toHaveLength(2);
    expect(typeof first.body.next_cursor).toBe('string');
    const second = await call(browser, 'GET', `/members?limit=2&cursor=${encodeURIComponent(first.body.next_cursor)}`);
    expect(second.body.members).toHaveLength(2);
  });

  it('refuses a fuzzy query under three characters and bad status/limit with no Stytch call', async () => {
    const s = await seed();
    const browser = signedIn(emu(), app, s.admin.member_id);
    await call(browser, 'GET', '/me');
    emu().calls.clear();
    const short = await call(browser, 'GET', '/members?q=ab');
    expect(short.status).toBe(400);
    expect(short.body.error).toMatchObject({ code: 'search_query_too_short', field: 'q' });
    expect((await call(browser, 'GET', '/members?status=gone')).body.error).toMatchObject({ code: 'invalid_request', field: 'status' });
    expect((await call(browser, 'GET', '/members?limit=0')).body.error).toMatchObject({ code: 'invalid_request', field: 'limit' });
    expect(routeCalls(emu())).toEqual([]);
  });

  it('reads one member; an unknown member, a malformed id and a member of another organization are 404 member_not_found', async () => {
    const s = await seed();
    const other = seedOrganization(emu());
    const browser = signedIn(emu(), app, s.admin.member_id);
    const res = await call(browser, 'GET', `/members/${s.member.member_id}`);
    expect(res.status).toBe(200);
    expect(res.body.member).toMatchObject({ member_id: s.member.member_id, email_address: s.member.email_address, status: 'active', is_admin: false });
    for (const id of ['member-test-00000000-0000-4000-8000-000000000000', other.member.member_id, 'not-a-member']) {
      const missing = await call(browser, 'GET', `/members/${id}`);
      expect(missing.status, id).toBe(404);
      expect(missing.body.error.code).toBe('member_not_found');
    }
    // Acting on another organization's member never reaches it either.
    const cross = await call(browser, 'POST', `/members/${other.member.member_id}/deactivate`);
    expect(cross.status).toBe(404);
    expect(cross.body.error.code).toBe('member_not_found');
    expect(emu().admin.getMember(other.member.member_id)?.status).toBe('active');
  });

  it('invites a new member as the signed-in admin, to the configured redirect URL', async () => {
    const s = await seed();
    const email = uniqueEmail('invitee');
    const res = await call(signedIn(emu(), app, s.admin.member_id), 'POST', '/members/invite', { email_address: email, name: 'New Person', roles: ['stytch_admin'] });
    expect(res.status).toBe(201);
    expect(res.body.member).toMatchObject({ email_address: email, status: 'invited', name: 'New Person', is_admin: true });
    const message = emu().outbox.latest({ to: email });
    expect(message?.kind).toBe('invite_magic_link');
    expect(message?.link?.startsWith(`${app.url}/auth/callback?`)).toBe(true);
    expect(message?.invitedByMemberId).toBe(s.admin.member_id);
  });

  it('refuses an invite to an active member with 409 member_already_active, and a bad email or unknown role with 400', async () => {
    const s = await seed();
    const browser = signedIn(emu(), app, s.admin.member_id);
    const active = await call(browser, 'POST', '/members/invite', { email_address: s.member.email_address });
    expect(active.status).toBe(409);
    expect(active.body.error.code).toBe('member_already_active');
    expect((await call(browser, 'POST', '/members/invite', { email_address: 'not an email' })).body.error).toMatchObject({ code: 'invalid_request', field: 'email_address' });
    const role = await call(browser, 'POST', '/members/invite', { email_address: uniqueEmail('x'), roles: ['wizard'] });
    expect(role.status).toBe(400);
    expect(role.body.error).toMatchObject({ code: 'unknown_role', role: 'wizard' });
  });

  it('resends an invite to an invited member only (409 member_not_invited otherwise)', async () => {
    const s = await seed();
    const browser = signedIn(emu(), app, s.admin.member_id);
    const res = await call(browser, 'POST', `/members/${s.invited.member_id}/resend-invite`);
    expect(res.status).toBe(200);
    expect(res.body.member).toMatchObject({ member_id: s.invited.member_id, status: 'invited' });
    expect(emu().outbox.latest({ to: s.invited.email_address })?.kind).toBe('invite_magic_link');
    const active = await call(browser, 'POST', `/members/${s.member.member_id}/resend-invite`);
    expect(active.status).toBe(409);
    expect(active.body.error.code).toBe('member_not_invited');
  });

  it('sets roles; an empty list is 400 roles_required and an undefined role 400 unknown_role, both without a Stytch call', async () => {
    const s = await seed();
    const browser = signedIn(emu(), app, s.admin.member_id);
    const res = await call(browser, 'PUT', `/members/${s.member.member_id}/roles`, { roles: ['stytch_admin'] });
    expect(res.status).toBe(200);
    expect(res.body.member).toMatchObject({ is_admin: true, roles: expect.arrayContaining(['stytch_admin']) });
    emu().calls.clear();
    const empty = await call(browser, 'PUT', `/members/${s.member.member_id}/roles`, { roles: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatchObject({ code: 'roles_required', field: 'roles' });
    const missing = await call(browser, 'PUT', `/members/${s.member.member_id}/roles`, {});
    expect(missing.body.error.code).toBe('roles_required');
    const unknown = await call(browser, 'PUT', `/members/${s.member.member_id}/roles`, { roles: ['stytch_member', 'wizard'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'unknown_role', role: 'wizard' });
    expect(routeCalls(emu())).toEqual([]);
  });

  it('accepts a custom role of the organization', async () => {
    const s = await seed();
    emu().admin.setOrgPolicy(s.org.organization_id, { roles: [{ role_id: 'auditor', description: 'reads', permissions: [{ resource_id: 'stytch.member', actions: ['search'] }] }] });
    const res = await call(signedIn(emu(), app, s.admin.member_id), 'PUT', `/members/${s.member.member_id}/roles`, { roles: ['auditor'] });
    expect(res.status, res.text).toBe(200);
    expect(res.body.member.roles).toContain('auditor');
  });

  it('accepts a custom role created after the policies were cached (they are refetched once for it)', async () => {
    const s = await seed();
    const browser = signedIn(emu(), app, s.admin.member_id);
    expect((await call(browser, 'PUT', `/members/${s.member.member_id}/roles`, { roles: ['stytch_member'] })).status).toBe(200); // fills the cache
    emu().admin.setOrgPolicy(s.org.organization_id, { roles: [{ role_id: 'reviewer', description: 'reviews', permissions: [{ resource_id: 'stytch.member', actions: ['search'] }] }] });
    emu().clock.advance(6_000); // past the refetch floor, far inside the policy TTL
    emu().calls.clear();
    const res = await call(browser, 'PUT', `/members/${s.member.member_id}/roles`, { roles: ['reviewer'] });
    expect(res.status, res.text).toBe(200);
    expect(res.body.member.roles).toContain('reviewer');
    expect(emu().calls.count(/^GET \/v1\/b2b\/rbac\/organizations\//)).toBe(1);
  });

  it('refuses to remove stytch_admin from, deactivate or delete the last active admin (409 last_admin)', async () => {
    const s = await seed();
    const browser = signedIn(emu(), app, s.admin.member_id);
    const id = s.admin.member_id;
    for (const [method, path, body] of [
      ['PUT', `/members/${id}/roles`, { roles: ['stytch_member'] }],
      ['POST', `/members/${id}/deactivate`, undefined],
      ['DELETE', `/members/${id}`, undefined],
    ] as const) {
      const res = await call(browser, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(409);
      expect(res.body.error.code).toBe('last_admin');
    }
    expect(emu().admin.getMember(id)).toMatchObject({ status: 'active', is_admin: true });
    // An invited admin does not count as an active one.
    emu().admin.createMember(s.org.organization_id, { email_address: uniqueEmail('invited-admin'), status: 'invited', roles: ['stytch_admin'] });
    expect((await call(browser, 'POST', `/members/${id}/deactivate`)).status).toBe(409);
  });

  it('allows demoting an admin while another active admin remains, and an admin held by an email rule stays one', async () => {
    const s = await seed();
    const second = emu().admin.createMember(s.org.organization_id, { email_address: uniqueEmail('admin2'), roles: ['stytch_admin'] });
    const browser = signedIn(emu(), app, s.admin.member_id);
    const res = await call(browser, 'PUT', `/members/${second.member_id}/roles`, { roles: ['stytch_member'] });
    expect(res.status, res.text).toBe(200);
    expect(res.body.member.is_admin).toBe(false);
    // The remaining admin is the last one now.
    expect((await call(browser, 'PUT', `/members/${s.admin.member_id}/roles`, { roles: ['stytch_member'] })).status).toBe(409);
  });

  it('deactivates a member (their sessions end) and reactivates them', async () => {
    const s = await seed();
    const browser = signedIn(emu(), app, s.admin.member_id);
    const victim = signedIn(emu(), app, s.member.member_id);
    expect((await call(victim, 'GET', '/me')).status).toBe(200);
    const res = await call(browser, 'POST', `/members/${s.member.member_id}/deactivate`);
    expect(res.status).toBe(200);
    expect(res.body.member).toMatchObject({ member_id: s.member.member_id, status: 'deleted' });
    expect((await call(victim, 'GET', '/me')).status).toBe(401);
    const shown = await call(browser, 'GET', `/members/${s.member.member_id}`);
    expect(shown.body.member.status).toBe('deleted');
    const back = await call(browser, 'POST', `/members/${s.member.member_id}/reactivate`);
    expect(back.status).toBe(200);
    expect(back.body.member.status).toBe('active');
  });

  it('deletes (revokes) an invitation', async () => {
    const s = await seed();
    const res = await call(signedIn(emu(), app, s.admin.member_id), 'DELETE', `/members/${s.invited.member_id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ member_id: s.invited.member_id });
    expect(emu().admin.getMember(s.invited.member_id)?.status).toBe('deleted');
  });

  it('removes another member\'s MFA phone, TOTP and password', async () => {
    const s = await seed();
    const withPassword = emu().admin.createMember(s.org.organization_id, { email_address: uniqueEmail('pw'), password: 'correct horse battery staple 3' });
    const browser = signedIn(emu(), app, s.admin.member_id);
    const phone = await call(browser, 'DELETE', `/members/${s.member.member_id}/mfa/phone`);
    expect(phone.status).toBe(200);
    expect(phone.body.member.mfa_phone_number).toBeNull();
    const totp = await call(browser, 'DELETE', `/members/${s.member.member_id}/mfa/totp`);
    expect(totp.status).toBe(404);
    expect(totp.body.error.code).toBe('totp_not_found');
    const password = await call(browser, 'DELETE', `/members/${withPassword.member_id}/password`);
    expect(password.status, password.text).toBe(200);
    expect(password.body.member.has_password).toBe(false);
    const none = await call(browser, 'DELETE', `/members/${withPassword.member_id}/password`);
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe('password_not_found');
  });
});

describe('members routes: requests that are refused before anything happens', () => {
  it('is 401 without a session, with no Stytch call', async () => {
    const res = await call(app.browser(), 'GET', '/members');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
    expect(routeCalls(emu())).toEqual([]);
  });

  it('refuses a machine token (401 token_type_not_accepted)', async () => {
    const { token } = await m2mToken(emu(), ['read:members']);
    const res = await machines.browser().request('GET', `${PREFIX}/members`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('token_type_not_accepted');
  });

  it('refuses a state change without an Origin (403 csrf_rejected), with no Stytch call', async () => {
    const s = await seed();
    const browser = signedIn(emu(), app, s.admin.member_id);
    emu().calls.clear();
    const res = await browser.request('POST', `${PREFIX}/members/${s.member.member_id}/deactivate`, { origin: null, json: {} });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('csrf_rejected');
    const foreign = await browser.request('DELETE', `${PREFIX}/members/${s.member.member_id}`, { origin: 'https://evil.example' });
    expect(foreign.body.error.code).toBe('csrf_rejected');
    expect(routeCalls(emu())).toEqual([]);
    expect(emu().admin.getMember(s.member.member_id)?.status).toBe('active');
  });

  it('answers a form post with a 303 to return_to, with ?error= on failure, and honours _method', async () => {
    const s = await seed();
    const browser = signedIn(emu(), app, s.admin.member_id);
    const ok = await browser.post(`${PREFIX}/members/${s.member.member_id}/roles`, { form: { _method: 'PUT', roles: 'stytch_member,stytch_admin', return_to: '/settings/members' } });
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/settings/members');
    expect(emu().admin.getMember(s.member.member_id)?.is_admin).toBe(true);
    const bad = await browser.post(`${PREFIX}/members/${s.member.member_id}/roles`, { form: { _method: 'PUT', roles: '', return_to: '/settings/members' } });
    expect(bad.status).toBe(303);
    expect(bad.location).toBe('/settings/members?error=roles_required');
    const offsite = await browser.post(`${PREFIX}/members/invite`, { form: { email_address: 'nope', return_to: '//evil.example' } });
    expect(offsite.status).toBe(400);
    expect(offsite.body.error.code).toBe('invalid_request');
  });

  it('answers 503 (never 500) when the RBAC policy cannot be loaded or Stytch is down', async () => {
    const s = await seed();
    const browser = signedIn(emu(), app, s.admin.member_id);
    // A fresh organization: its policy is not cached yet.
    emu().faults.next('GET /v1/b2b/rbac/organizations/' + s.org.organization_id, { status: 503 });
    const cold = await call(browser, 'GET', '/members');
    expect(cold.status).toBe(503);
    expect(routeCalls(emu())).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the policy cache's failure backoff
    emu().faults.next('POST /v1/b2b/organizations/members/search', { status: 500 });
    const down = await call(browser, 'GET', '/members');
    expect(down.status).toBe(503);
    expect(down.body.error.code).toBe('upstream_unavailable');
    expect(down.text).not.toContain('stytch.com');
  });

  it('answers 405 for a method the path does not have', async () => {
    const s = await seed();
    const res = await call(signedIn(emu(), app, s.admin.member_id), 'PATCH', '/members');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET');
  });
});
