import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import type { JsonBody } from '../helpers/emulator.js';
import { callApi, expectOk, expectStytchError, newEmail, newOrg } from './support.js';

const emu = useEmulator({ redirectUrls: { discovery: 'http://localhost:3000/discover' } });

/** Sends a discovery magic link and authenticates it; returns the discovery response. */
async function discover(email: string) {
  const e = emu();
  expectOk(await callApi(e, 'POST', '/v1/b2b/magic_links/email/discovery/send', { email_address: email }));
  const msg = e.outbox.latest({ to: email, kind: 'discovery_magic_link' });
  expect(msg?.token).toBeTypeOf('string');
  return expectOk(await callApi(e, 'POST', '/v1/b2b/magic_links/discovery/authenticate', { discovery_magic_links_token: msg!.token }));
}

describe('discovery by magic link', () => {
  it('emails a link to the default discovery redirect URL with stytch_token_type=discovery', async () => {
    const e = emu();
    const email = newEmail();
    expectOk(await callApi(e, 'POST', '/v1/b2b/magic_links/email/discovery/send', { email_address: email }));
    const msg = e.outbox.latest({ to: email })!;
    expect(msg.kind).toBe('discovery_magic_link');
    expect(msg.channel).toBe('email');
    const link = new URL(msg.link!);
    expect(`${link.origin}${link.pathname}`).toBe('http://localhost:3000/discover');
    expect(link.searchParams.get('stytch_token_type')).toBe('discovery');
    expect(link.searchParams.get('token')).toBe(msg.token);
  });

  it('lists the organizations the email belongs to and exchanges the IST into one', async () => {
    const e = emu();
    const email = newEmail();
    const org = newOrg(e);
    const member = e.admin.createMember(org.organization_id, { email_address: email, status: 'active' });
    const found = await discover(email);
    expect(found.email_address).toBe(email);
    expect(found.intermediate_session_token).toMatch(/.{10,}/u);
    const entry = (found.discovered_organizations as JsonBody[]).find((d) => d.organization.organization_id === org.organization_id);
    expect(entry?.membership?.type).toBe('active_member');
    expect(entry?.membership?.member?.member_id).toBe(member.member_id);

    // Listing does not consume the IST (reference 5.12).
    const listed = expectOk(await callApi(e, 'POST', '/v1/b2b/discovery/organizations', { intermediate_session_token: found.intermediate_session_token }));
    expect((listed.discovered_organizations as JsonBody[]).map((d) => d.organization.organization_id)).toContain(org.organization_id);

    const exchanged = expectOk(
      await callApi(e, 'POST', '/v1/b2b/discovery/intermediate_sessions/exchange', {
        intermediate_session_token: found.intermediate_session_token,
        organization_id: org.organization_id,
      }),
    );
    expect(exchanged.member_authenticated).toBe(true);
    expect(exchanged.member_session.member_id).toBe(member.member_id);
    expect(exchanged.member_session.organization_id).toBe(org.organization_id);
    expect(exchanged.member_session.authentication_factors.map((f: JsonBody) => f.type)).toContain('magic_link');
  });

  it('consumes the IST on exchange (a second exchange is 404 intermediate_session_not_found)', async () => {
    const e = emu();
    const email = newEmail();
    const org = newOrg(e);
    e.admin.createMember(org.organization_id, { email_address: email, status: 'active' });
    const found = await discover(email);
    const body = { intermediate_session_token: found.intermediate_session_token, organization_id: org.organization_id };
    expectOk(await callApi(e, 'POST', '/v1/b2b/discovery/intermediate_sessions/exchange', body));
    expectStytchError(await callApi(e, 'POST', '/v1/b2b/discovery/intermediate_sessions/exchange', body), 404, 'intermediate_session_not_found');
  });

  it('refuses to reuse a discovery magic link', async () => {
    const e = emu();
    const email = newEmail();
    expectOk(await callApi(e, 'POST', '/v1/b2b/magic_links/email/discovery/send', { email_address: email }));
    const token = e.outbox.latest({ to: email })!.token!;
    expectOk(await callApi(e, 'POST', '/v1/b2b/magic_links/discovery/authenticate', { discovery_magic_links_token: token }));
    const again = await callApi(e, 'POST', '/v1/b2b/magic_links/discovery/authenticate', { discovery_magic_links_token: token });
    expectStytchError(again, 401, 'unable_to_auth_magic_link');
  });

  it('exchanging into an MFA-required organization returns an IST and mfa_required', async () => {
    const e = emu();
    const email = newEmail();
    const org = newOrg(e, { mfa_policy: 'REQUIRED_FOR_ALL' });
    e.admin.createMember(org.organization_id, { email_address: email, status: 'active' });
    const found = await discover(email);
    const res = expectOk(
      await callApi(e, 'POST', '/v1/b2b/discovery/intermediate_sessions/exchange', {
        intermediate_session_token: found.intermediate_session_token,
        organization_id: org.organization_id,
      }),
    );
    expect(res.member_authenticated).toBe(false);
    expect(res.session_jwt).toBe('');
    expect(res.intermediate_session_token).toMatch(/.{10,}/u);
    expect(res.mfa_required).not.toBeNull();
  });
});

describe('discovery organization creation', () => {
  it('creates the organization and makes the creator a stytch_admin with a session', async () => {
    const e = emu();
    const email = newEmail('founder');
    const found = await discover(email);
    expect(found.discovered_organizations).toEqual([]);
    const slug = `new-${Date.now().toString(36)}`;
    const created = expectOk(
      await callApi(e, 'POST', '/v1/b2b/discovery/organizations/create', {
        intermediate_session_token: found.intermediate_session_token,
        organization_name: 'Founded Inc',
        organization_slug: slug,
      }),
    );
    expect(created.member_authenticated).toBe(true);
    expect(created.organization.organization_slug).toBe(slug);
    expect(created.organization.organization_id).toMatch(/^organization-test-/u);
    expect(created.member.email_address).toBe(email);
    expect(created.member.is_admin).toBe(true);
    expect(created.member.roles.map((r: JsonBody) => r.role_id)).toContain('stytch_admin');
    expect(created.member_session.roles).toEqual(expect.arrayContaining(['stytch_admin', 'stytch_member']));
    expect(e.admin.getOrganization(slug)?.organization_id).toBe(created.organization.organization_id);
  });

  it('asks for MFA enrolment when the new organization requires MFA', async () => {
    const e = emu();
    const found = await discover(newEmail('founder'));
    const created = expectOk(
      await callApi(e, 'POST', '/v1/b2b/discovery/organizations/create', {
        intermediate_session_token: found.intermediate_session_token,
        organization_name: 'Strict Inc',
        organization_slug: `strict-${Date.now().toString(36)}`,
        mfa_policy: 'REQUIRED_FOR_ALL',
      }),
    );
    expect(created.member_authenticated).toBe(false);
    expect(created.session_token).toBe('');
    expect(created.intermediate_session_token).toMatch(/.{10,}/u);
    expect(created.mfa_required).not.toBeNull();
  });

  it('refuses a slug that is already used', async () => {
    const e = emu();
    const taken = newOrg(e);
    const found = await discover(newEmail('founder'));
    const res = await callApi(e, 'POST', '/v1/b2b/discovery/organizations/create', {
      intermediate_session_token: found.intermediate_session_token,
      organization_name: 'Copycat',
      organization_slug: taken.organization_slug,
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expectStytchError(res, res.status, 'organization_slug_already_used');
  });
});
