import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import type { RbacPolicy } from '../../src/client/types.js';
import { useEmulator } from '../helpers/emulator.js';
import type { JsonBody } from '../helpers/emulator.js';
import { callApi, expectOk, expectStytchError, loggedInMember, magicLinkLogin, newEmail, newOrg } from './support.js';

const policy: RbacPolicy = {
  roles: [
    { role_id: 'stytch_member', description: 'every member', permissions: [{ resource_id: 'stytch.self', actions: ['*'] }] },
    { role_id: 'stytch_admin', description: 'admins', permissions: [{ resource_id: 'stytch.member', actions: ['*'] }] },
    { role_id: 'editor', description: 'edits documents', permissions: [{ resource_id: 'documents', actions: ['read', 'write'] }] },
    { role_id: 'owner', description: 'owns documents', permissions: [{ resource_id: 'documents', actions: ['*'] }] },
  ],
  resources: [
    { resource_id: 'documents', description: 'docs', actions: ['read', 'write', 'delete'] },
    { resource_id: 'stytch.self', description: 'self', actions: ['delete'] },
    { resource_id: 'stytch.member', description: 'members', actions: ['create', 'delete'] },
  ],
  scopes: [],
};

const emu = useEmulator({ policy });
const authenticate = (body: Record<string, unknown>) => callApi(emu(), 'POST', '/v1/b2b/sessions/authenticate', body);

describe('sessions/authenticate', () => {
  it('authenticates an opaque token and a JWT to the same session', async () => {
    const { sessionToken, sessionJwt, member, org } = await loggedInMember(emu());
    const byToken = expectOk(await authenticate({ session_token: sessionToken }));
    const byJwt = expectOk(await authenticate({ session_jwt: sessionJwt }));
    expect(byToken.member_session.member_session_id).toBe(byJwt.member_session.member_session_id);
    expect(byToken.member_session.member_id).toBe(member.member_id);
    expect(byToken.member.member_id).toBe(member.member_id);
    expect(byToken.organization.organization_id).toBe(org.organization_id);
    expect(byToken.session_token).toBe(sessionToken);
  });

  it('does not extend the session unless session_duration_minutes is given', async () => {
    const { sessionToken } = await loggedInMember(emu());
    const before = expectOk(await authenticate({ session_token: sessionToken })).member_session.expires_at;
    emu().clock.advance(60_000);
    const same = expectOk(await authenticate({ session_token: sessionToken })).member_session.expires_at;
    expect(Date.parse(same)).toBe(Date.parse(before));
    const extended = expectOk(await authenticate({ session_token: sessionToken, session_duration_minutes: 120 })).member_session.expires_at;
    expect(Date.parse(extended)).toBeGreaterThanOrEqual(emu().clock.now() + 119 * 60_000);
  });

  it('refreshes an expired but genuine JWT while the session is alive', async () => {
    const { sessionJwt } = await loggedInMember(emu());
    const old = decodeJwt(sessionJwt);
    emu().clock.advance(10 * 60_000); // the JWT lived 5 minutes; the session lives 60.
    const res = expectOk(await authenticate({ session_jwt: sessionJwt }));
    const fresh = decodeJwt(res.session_jwt);
    expect(res.session_jwt).not.toBe(sessionJwt);
    expect(fresh.exp! - fresh.iat!).toBe(300);
    expect(fresh.iat!).toBeGreaterThanOrEqual(old.iat! + 600);
  });

  it('answers 404 session_not_found once the session itself has expired', async () => {
    const { sessionToken, sessionJwt } = await loggedInMember(emu());
    emu().clock.advance(61 * 60_000);
    expectStytchError(await authenticate({ session_token: sessionToken }), 404, 'session_not_found');
    expectStytchError(await authenticate({ session_jwt: sessionJwt }), 404, 'session_not_found');
  });

  it('rejects a JWT whose signature does not verify', async () => {
    const { sessionJwt } = await loggedInMember(emu());
    const [h, p, s] = sessionJwt.split('.');
    const tampered = `${h}.${p}.${s!.slice(0, -4)}${s!.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    const res = await authenticate({ session_jwt: tampered });
    expect([res.status, res.body.error_type]).toEqual([401, 'invalid_session_jwt']);
    expectStytchError(res, res.status);
  });
});

describe('sessions/revoke', () => {
  it('revokes by token: both the token and the JWT then get 404 session_not_found', async () => {
    const { sessionToken, sessionJwt } = await loggedInMember(emu());
    expectOk(await callApi(emu(), 'POST', '/v1/b2b/sessions/revoke', { session_token: sessionToken }));
    expectStytchError(await authenticate({ session_token: sessionToken }), 404, 'session_not_found');
    expectStytchError(await authenticate({ session_jwt: sessionJwt }), 404, 'session_not_found');
  });

  it('revokes by member_session_id and by member_id', async () => {
    const a = await loggedInMember(emu());
    expectOk(await callApi(emu(), 'POST', '/v1/b2b/sessions/revoke', { member_session_id: a.auth.member_session.member_session_id }));
    expectStytchError(await authenticate({ session_token: a.sessionToken }), 404, 'session_not_found');

    const b = await loggedInMember(emu());
    const second = await magicLinkLogin(emu(), b.org.organization_id, b.email);
    expectOk(await callApi(emu(), 'POST', '/v1/b2b/sessions/revoke', { member_id: b.member.member_id }));
    expectStytchError(await authenticate({ session_token: b.sessionToken }), 404, 'session_not_found');
    expectStytchError(await authenticate({ session_token: second.session_token }), 404, 'session_not_found');
  });
});

describe('authorization_check', () => {
  it('returns a verdict naming every granting role', async () => {
    const { sessionToken, org } = await loggedInMember(emu(), { roles: ['editor', 'owner'] });
    const res = expectOk(await authenticate({ session_token: sessionToken, authorization_check: { organization_id: org.organization_id, resource_id: 'documents', action: 'write' } }));
    expect(res.verdict.authorized).toBe(true);
    expect([...res.verdict.granting_roles].sort()).toEqual(['editor', 'owner']);
  });

  it('matches the "*" action wildcard', async () => {
    const { sessionJwt, org } = await loggedInMember(emu(), { roles: ['owner'] });
    const res = expectOk(await authenticate({ session_jwt: sessionJwt, authorization_check: { organization_id: org.organization_id, resource_id: 'documents', action: 'delete' } }));
    expect(res.verdict).toEqual({ authorized: true, granting_roles: ['owner'] });
  });

  it('grants stytch_member permissions to every member', async () => {
    const { sessionToken, org, auth } = await loggedInMember(emu());
    expect(auth.member_session.roles).toContain('stytch_member');
    const res = expectOk(await authenticate({ session_token: sessionToken, authorization_check: { organization_id: org.organization_id, resource_id: 'stytch.self', action: 'delete' } }));
    expect(res.verdict.granting_roles).toEqual(['stytch_member']);
  });

  it('refuses a missing permission with 403 session_authorization_error', async () => {
    const { sessionToken, org } = await loggedInMember(emu(), { roles: ['editor'] });
    const res = await authenticate({ session_token: sessionToken, authorization_check: { organization_id: org.organization_id, resource_id: 'documents', action: 'delete' } });
    expectStytchError(res, 403, 'session_authorization_error');
  });

  it('refuses another organization with 403 session_authorization_tenancy_error', async () => {
    const { sessionToken } = await loggedInMember(emu(), { roles: ['owner'] });
    const other = newOrg(emu());
    const res = await authenticate({ session_token: sessionToken, authorization_check: { organization_id: other.organization_id, resource_id: 'documents', action: 'read' } });
    expectStytchError(res, 403, 'session_authorization_tenancy_error');
  });

  it('uses the organization policy roles on top of the project policy', async () => {
    const e = emu();
    const org = newOrg(e);
    e.admin.setOrgPolicy(org.organization_id, {
      roles: [{ role_id: 'auditor', description: 'org role', permissions: [{ resource_id: 'documents', actions: ['read'] }] }],
    });
    const orgPolicy = expectOk(await callApi(e, 'GET', `/v1/b2b/rbac/organizations/${org.organization_id}`));
    expect(orgPolicy.org_policy.roles.map((r: JsonBody) => r.role_id)).toEqual(['auditor']);
    const email = newEmail();
    e.admin.createMember(org.organization_id, { email_address: email, status: 'active', roles: ['auditor'] });
    const login = await magicLinkLogin(e, org.organization_id, email);
    const res = expectOk(await authenticate({ session_token: login.session_token, authorization_check: { organization_id: org.organization_id, resource_id: 'documents', action: 'read' } }));
    expect(res.verdict.granting_roles).toEqual(['auditor']);
  });

  it('serves the project policy and an empty org policy by default', async () => {
    const e = emu();
    const res = expectOk(await callApi(e, 'GET', '/v1/b2b/rbac/policy'));
    expect(res.policy.roles.map((r: JsonBody) => r.role_id)).toEqual(policy.roles.map((r) => r.role_id));
    const org = newOrg(e);
    const orgPolicy = expectOk(await callApi(e, 'GET', `/v1/b2b/rbac/organizations/${org.organization_id}`));
    expect(orgPolicy.org_policy).toEqual({ roles: [] });
  });
});

describe('session custom claims', () => {
  it('merges new claims, deletes null ones and puts them at the JWT top level', async () => {
    const e = emu();
    const org = newOrg(e);
    const member = e.admin.createMember(org.organization_id, { email_address: newEmail(), status: 'active' });
    const s = e.admin.createSession({ member_id: member.member_id, custom_claims: { plan: 'pro', team: 'a' } });
    const res = expectOk(await authenticate({ session_token: s.session_token, session_custom_claims: { team: null, region: 'eu' } }));
    expect(res.member_session.custom_claims).toEqual({ plan: 'pro', region: 'eu' });
    const claims = decodeJwt(res.session_jwt);
    expect(claims.plan).toBe('pro');
    expect(claims.region).toBe('eu');
    expect('team' in claims).toBe(false);
    // The merge is stored on the session, not only echoed once.
    const again = expectOk(await authenticate({ session_token: s.session_token }));
    expect(again.member_session.custom_claims).toEqual({ plan: 'pro', region: 'eu' });
  });

  it('never lets custom claims override registered or Stytch claims', async () => {
    const e = emu();
    const { sessionToken, member } = await loggedInMember(e);
    const res = await authenticate({ session_token: sessionToken, session_custom_claims: { sub: 'member-test-evil', iss: 'evil' } });
    // Reference 2.2 says reserved names are ignored; 1.6 also names reserved_claims_in_custom_claims.
    if (res.status === 200) {
      const claims = decodeJwt(res.body.session_jwt);
      expect(claims.sub).toBe(member.member_id);
      expect(claims.iss).toBe(`stytch.com/${e.projectId}`);
    } else {
      expectStytchError(res, 400, 'reserved_claims_in_custom_claims');
    }
    const stytchClaim = await authenticate({ session_token: sessionToken, session_custom_claims: { 'https://stytch.com/session': { roles: ['stytch_admin'] } } });
    if (stytchClaim.status === 200) {
      expect((decodeJwt(stytchClaim.body.session_jwt)['https://stytch.com/session'] as JsonBody).roles).not.toContain('stytch_admin');
    } else {
      expectStytchError(stytchClaim, 400, ['stytch_claims_in_custom_claims', 'reserved_claims_in_custom_claims']);
    }
  });
});

describe('sessions/exchange', () => {
  it('switches into another organization where the member exists', async () => {
    const e = emu();
    const a = await loggedInMember(e);
    const other = newOrg(e);
    const there = e.admin.createMember(other.organization_id, { email_address: a.email, status: 'active' });
    const res = expectOk(await callApi(e, 'POST', '/v1/b2b/sessions/exchange', { organization_id: other.organization_id, session_token: a.sessionToken }));
    expect(res.member_authenticated).toBe(true);
    expect(res.member_session.organization_id).toBe(other.organization_id);
    expect(res.member_session.member_id).toBe(there.member_id);
    expect(res.session_token).not.toBe(a.sessionToken);
    expect(decodeJwt(res.session_jwt).sub).toBe(there.member_id);
  });

  it('requires MFA when the target organization demands it', async () => {
    const e = emu();
    const a = await loggedInMember(e);
    const strict = newOrg(e, { mfa_policy: 'REQUIRED_FOR_ALL' });
    e.admin.createMember(strict.organization_id, { email_address: a.email, status: 'active' });
    const res = expectOk(await callApi(e, 'POST', '/v1/b2b/sessions/exchange', { organization_id: strict.organization_id, session_jwt: a.sessionJwt }));
    expect(res.member_authenticated).toBe(false);
    expect(res.session_token).toBe('');
    expect(res.session_jwt).toBe('');
    expect(res.member_session ?? null).toBeNull();
    expect(res.intermediate_session_token).toMatch(/.{10,}/u);
    expect(res.mfa_required).not.toBeNull();
  });
});

describe('roles and policies over the API', () => {
  it('adds roles implied by the email domain to the member and the session', async () => {
    const e = emu();
    const org = newOrg(e, { rbac_email_implicit_role_assignments: [{ domain: 'example.com', role_id: 'editor' }] });
    const email = newEmail();
    e.admin.createMember(org.organization_id, { email_address: email, status: 'active' });
    const login = await magicLinkLogin(e, org.organization_id, email);
    expect(login.member_session.roles).toEqual(expect.arrayContaining(['stytch_member', 'editor']));
    const role = (login.member.roles as JsonBody[]).find((r) => r.role_id === 'editor');
    expect(role?.sources.map((s: JsonBody) => s.type)).toContain('email_assignment');
    const res = expectOk(await authenticate({ session_token: login.session_token, authorization_check: { organization_id: org.organization_id, resource_id: 'documents', action: 'write' } }));
    expect(res.verdict.granting_roles).toEqual(['editor']);
  });

  it('replaces an organization policy with PUT and serves it back', async () => {
    const e = emu();
    const org = newOrg(e);
    const orgPolicy = { roles: [{ role_id: 'reviewer', description: 'reviews', permissions: [{ resource_id: 'documents', actions: ['read'] }] }] };
    expect(expectOk(await callApi(e, 'PUT', `/v1/b2b/rbac/organizations/${org.organization_id}`, { org_policy: orgPolicy })).org_policy).toEqual(orgPolicy);
    expect(expectOk(await callApi(e, 'GET', `/v1/b2b/rbac/organizations/${org.organization_id}`)).org_policy).toEqual(orgPolicy);
    expectOk(await callApi(e, 'PUT', `/v1/b2b/rbac/organizations/${org.organization_id}`, { org_policy: { roles: [] } }));
    expect(expectOk(await callApi(e, 'GET', `/v1/b2b/rbac/organizations/${org.organization_id}`)).org_policy).toEqual({ roles: [] });
  });

  it('reflects an extended expiry in the new JWT session claim', async () => {
    const { sessionToken } = await loggedInMember(emu());
    const res = expectOk(await authenticate({ session_token: sessionToken, session_duration_minutes: 600 }));
    const claim = decodeJwt(res.session_jwt)['https://stytch.com/session'] as JsonBody;
    expect(Date.parse(claim.expires_at)).toBe(Date.parse(res.member_session.expires_at));
    expect(Date.parse(claim.expires_at)).toBeGreaterThanOrEqual(emu().clock.now() + 599 * 60_000);
  });

  it('updates last_accessed_at on each authenticate', async () => {
    const { sessionToken, auth } = await loggedInMember(emu());
    emu().clock.advance(90_000);
    const res = expectOk(await authenticate({ session_token: sessionToken }));
    expect(Date.parse(res.member_session.last_accessed_at)).toBeGreaterThan(Date.parse(auth.member_session.last_accessed_at));
    expect(res.member_session.started_at).toBe(auth.member_session.started_at);
  });

  it('lists discovered organizations for a session and refuses two credentials at once', async () => {
    const { sessionToken, sessionJwt, org } = await loggedInMember(emu());
    const listed = expectOk(await callApi(emu(), 'POST', '/v1/b2b/discovery/organizations', { session_token: sessionToken }));
    expect((listed.discovered_organizations as JsonBody[]).map((d) => d.organization.organization_id)).toContain(org.organization_id);
    const both = await callApi(emu(), 'POST', '/v1/b2b/discovery/organizations', { session_token: sessionToken, session_jwt: sessionJwt });
    expect(both.status).toBe(400);
    expectStytchError(both, 400);
  });
});
