/**
 * The client against the local Stytch B2B emulator over real HTTP: every method once with a
 * success and once with a Stytch error, plus the emulator's scripted faults.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StytchB2BClient } from '../../src/client/index.js';
import type { Member, Organization } from '../../src/client/types.js';
import { StytchApiError, StytchUnavailableError } from '../../src/errors.js';
import { settleFaults, useEmulator } from '../helpers/emulator.js';

const emu = useEmulator();
let client: StytchB2BClient;
let n = 0;

beforeAll(() => {
  client = new StytchB2BClient({ projectId: emu().projectId, secret: emu().secret, baseUrl: emu().url, retry: { baseDelayMs: 1 }, env: {} });
});
afterAll(async () => {
  await client.close();
});
beforeEach(() => {
  emu().faults.clear();
  emu().calls.clear();
});
afterEach(() => settleFaults(emu()));

/** A fresh organization (unique slug) and an active member in it. */
function seed(orgInput: Partial<Organization> = {}, memberInput: Partial<Parameters<ReturnType<typeof emu>['admin']['createMember']>[1]> = {}): { org: Organization; member: Member; email: string } {
  n += 1;
  const org = emu().admin.createOrganization({ organization_name: `Org ${n}`, organization_slug: `org-${n}-${Date.now()}`, ...orgInput });
  const email = `user${n}@example${n}.com`;
  const member = emu().admin.createMember(org.organization_id, { email_address: email, name: `User ${n}`, ...memberInput });
  return { org, member, email };
}

async function apiError(promise: Promise<unknown>, status?: number): Promise<StytchApiError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(StytchApiError);
  const error = caught as StytchApiError;
  expect(error.code).toMatch(/^[a-z0-9_]+$/);
  // An unimplemented emulator route must not pass for a real Stytch error.
  expect(error.code).not.toBe('route_not_found');
  if (status === undefined) {
    expect(error.status).toBeGreaterThanOrEqual(400);
    expect(error.status).toBeLessThan(500);
  } else {
    expect(error.status).toBe(status);
  }
  return error;
}

describe('sessions', () => {
  it('authenticates a session token and returns the member session', async () => {
    const { member } = seed();
    const { session_token } = emu().admin.createSession({ member_id: member.member_id });
    const res = await client.sessions.authenticate({ session_token });
    expect(res.member_session.member_id).toBe(member.member_id);
    expect(res.session_jwt).not.toBe('');
  });

  it('answers session_not_found (404) for an unknown token', async () => {
    const error = await apiError(client.sessions.authenticate({ session_token: 'x'.repeat(44) }), 404);
    expect(error.code).toBe('session_not_found');
  });

  it('returns a verdict when the authorization check passes and 403 when it does not', async () => {
    const { org, member } = seed();
    const { session_jwt } = emu().admin.createSession({ member_id: member.member_id });
    const ok = await client.sessions.authenticate({ session_jwt, authorization_check: { organization_id: org.organization_id, resource_id: 'stytch.self', action: 'delete' } });
    expect(ok.verdict?.authorized).toBe(true);
    await apiError(client.sessions.authenticate({ session_jwt, authorization_check: { organization_id: org.organization_id, resource_id: 'stytch.organization', action: 'delete' } }), 403);
  });

  it('revokes a session so that it no longer authenticates', async () => {
    const { member } = seed();
    const { session_token, member_session } = emu().admin.createSession({ member_id: member.member_id });
    await client.sessions.revoke({ member_session_id: member_session.member_session_id });
    await apiError(client.sessions.authenticate({ session_token }), 404);
  });

  it('rejects a revoke without any target', async () => {
    await apiError(client.sessions.revoke({}));
  });

  it('lists the active sessions of a member, and rejects an unknown member', async () => {
    const { org, member } = seed();
    emu().admin.createSession({ member_id: member.member_id });
    const res = await client.sessions.get({ organization_id: org.organization_id, member_id: member.member_id });
    expect(res.member_sessions).toHaveLength(1);
    await apiError(client.sessions.get({ organization_id: org.organization_id, member_id: 'member-test-00000000-0000-4000-8000-000000000000' }));
  });

  it('exchanges a session into another organization of the same email, and rejects an unknown one', async () => {
    const { member, email } = seed();
    const other = emu().admin.createOrganization({ organization_name: 'Other', organization_slug: `other-${Date.now()}` });
    emu().admin.createMember(other.organization_id, { email_address: email });
    const { session_token } = emu().admin.createSession({ member_id: member.member_id });
    const res = await client.sessions.exchange({ organization_id: other.organization_id, session_token });
    expect(res.organization_id ?? res.organization.organization_id).toBe(other.organization_id);
    await apiError(client.sessions.exchange({ organization_id: 'organization-test-00000000-0000-4000-8000-000000000000', session_token }));
  });

  it('fetches the JWKS without credentials, and 404s for another project', async () => {
    const res = await client.sessions.getJWKS();
    expect(res.keys.map((k) => k.kid)).toContain(emu().admin.currentKid());
    await apiError(client.sessions.getJWKS({ project_id: 'project-test-someone-else' }));
  });

  it('surfaces wrong credentials as unauthorized_credentials (401)', async () => {
    const wrong = new StytchB2BClient({ projectId: emu().projectId, secret: 'wrong-secret', baseUrl: emu().url, env: {} });
    try {
      const error = await apiError(wrong.rbac.policy(), 401);
      expect(error.code).toBe('unauthorized_credentials');
      expect(error.message).not.toContain('wrong-secret');
    } finally {
      await wrong.close();
    }
  });
});

describe('rbac', () => {
  it('fetches the project policy', async () => {
    const res = await client.rbac.policy();
    expect(res.policy?.roles.map((r) => r.role_id)).toContain('stytch_member');
  });

  it('fetches an organization policy, and rejects an unknown organization', async () => {
    const { org } = seed();
    const res = await client.rbac.organizations.getOrgPolicy({ organization_id: org.organization_id });
    expect(res.org_policy.roles).toEqual([]);
    await apiError(client.rbac.organizations.getOrgPolicy({ organization_id: 'organization-test-00000000-0000-4000-8000-000000000000' }));
  });
});

describe('emulator faults', () => {
  it('retries a GET after a scripted 503', async () => {
    emu().faults.next('GET /v1/b2b/rbac/policy', { status: 503 });
    await client.rbac.policy();
    expect(emu().calls.count('GET /v1/b2b/rbac/policy')).toBe(2);
  });

  it('does not retry a POST after a scripted 503', async () => {
    emu().faults.next('POST /v1/b2b/sessions/authenticate', { status: 503 });
    await expect(client.sessions.authenticate({ session_token: 't' })).rejects.toMatchObject({ code: 'upstream_unavailable', status: 503 });
    expect(emu().calls.count('POST /v1/b2b/sessions/authenticate')).toBe(1);
  });

  it('maps a scripted 429 with Retry-After beyond the deadline to upstream_rate_limited', async () => {
    emu().faults.next('GET /v1/b2b/rbac/policy', { status: 429, errorType: 'too_many_requests', retryAfterSeconds: 60 });
    await expect(client.rbac.policy()).rejects.toMatchObject({ code: 'upstream_rate_limited', retryAfterSeconds: 60 });
  });

  it('maps a hanging endpoint to upstream_timeout', async () => {
    emu().faults.next('POST /v1/b2b/sessions/authenticate', { hang: true });
    await expect(client.sessions.authenticate({ session_token: 't' }, { timeoutMs: 150 })).rejects.toMatchObject({ code: 'upstream_timeout' });
  });

  it('maps a malformed body to upstream_bad_response (502)', async () => {
    emu().faults.next('POST /v1/b2b/sessions/authenticate', { malformed: true });
    await expect(client.sessions.authenticate({ session_token: 't' })).rejects.toMatchObject({ code: 'upstream_bad_response', status: 502 });
  });

  it('maps a connection dropped mid-body to upstream_network', async () => {
    emu().faults.next('POST /v1/b2b/sessions/authenticate', { drop: 'mid_body' });
    const error: unknown = await client.sessions.authenticate({ session_token: 't' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StytchUnavailableError);
    expect((error as StytchUnavailableError).code).toMatch(/^upstream_(network|bad_response)$/);
  });
});

describe('magic links', () => {
  it('sends a login link and authenticates its token once', async () => {
    const { org, email, member } = seed();
    const sent = await client.magicLinks.email.loginOrSignup({ organization_id: org.organization_id, email_address: email });
    expect(sent.member_id).toBe(member.member_id);
    const token = emu().outbox.latest({ to: email })!.token!;
    const res = await client.magicLinks.authenticate({ magic_links_token: token });
    expect(res.member_authenticated).toBe(true);
    expect(res.session_token).not.toBe('');
    await apiError(client.magicLinks.authenticate({ magic_links_token: token }));
  });

  it('rejects a login link for an unknown organization', async () => {
    await apiError(client.magicLinks.email.loginOrSignup({ organization_id: 'organization-test-00000000-0000-4000-8000-000000000000', email_address: 'a@b.co' }));
  });

  it('invites a new member, and refuses to invite an active one', async () => {
    const { org, email } = seed();
    const res = await client.magicLinks.email.invite({ organization_id: org.organization_id, email_address: `new-${n}@example.com` });
    expect(res.member.status).toBe('invited');
    expect(emu().outbox.latest({ to: `new-${n}@example.com` })?.kind).toBe('invite_magic_link');
    await apiError(client.magicLinks.email.invite({ organization_id: org.organization_id, email_address: email }));
  });

  it('runs a discovery link to an intermediate session, and rejects a bogus token', async () => {
    const { email, org } = seed();
    await client.magicLinks.email.discovery.send({ email_address: email });
    const token = emu().outbox.latest({ to: email, kind: 'discovery_magic_link' })!.token!;
    const res = await client.magicLinks.discovery.authenticate({ discovery_magic_links_token: token });
    expect(res.intermediate_session_token).not.toBe('');
    expect(res.discovered_organizations.map((d) => d.organization.organization_id)).toContain(org.organization_id);
    await apiError(client.magicLinks.discovery.authenticate({ discovery_magic_links_token: 'bogus-token' }));
  });

  it('rejects a discovery send with an invalid email', async () => {
    await apiError(client.magicLinks.email.discovery.send({ email_address: 'not-an-email' }));
  });
});

describe('email OTP', () => {
  it('sends a code and authenticates it, and rejects a wrong code', async () => {
    const { org, email } = seed();
    await client.otps.email.loginOrSignup({ organization_id: org.organization_id, email_address: email });
    const code = emu().outbox.latest({ to: email, kind: 'email_otp' })!.code!;
    const wrong = code === '000000' ? '111111' : '000000';
    await apiError(client.otps.email.authenticate({ organization_id: org.organization_id, email_address: email, code: wrong }));
    await client.otps.email.loginOrSignup({ organization_id: org.organization_id, email_address: email });
    const fresh = emu().outbox.latest({ to: email, kind: 'email_otp' })!.code!;
    const res = await client.otps.email.authenticate({ organization_id: org.organization_id, email_address: email, code: fresh });
    expect(res.member_authenticated).toBe(true);
  });

  it('rejects a login code for an unknown organization', async () => {
    await apiError(client.otps.email.loginOrSignup({ organization_id: 'organization-test-00000000-0000-4000-8000-000000000000', email_address: 'a@b.co' }));
  });

  it('runs a discovery code, and rejects a wrong one', async () => {
    const { email } = seed();
    await client.otps.email.discovery.send({ email_address: email });
    const code = emu().outbox.latest({ to: email, kind: 'discovery_email_otp' })!.code!;
    const res = await client.otps.email.discovery.authenticate({ email_address: email, code });
    expect(res.intermediate_session_token).not.toBe('');
    await apiError(client.otps.email.discovery.authenticate({ email_address: email, code }));
  });

  it('rejects a discovery code send with an invalid email', async () => {
    await apiError(client.otps.email.discovery.send({ email_address: 'nope' }));
  });
});

/** A member whose organization requires MFA, stopped after the primary factor with an IST. */
async function mfaPending(memberInput: Record<string, unknown> = {}): Promise<{ org: Organization; member: Member; ist: string }> {
  const { org, member, email } = seed({ mfa_policy: 'REQUIRED_FOR_ALL' }, { mfa_phone_number: '+15005550006', mfa_enrolled: true, password: 'correct horse battery staple 1', ...memberInput });
  const res = await client.passwords.authenticate({ organization_id: org.organization_id, email_address: email, password: 'correct horse battery staple 1' });
  expect(res.member_authenticated).toBe(false);
  return { org, member, ist: res.intermediate_session_token };
}

describe('SMS OTP', () => {
  it('sends a code with an IST and completes MFA, and rejects a wrong code', async () => {
    const { org, member, ist } = await mfaPending();
    await client.otps.sms.send({ organization_id: org.organization_id, member_id: member.member_id, intermediate_session_token: ist });
    const code = emu().outbox.latest({ kind: 'sms_otp', to: '+15005550006' })!.code!;
    const wrong = code === '000000' ? '111111' : '000000';
    await apiError(client.otps.sms.authenticate({ organization_id: org.organization_id, member_id: member.member_id, code: wrong, intermediate_session_token: ist }));
    const res = await client.otps.sms.authenticate({ organization_id: org.organization_id, member_id: member.member_id, code, intermediate_session_token: ist });
    expect(res.session_token).not.toBe('');
  });

  it('rejects a send for an unknown member', async () => {
    const { org } = seed();
    await apiError(client.otps.sms.send({ organization_id: org.organization_id, member_id: 'member-test-00000000-0000-4000-8000-000000000000', mfa_phone_number: '+15005550006' }));
  });
});

describe('TOTP and recovery codes', () => {
  it('creates a TOTP registration and authenticates a code, and rejects a wrong code', async () => {
    const { org, member } = seed();
    const { session_token } = emu().admin.createSession({ member_id: member.member_id });
    const created = await client.totps.create({ organization_id: org.organization_id, member_id: member.member_id, session_token });
    expect(created.recovery_codes.length).toBeGreaterThan(0);
    const code = emu().admin.totpCode(created.secret);
    const wrong = code === '000000' ? '111111' : '000000';
    await apiError(client.totps.authenticate({ organization_id: org.organization_id, member_id: member.member_id, code: wrong, session_token }));
    const res = await client.totps.authenticate({ organization_id: org.organization_id, member_id: member.member_id, code, session_token });
    expect(res.member_id).toBe(member.member_id);
  });

  it('rejects a TOTP registration for an unknown member', async () => {
    const { org } = seed();
    await apiError(client.totps.create({ organization_id: org.organization_id, member_id: 'member-test-00000000-0000-4000-8000-000000000000' }));
  });

  it('gets and rotates recovery codes, and recovers with one of them', async () => {
    const { org, member } = seed();
    const { session_token } = emu().admin.createSession({ member_id: member.member_id });
    const created = await client.totps.create({ organization_id: org.organization_id, member_id: member.member_id, session_token });
    await client.totps.authenticate({ organization_id: org.organization_id, member_id: member.member_id, code: emu().admin.totpCode(created.secret), session_token });
    const got = await client.recoveryCodes.get({ organization_id: org.organization_id, member_id: member.member_id });
    expect(got.recovery_codes).toEqual(created.recovery_codes);
    const rotated = await client.recoveryCodes.rotate({ organization_id: org.organization_id, member_id: member.member_id });
    expect(rotated.recovery_codes).not.toEqual(created.recovery_codes);
    const res = await client.recoveryCodes.recover({ organization_id: org.organization_id, member_id: member.member_id, recovery_code: rotated.recovery_codes[0]!, session_token });
    expect(res.recovery_codes_remaining).toBe(rotated.recovery_codes.length - 1);
    await apiError(client.recoveryCodes.recover({ organization_id: org.organization_id, member_id: member.member_id, recovery_code: rotated.recovery_codes[0]!, session_token }));
  });

  it('rejects recovery-code calls for an unknown member', async () => {
    const { org } = seed();
    await apiError(client.recoveryCodes.get({ organization_id: org.organization_id, member_id: 'member-test-00000000-0000-4000-8000-000000000000' }));
    await apiError(client.recoveryCodes.rotate({ organization_id: org.organization_id, member_id: 'member-test-00000000-0000-4000-8000-000000000000' }));
  });
});

describe('discovery', () => {
  async function discoveryIst(email: string): Promise<string> {
    await client.magicLinks.email.discovery.send({ email_address: email });
    const token = emu().outbox.latest({ to: email, kind: 'discovery_magic_link' })!.token!;
    return (await client.magicLinks.discovery.authenticate({ discovery_magic_links_token: token })).intermediate_session_token;
  }

  it('lists organizations for an IST and exchanges it for a session', async () => {
    const { org, email } = seed();
    const ist = await discoveryIst(email);
    const listed = await client.discovery.organizations.list({ intermediate_session_token: ist });
    expect(listed.discovered_organizations.map((d) => d.organization.organization_id)).toContain(org.organization_id);
    const res = await client.discovery.intermediateSessions.exchange({ intermediate_session_token: ist, organization_id: org.organization_id });
    expect(res.member_authenticated).toBe(true);
    await apiError(client.discovery.intermediateSessions.exchange({ intermediate_session_token: ist, organization_id: org.organization_id }));
  });

  it('creates an organization from an IST', async () => {
    const ist = await discoveryIst(`founder${Date.now()}@founders.example`);
    const res = await client.discovery.organizations.create({ intermediate_session_token: ist, organization_name: 'Founded', organization_slug: `founded-${Date.now()}` });
    expect(res.organization.organization_name).toBe('Founded');
    expect(res.member_session?.roles).toContain('stytch_admin');
  });

  it('rejects a bogus IST', async () => {
    await apiError(client.discovery.organizations.list({ intermediate_session_token: 'bogus' }));
    await apiError(client.discovery.organizations.create({ intermediate_session_token: 'bogus', organization_name: 'X' }));
  });
});

describe('organizations', () => {
  it('creates, reads, updates, searches and deletes an organization', async () => {
    const slug = `crud-${Date.now()}`;
    const created = await client.organizations.create({ organization_name: 'Crud', organization_slug: slug });
    const id = created.organization.organization_id;
    expect((await client.organizations.get({ organization_id: id })).organization.organization_slug).toBe(slug);
    expect((await client.organizations.update({ organization_id: id, organization_name: 'Crud 2' })).organization.organization_name).toBe('Crud 2');
    const found = await client.organizations.search({ query: { operator: 'AND', operands: [{ filter_name: 'organization_slugs', filter_value: [slug] }] } });
    expect(found.organizations.map((o) => o.organization_id)).toEqual([id]);
    expect((await client.organizations.delete({ organization_id: id })).organization_id).toBe(id);
    await apiError(client.organizations.get({ organization_id: id }), 404);
  });

  it('rejects a duplicate slug, an unknown organization and a bad search', async () => {
    const { org } = seed();
    await apiError(client.organizations.create({ organization_name: 'Dup', organization_slug: org.organization_slug }));
    await apiError(client.organizations.update({ organization_id: 'organization-test-00000000-0000-4000-8000-000000000000', organization_name: 'X' }));
    await apiError(client.organizations.delete({ organization_id: 'organization-test-00000000-0000-4000-8000-000000000000' }));
    await apiError(client.organizations.search({ limit: -1 }));
  });
});

describe('members', () => {
  it('creates, reads, updates, searches, deletes and reactivates a member', async () => {
    const { org } = seed();
    const email = `crud-member-${n}@example.com`;
    const created = await client.organizations.members.create({ organization_id: org.organization_id, email_address: email, name: 'Crud' });
    const id = created.member_id;
    expect((await client.organizations.members.get({ organization_id: org.organization_id, email_address: email })).member_id).toBe(id);
    expect((await client.organizations.members.update({ organization_id: org.organization_id, member_id: id, name: 'Crud 2' })).member.name).toBe('Crud 2');
    const found = await client.organizations.members.search({ organization_ids: [org.organization_id] });
    expect(found.members.map((m) => m.member_id)).toContain(id);
    expect((await client.organizations.members.delete({ organization_id: org.organization_id, member_id: id })).member_id).toBe(id);
    // A member whose email was never verified cannot be reactivated (reference A11.5).
    expect((await apiError(client.organizations.members.reactivate({ organization_id: org.organization_id, member_id: id }), 400)).errorType).toBe('email_unverified_for_reactivation');
    const { member } = seed();
    await client.organizations.members.delete({ organization_id: member.organization_id, member_id: member.member_id });
    expect((await client.organizations.members.reactivate({ organization_id: member.organization_id, member_id: member.member_id })).member.status).toBe('active');
  });

  it('starts an email update, sending a link to the new address', async () => {
    const { org, member } = seed();
    const to = `moved-${n}@example.com`;
    await client.organizations.members.startEmailUpdate({ organization_id: org.organization_id, member_id: member.member_id, email_address: to });
    expect(emu().outbox.latest({ to })?.kind).toBe('email_update_magic_link');
  });

  it('rejects member calls for unknown members or bad input', async () => {
    const { org, email } = seed();
    const ghost = 'member-test-00000000-0000-4000-8000-000000000000';
    await apiError(client.organizations.members.create({ organization_id: org.organization_id, email_address: email }));
    await apiError(client.organizations.members.get({ organization_id: org.organization_id, member_id: ghost }), 404);
    await apiError(client.organizations.members.update({ organization_id: org.organization_id, member_id: ghost, name: 'x' }));
    await apiError(client.organizations.members.delete({ organization_id: org.organization_id, member_id: ghost }));
    await apiError(client.organizations.members.reactivate({ organization_id: org.organization_id, member_id: ghost }));
    await apiError(client.organizations.members.search({ organization_ids: [] }));
    await apiError(client.organizations.members.startEmailUpdate({ organization_id: org.organization_id, member_id: ghost, email_address: 'x@example.com' }));
  });

  it('removes a member\'s MFA phone and password, and 404s a TOTP that does not exist', async () => {
    const { org, member } = seed({}, { mfa_phone_number: '+15005550142', password: 'a long enough password 43' });
    const phone = await client.organizations.members.deleteMFAPhoneNumber({ organization_id: org.organization_id, member_id: member.member_id });
    expect(phone.member.mfa_phone_number).toBe('');
    const password = await client.organizations.members.deletePassword({ organization_id: org.organization_id, member_password_id: member.member_password_id });
    expect(password.member.member_password_id).toBe('');
    await apiError(client.organizations.members.deleteTOTP({ organization_id: org.organization_id, member_id: member.member_id }), 404);
    await apiError(client.organizations.members.deletePassword({ organization_id: org.organization_id, member_password_id: member.member_password_id }), 404);
  });

  it('unlinks a retired email address, and 404s one that is not retired', async () => {
    const { org, member, email } = seed();
    await client.organizations.members.update({ organization_id: org.organization_id, member_id: member.member_id, email_address: `renamed-${n}@example.com` });
    const res = await client.organizations.members.unlinkRetiredEmail({ organization_id: org.organization_id, member_id: member.member_id, email_address: email });
    expect(res.member.retired_email_addresses).toEqual([]);
    await apiError(client.organizations.members.unlinkRetiredEmail({ organization_id: org.organization_id, member_id: member.member_id, email_address: email }), 404);
  });

  it('runs member calls as a member: an admin may, a plain member is refused with 403 session_authorization_error', async () => {
    const { org, member } = seed({}, { mfa_phone_number: '+15005550143' });
    const admin = emu().admin.createMember(org.organization_id, { email_address: `admin-${n}@example${n}.com`, roles: ['stytch_admin'] });
    const plain = emu().admin.createMember(org.organization_id, { email_address: `plain-${n}@example${n}.com` });
    const asPlain = { authorization: { session_token: emu().admin.createSession({ member_id: plain.member_id }).session_token } };
    const refused = await apiError(client.organizations.members.deleteMFAPhoneNumber({ organization_id: org.organization_id, member_id: member.member_id }, asPlain), 403);
    expect(refused.errorType).toBe('session_authorization_error');
    await apiError(client.sessions.revoke({ member_id: member.member_id }, asPlain), 403);
    const asAdmin = { authorization: { session_jwt: emu().admin.createSession({ member_id: admin.member_id }).session_jwt } };
    await client.organizations.members.deleteMFAPhoneNumber({ organization_id: org.organization_id, member_id: member.member_id }, asAdmin);
    // Revoking one's own sessions needs only stytch.self.
    await client.sessions.revoke({ member_id: plain.member_id }, asPlain);
  });
});

describe('passwords, OAuth and SSO', () => {
  it('authenticates a password, and rejects a wrong one', async () => {
    const { org, email } = seed({}, { password: 'a long enough password 42' });
    const res = await client.passwords.authenticate({ organization_id: org.organization_id, email_address: email, password: 'a long enough password 42' });
    expect(res.member_authenticated).toBe(true);
    await apiError(client.passwords.authenticate({ organization_id: org.organization_id, email_address: email, password: 'wrong password here 42' }));
  });

  it('authenticates an OAuth token once', async () => {
    const { org, email } = seed();
    const token = emu().admin.issueOAuthToken({ email_address: email, organization_id: org.organization_id, provider: 'google' });
    const res = await client.oauth.authenticate({ oauth_token: token });
    expect(res.member_id).toBeTruthy();
    await apiError(client.oauth.authenticate({ oauth_token: token }));
  });

  it('authenticates a discovery OAuth token, and rejects a bogus one', async () => {
    const { email } = seed();
    const token = emu().admin.issueOAuthToken({ email_address: email, provider: 'google' });
    const res = await client.oauth.discovery.authenticate({ discovery_oauth_token: token });
    expect(res.intermediate_session_token).not.toBe('');
    await apiError(client.oauth.discovery.authenticate({ discovery_oauth_token: 'bogus' }));
  });

  it('authenticates an SSO token, and rejects a bogus one', async () => {
    const { member } = seed();
    const token = emu().admin.issueSsoToken({ member_id: member.member_id });
    const res = await client.sso.authenticate({ sso_token: token });
    expect(res.member_id).toBe(member.member_id);
    await apiError(client.sso.authenticate({ sso_token: 'bogus' }));
  });
});
