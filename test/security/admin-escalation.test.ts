/**
 * Privilege escalation through the admin and self-service routes: a plain member (the default
 * `stytch_member` role, which holds all of `stytch.self`) tries to grant themselves more than they
 * have. Each attempt is refused by the library before any Stytch call, and again by Stytch itself
 * (the emulator, following the per-field rules of reference A6.4 and A6.3) when the local check is
 * off or the member calls Stytch directly with their own session.
 */
import { describe, expect, it } from 'vitest';
import { callApi, useEmulator } from '../helpers/emulator.js';
import { call, expectPermissionDenied, routeCalls, seedOrganization, signedIn, useAdminApp } from '../handlers/admin-support.js';
import { resetEmulatorBeforeEach } from '../handlers/harness.js';

const emu = useEmulator();
const app = useAdminApp(emu);
const remote = useAdminApp(emu, { admin: { localCheck: false } });
resetEmulatorBeforeEach(emu);

function rolesOf(memberId: string): string[] {
  const member = emu().admin.getMember(memberId);
  return (member?.roles ?? []).map((r) => r.role_id);
}

describe('a plain member cannot raise their own privileges', () => {
  it('cannot give themselves stytch_admin through the roles route: refused locally, with no Stytch call', async () => {
    const s = seedOrganization(emu());
    const browser = signedIn(emu(), app, s.member.member_id);
    await call(browser, 'GET', '/me');
    emu().calls.clear();
    const res = await call(browser, 'PUT', `/members/${s.member.member_id}/roles`, { roles: ['stytch_admin'] });
    expectPermissionDenied(res, 'stytch.member', 'update.settings.roles');
    expect(routeCalls(emu())).toEqual([]);
    expect(rolesOf(s.member.member_id)).not.toContain('stytch_admin');
  });

  it('cannot do it with the local check off either: stytch.self grants no roles (Stytch refuses)', async () => {
    const s = seedOrganization(emu());
    const res = await call(signedIn(emu(), remote, s.member.member_id), 'PUT', `/members/${s.member.member_id}/roles`, { roles: ['stytch_admin'] });
    expectPermissionDenied(res, 'stytch.member', 'update.settings.roles');
    expect(emu().calls.list().some((c) => c.status === 403)).toBe(true);
    expect(rolesOf(s.member.member_id)).not.toContain('stytch_admin');
  });

  it('cannot reach roles, breakglass, email or trusted metadata through the self route', async () => {
    const s = seedOrganization(emu());
    const browser = signedIn(emu(), app, s.member.member_id);
    for (const body of [{ roles: ['stytch_admin'] }, { is_breakglass: true }, { email_address: 'taken-over@example.com' }, { trusted_metadata: { tier: 'gold' } }]) {
      emu().calls.clear();
      const res = await call(browser, 'PATCH', '/me', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(routeCalls(emu())).toEqual([]);
    }
    const member = emu().admin.getMember(s.member.member_id);
    expect(member?.is_breakglass).toBe(false);
    expect(member?.email_address).toBe(s.member.email_address);
  });

  it('cannot loosen the organization login policy', async () => {
    const s = seedOrganization(emu());
    for (const target of [app, remote]) {
      const res = await call(signedIn(emu(), target, s.member.member_id), 'PATCH', '/organization', { auth_methods: 'RESTRICTED', allowed_auth_methods: ['password'] });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('permission_denied');
    }
    expect(emu().admin.getOrganization(s.org.organization_id)?.auth_methods).toBe(s.org.auth_methods);
  });

  it('is refused by Stytch when it calls the API directly with its own session (the headers carry only its permissions)', async () => {
    const s = seedOrganization(emu());
    const session = emu().admin.createSession({ member_id: s.member.member_id });
    const asMember = { headers: { 'x-stytch-member-session': session.session_token } };
    const path = `/v1/b2b/organizations/${s.org.organization_id}/members/${s.member.member_id}`;
    const roles = await callApi(emu(), 'PUT', path, { roles: ['stytch_admin'] }, asMember);
    expect(roles.status).toBe(403);
    const breakglass = await callApi(emu(), 'PUT', path, { is_breakglass: true }, asMember);
    expect(breakglass.status).toBe(403);
    const trusted = await callApi(emu(), 'PUT', path, { trusted_metadata: { tier: 'gold' } }, asMember);
    expect(trusted.status).toBe(403);
    // What stytch.self does grant still works: the member may rename themselves.
    const name = await callApi<{ member: { name: string } }>(emu(), 'PUT', path, { name: 'Renamed' }, asMember);
    expect(name.status).toBe(200);
    expect(rolesOf(s.member.member_id)).not.toContain('stytch_admin');
  });

  it('an admin of one organization cannot act on a member of another (404, nothing changes)', async () => {
    const a = seedOrganization(emu());
    const b = seedOrganization(emu());
    const browser = signedIn(emu(), app, a.admin.member_id);
    for (const [method, path, body] of [
      ['PUT', `/members/${b.member.member_id}/roles`, { roles: ['stytch_admin'] }],
      ['POST', `/members/${b.member.member_id}/deactivate`, undefined],
      ['DELETE', `/members/${b.member.member_id}/mfa/phone`, undefined],
    ] as const) {
      const res = await call(browser, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe('member_not_found');
    }
    const other = emu().admin.getMember(b.member.member_id);
    expect(other?.status).toBe('active');
    expect(other?.mfa_phone_number).toBe(b.member.mfa_phone_number);
  });
});
