import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import type { JsonBody } from '../helpers/emulator.js';
import { callApi, expectOk, expectStytchError, loggedInMember, magicLinkLogin, newEmail, newOrg, sendLoginLink, totp } from './support.js';

// Default project policy (reference 4.3): stytch_admin holds the stytch.* admin resources.
const emu = useEmulator({ redirectUrls: { invite: 'http://localhost:3000/invite' } });

const factorTypes = (res: JsonBody) => (res.member_session.authentication_factors as JsonBody[]).map((f) => f.type as string);

describe('invites', () => {
  it('invites a new member, who becomes active by authenticating the link', async () => {
    const e = emu();
    const org = newOrg(e);
    const email = newEmail('invitee');
    const sent = expectOk(await callApi(e, 'POST', '/v1/b2b/magic_links/email/invite', { organization_id: org.organization_id, email_address: email }));
    expect(sent.member.status).toBe('invited');
    const msg = e.outbox.latest({ to: email })!;
    expect(msg.kind).toBe('invite_magic_link');
    const link = new URL(msg.link!);
    expect(`${link.origin}${link.pathname}`).toBe('http://localhost:3000/invite');
    expect(link.searchParams.get('stytch_token_type')).toBe('multi_tenant_magic_links');
    const done = expectOk(await callApi(e, 'POST', '/v1/b2b/magic_links/authenticate', { magic_links_token: msg.token }));
    expect(done.member_authenticated).toBe(true);
    expect(done.member.status).toBe('active');
  });

  it('keeps an invite valid for a week, not longer', async () => {
    const e = emu();
    const org = newOrg(e);
    const a = newEmail('a');
    const b = newEmail('b');
    expectOk(await callApi(e, 'POST', '/v1/b2b/magic_links/email/invite', { organization_id: org.organization_id, email_address: a }));
    expectOk(await callApi(e, 'POST', '/v1/b2b/magic_links/email/invite', { organization_id: org.organization_id, email_address: b }));
    e.clock.advance(10_080 * 60_000 - 60_000);
    expectOk(await callApi(e, 'POST', '/v1/b2b/magic_links/authenticate', { magic_links_token: e.outbox.latest({ to: a })!.token }));
    e.clock.advance(2 * 60_000);
    expectStytchError(await callApi(e, 'POST', '/v1/b2b/magic_links/authenticate', { magic_links_token: e.outbox.latest({ to: b })!.token }), 401, 'unable_to_auth_magic_link');
  });

  it('refuses to invite an active member', async () => {
    const e = emu();
    const org = newOrg(e);
    const email = newEmail();
    e.admin.createMember(org.organization_id, { email_address: email, status: 'active' });
    const res = await callApi(e, 'POST', '/v1/b2b/magic_links/email/invite', { organization_id: org.organization_id, email_address: email });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expectStytchError(res, res.status);
  });
});

describe('PKCE on magic links', () => {
  it('requires the verifier, refuses a wrong one and accepts the right one', async () => {
    const e = emu();
    const org = newOrg(e);
    const email = newEmail();
    e.admin.createMember(org.organization_id, { email_address: email, status: 'active' });
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const send = async () => {
      expectOk(await callApi(e, 'POST', '/v1/b2b/magic_links/email/login_or_signup', { organization_id: org.organization_id, email_address: email, pkce_code_challenge: challenge }));
      return e.outbox.latest({ to: email })!.token!;
    };
    const missing = await callApi(e, 'POST', '/v1/b2b/magic_links/authenticate', { magic_links_token: await send() });
    expectStytchError(missing, missing.status, 'pkce_expected_code_verifier');
    expect(missing.status).toBeGreaterThanOrEqual(400);
    const wrong = await callApi(e, 'POST', '/v1/b2b/magic_links/authenticate', { magic_links_token: await send(), pkce_code_verifier: `${verifier}x` });
    expectStytchError(wrong, wrong.status, 'pkce_mismatch');
    expect(wrong.status).toBeGreaterThanOrEqual(400);
    expectOk(await callApi(e, 'POST', '/v1/b2b/magic_links/authenticate', { magic_links_token: await send(), pkce_code_verifier: verifier }));
  });
});

describe('factors added to an existing session', () => {
  it('adds a primary factor to the session passed with session_token instead of starting a new one', async () => {
    const e = emu();
    const first = await loggedInMember(e);
    const again = await magicLinkLogin(e, first.org.organization_id, first.email, { session_token: first.sessionToken });
    expect(again.member_authenticated).toBe(true);
    expect(again.member_session.member_session_id).toBe(first.auth.member_session.member_session_id);
  });

  it('skips MFA when the passed session already carries a second factor', async () => {
    const e = emu();
    const org = newOrg(e, { mfa_policy: 'REQUIRED_FOR_ALL' });
    const email = newEmail();
    const member = e.admin.createMember(org.organization_id, { email_address: email, status: 'active', mfa_enrolled: true, mfa_phone_number: '+15005550007' });
    const s = e.admin.createSession({ member_id: member.member_id, factors: ['magic_link', 'otp'] });
    const res = await magicLinkLogin(e, org.organization_id, email, { session_token: s.session_token });
    expect(res.member_authenticated).toBe(true);
    expect(res.member_session.member_session_id).toBe(s.member_session.member_session_id);
  });

  it('asks for MFA in an OPTIONAL organization when the member is mfa_enrolled', async () => {
    const e = emu();
    const org = newOrg(e);
    const email = newEmail();
    e.admin.createMember(org.organization_id, { email_address: email, status: 'active', mfa_enrolled: true, mfa_phone_number: '+15005550008' });
    const res = await magicLinkLogin(e, org.organization_id, email);
    expect(res.member_authenticated).toBe(false);
    expect(res.mfa_required).not.toBeNull();
    expect(res.session_jwt).toBe('');
  });
});

describe('TOTP and recovery codes management', () => {
  async function enrolled() {
    const e = emu();
    const org = newOrg(e, { mfa_policy: 'REQUIRED_FOR_ALL' });
    const email = newEmail();
    const member = e.admin.createMember(org.organization_id, { email_address: email, status: 'active' });
    const login = await magicLinkLogin(e, org.organization_id, email);
    const ids = { organization_id: org.organization_id, member_id: member.member_id };
    const created = expectOk(await callApi(e, 'POST', '/v1/b2b/totp', { ...ids, intermediate_session_token: login.intermediate_session_token }));
    const done = expectOk(
      await callApi(e, 'POST', '/v1/b2b/totp/authenticate', { ...ids, code: totp(created.secret, e.clock.now()), intermediate_session_token: login.intermediate_session_token }),
    );
    return { e, org, member, email, ids, created, session: done };
  }

  it('computes the same TOTP codes as an independent RFC 6238 implementation', async () => {
    const { e, created } = await enrolled();
    const at = Date.UTC(2030, 0, 1, 0, 0, 15);
    expect(e.admin.totpCode(created.secret, at)).toBe(totp(created.secret, at));
    // RFC 6238 appendix B test vector (SHA-1, T = 59 s), truncated to 6 digits.
    expect(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 59_000)).toBe('287082');
    expect(e.admin.totpCode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 59_000)).toBe('287082');
  });

  it('refuses a second TOTP registration with 400 active_totp_exists', async () => {
    const { e, ids, session } = await enrolled();
    expectStytchError(await callApi(e, 'POST', '/v1/b2b/totp', { ...ids, session_token: session.session_token }), 400, 'active_totp_exists');
  });

  it('lists recovery codes and rotates them, retiring the old ones', async () => {
    const { e, org, member, email, ids, created } = await enrolled();
    const got = expectOk(await callApi(e, 'GET', `/v1/b2b/recovery_codes/${org.organization_id}/${member.member_id}`));
    expect([...got.recovery_codes].sort()).toEqual([...created.recovery_codes].sort());
    const rotated = expectOk(await callApi(e, 'POST', '/v1/b2b/recovery_codes/rotate', ids));
    expect(rotated.recovery_codes).toHaveLength(10);
    expect(rotated.recovery_codes).not.toContain(created.recovery_codes[0]);
    const login = await magicLinkLogin(e, org.organization_id, email);
    const old = await callApi(e, 'POST', '/v1/b2b/recovery_codes/recover', { ...ids, recovery_code: created.recovery_codes[0], intermediate_session_token: login.intermediate_session_token });
    expectStytchError(old, 401, 'unable_to_authenticate_recovery_code');
    expectOk(await callApi(e, 'POST', '/v1/b2b/recovery_codes/recover', { ...ids, recovery_code: rotated.recovery_codes[0], intermediate_session_token: login.intermediate_session_token }));
  });
});

describe('email OTP codes', () => {
  it('invalidates earlier codes when a new one is sent', async () => {
    const e = emu();
    const org = newOrg(e);
    const email = newEmail();
    e.admin.createMember(org.organization_id, { email_address: email, status: 'active' });
    const send = async () => {
      expectOk(await callApi(e, 'POST', '/v1/b2b/otps/email/login_or_signup', { organization_id: org.organization_id, email_address: email }));
      return e.outbox.latest({ to: email, kind: 'email_otp' })!.code!;
    };
    const first = await send();
    let second = await send();
    if (second === first) second = await send();
    const old = await callApi(e, 'POST', '/v1/b2b/otps/email/authenticate', { organization_id: org.organization_id, email_address: email, code: first });
    expect([old.status, old.body.error_type]).toEqual([404, 'otp_code_not_found']);
    expectStytchError(old, old.status, ['unable_to_auth_otp_code', 'otp_code_not_found']);
    expectOk(await callApi(e, 'POST', '/v1/b2b/otps/email/authenticate', { organization_id: org.organization_id, email_address: email, code: second }));
  });
});

describe('OAuth and SSO test tokens', () => {
  it('logs a member in with an OAuth token and records an oauth factor', async () => {
    const e = emu();
    const org = newOrg(e);
    const email = newEmail();
    e.admin.createMember(org.organization_id, { email_address: email, status: 'active' });
    const token = e.admin.issueOAuthToken({ email_address: email, organization_id: org.organization_id, provider: 'google' });
    const res = expectOk(await callApi(e, 'POST', '/v1/b2b/oauth/authenticate', { oauth_token: token }));
    expect(res.member_authenticated).toBe(true);
    expect(res.member_session.authentication_factors[0]).toMatchObject({ type: 'oauth', delivery_method: 'oauth_google' });
    expect(res.provider_type.toLowerCase()).toBe('google');
    // Single use.
    expect((await callApi(e, 'POST', '/v1/b2b/oauth/authenticate', { oauth_token: token })).status).toBeGreaterThanOrEqual(400);
  });

  it('discovers organizations with a discovery OAuth token', async () => {
    const e = emu();
    const org = newOrg(e);
    const email = newEmail();
    e.admin.createMember(org.organization_id, { email_address: email, status: 'active' });
    const token = e.admin.issueOAuthToken({ email_address: email });
    const res = expectOk(await callApi(e, 'POST', '/v1/b2b/oauth/discovery/authenticate', { discovery_oauth_token: token }));
    expect(res.email_address).toBe(email);
    expect(res.intermediate_session_token).toMatch(/.{10,}/u);
    expect((res.discovered_organizations as JsonBody[]).map((d) => d.organization.organization_id)).toContain(org.organization_id);
  });

  it('logs a member in with an SSO token and records an sso factor', async () => {
    const e = emu();
    const org = newOrg(e);
    const member = e.admin.createMember(org.organization_id, { email_address: newEmail(), status: 'active' });
    const res = expectOk(await callApi(e, 'POST', '/v1/b2b/sso/authenticate', { sso_token: e.admin.issueSsoToken({ member_id: member.member_id }) }));
    expect(res.member_authenticated).toBe(true);
    expect(factorTypes(res)).toEqual(['sso']);
    expect(['sso_saml', 'sso_oidc']).toContain(res.member_session.authentication_factors[0].delivery_method);
  });
});

describe('organizations and members over the API', () => {
  it('creates, reads by id and slug, updates and deletes an organization', async () => {
    const e = emu();
    const slug = `api-${Date.now().toString(36)}`;
    const created = expectOk(await callApi(e, 'POST', '/v1/b2b/organizations', { organization_name: 'Api Org', organization_slug: slug }));
    const id = created.organization.organization_id as string;
    expect(expectOk(await callApi(e, 'GET', `/v1/b2b/organizations/${id}`)).organization.organization_slug).toBe(slug);
    expect(expectOk(await callApi(e, 'GET', `/v1/b2b/organizations/${slug}`)).organization.organization_id).toBe(id);
    expect(expectOk(await callApi(e, 'PUT', `/v1/b2b/organizations/${id}`, { organization_name: 'Renamed' })).organization.organization_name).toBe('Renamed');
    expectStytchError(await callApi(e, 'POST', '/v1/b2b/organizations', { organization_name: 'Dup', organization_slug: slug }), 400, 'organization_slug_already_used');
    // The SDK sends `{}` as the body of every DELETE (reference 1.2).
    expect(expectOk(await callApi(e, 'DELETE', `/v1/b2b/organizations/${id}`, {})).organization_id).toBe(id);
    expectStytchError(await callApi(e, 'GET', `/v1/b2b/organizations/${id}`), 404, 'organization_not_found');
  });

  it('creates, finds, updates, searches and deletes members', async () => {
    const e = emu();
    const org = newOrg(e);
    const email = newEmail();
    const created = expectOk(await callApi(e, 'POST', `/v1/b2b/organizations/${org.organization_id}/members`, { email_address: email, name: 'Ada', roles: ['stytch_admin'] }));
    const id = created.member.member_id as string;
    expect(created.member.roles).toEqual(expect.arrayContaining([{ role_id: 'stytch_admin', sources: [expect.objectContaining({ type: 'direct_assignment' })] }]));
    expect(created.member.is_admin).toBe(true);
    const byEmail = expectOk(await callApi(e, 'GET', `/v1/b2b/organizations/${org.organization_id}/member?email_address=${encodeURIComponent(email)}`));
    expect(byEmail.member.member_id).toBe(id);
    expect(expectOk(await callApi(e, 'PUT', `/v1/b2b/organizations/${org.organization_id}/members/${id}`, { name: 'Ada L.' })).member.name).toBe('Ada L.');
    expectStytchError(await callApi(e, 'POST', `/v1/b2b/organizations/${org.organization_id}/members`, { email_address: email }), 400, 'duplicate_member_email');
    const found = expectOk(await callApi(e, 'POST', '/v1/b2b/organizations/members/search', { organization_ids: [org.organization_id] }));
    expect((found.members as JsonBody[]).map((m) => m.member_id)).toContain(id);
    expect(expectOk(await callApi(e, 'DELETE', `/v1/b2b/organizations/${org.organization_id}/members/${id}`, {})).member_id).toBe(id);
  });

  it('applies RBAC to calls made with X-Stytch-Member-Session', async () => {
    const e = emu();
    const plain = await loggedInMember(e);
    const refused = await callApi(e, 'PUT', `/v1/b2b/organizations/${plain.org.organization_id}`, { organization_name: 'Nope' }, { headers: { 'x-stytch-member-session': plain.sessionToken } });
    expectStytchError(refused, 403, 'session_authorization_error');
    const admin = await loggedInMember(e, { roles: ['stytch_admin'] });
    const allowed = await callApi(e, 'PUT', `/v1/b2b/organizations/${admin.org.organization_id}`, { organization_name: 'Yes' }, { headers: { 'x-stytch-member-session': admin.sessionToken } });
    expect(expectOk(allowed).organization.organization_name).toBe('Yes');
  });

  it('lists a member’s active sessions', async () => {
    const e = emu();
    const first = await loggedInMember(e);
    await magicLinkLogin(e, first.org.organization_id, first.email);
    const q = `organization_id=${first.org.organization_id}&member_id=${first.member.member_id}`;
    expect(expectOk(await callApi(e, 'GET', `/v1/b2b/sessions?${q}`)).member_sessions).toHaveLength(2);
    expectOk(await callApi(e, 'POST', '/v1/b2b/sessions/revoke', { session_token: first.sessionToken }));
    expect(expectOk(await callApi(e, 'GET', `/v1/b2b/sessions?${q}`)).member_sessions).toHaveLength(1);
  });

  it('records outbox messages with an id, the emulator time and the channel', async () => {
    const e = emu();
    const org = newOrg(e);
    const email = newEmail();
    e.admin.createMember(org.organization_id, { email_address: email, status: 'active' });
    const before = e.clock.now();
    await sendLoginLink(e, org.organization_id, email);
    const msg = e.outbox.latest({ to: email })!;
    expect(msg.id).toBeTypeOf('string');
    expect(msg.at).toBeGreaterThanOrEqual(before);
    expect(msg.at).toBeLessThanOrEqual(e.clock.now());
    expect(msg.channel).toBe('email');
  });
});
