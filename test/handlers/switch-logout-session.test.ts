import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { loginWithMagicLink, resetEmulatorBeforeEach, routeCalls, seedMember, uniqueEmail, useTestApp } from './harness.js';

const emu = useEmulator();
const app = useTestApp(emu);
resetEmulatorBeforeEach(emu);

/** A signed-in browser for a fresh member, plus a second organization the same email belongs to. */
async function signedInWithTwoOrgs(second: { mfa?: 'required'; phone?: string } = {}) {
  const email = uniqueEmail('multi');
  const home = seedMember(emu(), { email });
  const other = seedMember(emu(), { email, ...second });
  const browser = app.browser();
  expect((await loginWithMagicLink(emu(), browser, email, home.org.organization_id)).location).toBe('/dashboard');
  emu().calls.clear();
  return { browser, home, other };
}

describe('POST /switch-organization', () => {
  it('moves the session into another organization of the member with new cookies', async () => {
    const { browser, other } = await signedInWithTwoOrgs();
    const before = browser.cookie('stytch_session');
    const res = await browser.post('/auth/switch-organization', { json: { organization_id: other.org.organization_id } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'authenticated', organizationId: other.org.organization_id, memberId: other.member.member_id });
    expect(browser.cookie('stytch_session')).not.toBe(before);
    expect((await browser.get('/auth/session')).body.organizationId).toBe(other.org.organization_id);
    expect(routeCalls(emu())).toEqual(['POST /v1/b2b/sessions/exchange']);
  });

  it('answers a form post with a 303 to afterLoginUrl', async () => {
    const { browser, other } = await signedInWithTwoOrgs();
    const res = await browser.post('/auth/switch-organization', { form: { organization_id: other.org.organization_id } });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/dashboard');
  });

  it('sends a switch into an MFA-required organization to the MFA page with an IST, keeping the current session', async () => {
    const { browser, other, home } = await signedInWithTwoOrgs({ mfa: 'required', phone: '+15005559901' });
    const res = await browser.post('/auth/switch-organization', { json: { organization_id: other.org.organization_id } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'mfa_required', redirectTo: '/mfa', organizationId: other.org.organization_id });
    expect(browser.cookie('stytch_intermediate_session_token')).toBeDefined();
    expect((await browser.get('/auth/session')).body.organizationId).toBe(home.org.organization_id);
    const mfa = await browser.get('/auth/mfa');
    expect(mfa.body).toMatchObject({ source: 'intermediate_session', organizationId: other.org.organization_id, memberId: other.member.member_id });
  });

  it('is 401 when signed out, with 0 upstream calls', async () => {
    const res = await app.browser().post('/auth/switch-organization', { json: { organization_id: 'organization-test-x' } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
    expect(routeCalls(emu())).toEqual([]);
  });

  it('refuses a malformed organization id with 400 and passes through an organization the member is not in', async () => {
    const { browser } = await signedInWithTwoOrgs();
    const bad = await browser.post('/auth/switch-organization', { json: { organization_id: 'a b' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_organization_id');
    expect(routeCalls(emu())).toEqual([]);
    const stranger = emu().admin.createOrganization({ organization_name: 'Stranger' });
    const res = await browser.post('/auth/switch-organization', { json: { organization_id: stranger.organization_id } });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('member_not_found');
  });
});

describe('POST /logout', () => {
  it('catalogue #69: revokes the session once, clears every owned cookie, and the old token no longer works', async () => {
    const { browser } = await signedInWithTwoOrgs();
    const token = browser.cookie('stytch_session') ?? '';
    browser.setCookie('stytch_intermediate_session_token', 'leftover-ist-value');
    const res = await browser.post('/auth/logout');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toContain('no-store');
    expect(routeCalls(emu())).toEqual(['POST /v1/b2b/sessions/revoke']);
    expect(browser.cookies.size).toBe(0);
    for (const name of ['stytch_session', 'stytch_session_jwt', 'stytch_intermediate_session_token', 'stytch_return_to', 'stytch_mfa_pending', 'stytch_join_pending']) {
      expect(res.setCookies.some((line) => line.startsWith(`${name}=;`))).toBe(true);
    }
    const replay = app.browser();
    replay.setCookie('stytch_session', token);
    expect((await replay.get('/auth/session')).status).toBe(401);
  });

  it('catalogue #69: a form post gets a 303 to afterLogoutUrl or a validated return_to', async () => {
    const { browser } = await signedInWithTwoOrgs();
    const res = await browser.post('/auth/logout', { form: { return_to: '/goodbye' } });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/goodbye');
    const again = await app.browser().post('/auth/logout', { form: { return_to: '//evil.example' } });
    expect(again.location).toBe('/login');
  });

  it('catalogue #69: GET /logout is 405 with Allow: POST and logs nobody out', async () => {
    const { browser } = await signedInWithTwoOrgs();
    const res = await browser.get('/auth/logout');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(browser.cookie('stytch_session')).toBeDefined();
  });

  it('catalogue #70: clears the cookies even when Stytch is down, and logs the failed revoke', async () => {
    const { browser } = await signedInWithTwoOrgs();
    emu().faults.next('POST /v1/b2b/sessions/revoke', { status: 503 });
    const res = await browser.post('/auth/logout');
    expect(res.status).toBe(200);
    expect(browser.cookies.size).toBe(0);
    expect(app.logs.some((l) => l.event === 'stytch.routes.revoke_failed')).toBe(true);
  });

  it('catalogue #70: a hanging revoke does not hold the logout longer than its budget', async () => {
    const { browser } = await signedInWithTwoOrgs();
    emu().faults.next('POST /v1/b2b/sessions/revoke', { hang: true });
    const res = await browser.post('/auth/logout');
    expect(res.status).toBe(200);
    expect(browser.cookies.size).toBe(0);
  });

  it('is harmless when signed out: 204 and 0 upstream calls', async () => {
    const res = await app.browser().post('/auth/logout');
    expect(res.status).toBe(200);
    expect(routeCalls(emu())).toEqual([]);
  });
});

describe('GET /session', () => {
  it('returns the auth object as JSON for a signed-in member, without any token', async () => {
    const { browser, home } = await signedInWithTwoOrgs();
    const res = await browser.get('/auth/session');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toContain('no-store');
    expect(res.body).toMatchObject({
      isAuthenticated: true,
      status: 'signed_in',
      memberId: home.member.member_id,
      organizationId: home.org.organization_id,
      organizationSlug: home.org.organization_slug,
      roles: expect.arrayContaining(['stytch_member']),
      credential: 'jwt_cookie',
    });
    expect(res.text).not.toContain(browser.cookie('stytch_session') ?? 'x');
    expect(res.text).not.toContain(browser.cookie('stytch_session_jwt') ?? 'x');
  });

  it('is 401 unauthenticated when signed out', async () => {
    const res = await app.browser().get('/auth/session');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });
});
