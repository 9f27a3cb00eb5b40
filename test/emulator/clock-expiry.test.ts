import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { callApi, expectOk, expectStytchError, newEmail, newOrg, sendLoginLink } from './support.js';

const emu = useEmulator({ redirectUrls: { login: 'http://localhost:3000/authenticate', signup: 'http://localhost:3000/welcome' } });

const authenticateLink = (token: string) => callApi(emu(), 'POST', '/v1/b2b/magic_links/authenticate', { magic_links_token: token });

describe('magic links and the clock', () => {
  it('accepts a login link within 60 minutes', async () => {
    const e = emu();
    const org = newOrg(e);
    const email = newEmail();
    e.admin.createMember(org.organization_id, { email_address: email, status: 'active' });
    const token = await sendLoginLink(e, org.organization_id, email);
    e.clock.advance(59 * 60_000);
    expect(expectOk(await authenticateLink(token)).member_authenticated).toBe(true);
  });

  it('expires a login link after 60 minutes with 401 unable_to_auth_magic_link', async () => {
    const e = emu();
    const org = newOrg(e);
    const email = newEmail();
    e.admin.createMember(org.organization_id, { email_address: email, status: 'active' });
    const token = await sendLoginLink(e, org.organization_id, email);
    e.clock.advance(61 * 60_000);
    expectStytchError(await authenticateLink(token), 401, 'unable_to_auth_magic_link');
  });

  it('honours login_expiration_minutes', async () => {
    const e = emu();
    const org = newOrg(e);
    const email = newEmail();
    e.admin.createMember(org.organization_id, { email_address: email, status: 'active' });
    expectOk(await callApi(e, 'POST', '/v1/b2b/magic_links/email/login_or_signup', { organization_id: org.organization_id, email_address: email, login_expiration_minutes: 5 }));
    const token = e.outbox.latest({ to: email })!.token!;
    e.clock.advance(6 * 60_000);
    expectStytchError(await authenticateLink(token), 401, 'unable_to_auth_magic_link');
  });

  it('makes a link single use', async () => {
    const e = emu();
    const org = newOrg(e);
    const email = newEmail();
    e.admin.createMember(org.organization_id, { email_address: email, status: 'active' });
    const token = await sendLoginLink(e, org.organization_id, email);
    expectOk(await authenticateLink(token));
    expectStytchError(await authenticateLink(token), 401, 'unable_to_auth_magic_link');
  });

  it('answers 404 magic_link_not_found for a token it never issued', async () => {
    expectStytchError(await authenticateLink('never-issued-token-0000000000000000000000000'), 404, 'magic_link_not_found');
  });

  it('links to the default login redirect URL with the B2B token type, and to the request URL when given', async () => {
    const e = emu();
    const org = newOrg(e);
    const email = newEmail();
    e.admin.createMember(org.organization_id, { email_address: email, status: 'active' });
    await sendLoginLink(e, org.organization_id, email);
    const msg = e.outbox.latest({ to: email })!;
    expect(msg.kind).toBe('login_magic_link');
    expect(msg.organizationId).toBe(org.organization_id);
    const link = new URL(msg.link!);
    expect(`${link.origin}${link.pathname}`).toBe('http://localhost:3000/authenticate');
    expect(link.searchParams.get('stytch_token_type')).toBe('multi_tenant_magic_links');
    expect(link.searchParams.get('token')).toBe(msg.token);

    expectOk(
      await callApi(e, 'POST', '/v1/b2b/magic_links/email/login_or_signup', {
        organization_id: org.organization_id,
        email_address: email,
        login_redirect_url: 'http://localhost:4000/cb?keep=1',
      }),
    );
    const custom = new URL(e.outbox.latest({ to: email })!.link!);
    expect(`${custom.origin}${custom.pathname}`).toBe('http://localhost:4000/cb');
    expect(custom.searchParams.get('keep')).toBe('1');
    expect(custom.searchParams.get('stytch_token_type')).toBe('multi_tenant_magic_links');
  });

  it('signs up a new member as pending and activates it on authenticate', async () => {
    const e = emu();
    const org = newOrg(e, { email_jit_provisioning: 'RESTRICTED', email_allowed_domains: ['example.com'] });
    const email = newEmail('newcomer');
    const sent = expectOk(await callApi(e, 'POST', '/v1/b2b/magic_links/email/login_or_signup', { organization_id: org.organization_id, email_address: email }));
    expect(sent.member_created).toBe(true);
    expect(sent.member.status).toBe('pending');
    const msg = e.outbox.latest({ to: email })!;
    expect(msg.kind).toBe('signup_magic_link');
    expect(new URL(msg.link!).pathname).toBe('/welcome');
    const done = expectOk(await authenticateLink(msg.token!));
    expect(done.member.status).toBe('active');
    expect(done.member.email_address_verified).toBe(true);
  });
});

describe('email OTP and the clock', () => {
  async function sendCode(orgId: string, email: string) {
    expectOk(await callApi(emu(), 'POST', '/v1/b2b/otps/email/login_or_signup', { organization_id: orgId, email_address: email }));
    const msg = emu().outbox.latest({ to: email, kind: 'email_otp' });
    expect(msg?.code).toMatch(/^\d{6}$/u);
    return msg!.code!;
  }

  it('logs in with the emailed code and records an email_otp factor', async () => {
    const e = emu();
    const org = newOrg(e);
    const email = newEmail();
    e.admin.createMember(org.organization_id, { email_address: email, status: 'active' });
    const code = await sendCode(org.organization_id, email);
    const res = expectOk(await callApi(e, 'POST', '/v1/b2b/otps/email/authenticate', { organization_id: org.organization_id, email_address: email, code }));
    expect(res.member_authenticated).toBe(true);
    expect(res.member_session.authentication_factors[0]).toMatchObject({ type: 'email_otp', delivery_method: 'email' });
  });

  it('expires the code after 10 minutes', async () => {
    const e = emu();
    const org = newOrg(e);
    const email = newEmail();
    e.admin.createMember(org.organization_id, { email_address: email, status: 'active' });
    const code = await sendCode(org.organization_id, email);
    e.clock.advance(10 * 60_000 + 1_000);
    const res = await callApi(e, 'POST', '/v1/b2b/otps/email/authenticate', { organization_id: org.organization_id, email_address: email, code });
    expectStytchError(res, 401, 'unable_to_auth_otp_code');
  });
});

describe('intermediate session tokens and the clock', () => {
  it('expires an IST after 10 minutes (404 intermediate_session_not_found)', async () => {
    const e = emu();
    const org = newOrg(e);
    const email = newEmail();
    e.admin.createMember(org.organization_id, { email_address: email, status: 'active' });
    expectOk(await callApi(e, 'POST', '/v1/b2b/magic_links/email/discovery/send', { email_address: email }));
    const found = expectOk(
      await callApi(e, 'POST', '/v1/b2b/magic_links/discovery/authenticate', { discovery_magic_links_token: e.outbox.latest({ to: email })!.token }),
    );
    e.clock.advance(10 * 60_000 + 1_000);
    const res = await callApi(e, 'POST', '/v1/b2b/discovery/intermediate_sessions/exchange', {
      intermediate_session_token: found.intermediate_session_token,
      organization_id: org.organization_id,
    });
    expectStytchError(res, 404, 'intermediate_session_not_found');
  });

  it('moves through the clock API: set and advance', () => {
    const e = emu();
    const t = Date.UTC(2040, 0, 1);
    e.clock.set(t);
    expect(e.clock.now()).toBeGreaterThanOrEqual(t);
    expect(e.clock.now()).toBeLessThan(t + 5_000);
    e.clock.advance(3_600_000);
    expect(e.clock.now()).toBeGreaterThanOrEqual(t + 3_600_000);
  });
});
