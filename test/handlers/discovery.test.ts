import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { linkPath, loginWithDiscoveryLink, resetEmulatorBeforeEach, routeCalls, seedMember, uniqueEmail, useTestApp } from './harness.js';

const emu = useEmulator();
const app = useTestApp(emu);
resetEmulatorBeforeEach(emu);

const IST = 'stytch_intermediate_session_token';

async function discoveringBrowser(email: string) {
  const browser = app.browser();
  const res = await loginWithDiscoveryLink(emu(), browser, email);
  expect(res.location).toBe('/select-org');
  emu().calls.clear();
  return browser;
}

describe('discovery routes', () => {
  it('lists the organizations of the pending login without consuming the IST', async () => {
    const { org, email } = seedMember(emu());
    const browser = await discoveringBrowser(email);
    const res = await browser.get('/auth/discovery/organizations');
    expect(res.status).toBe(200);
    expect(res.body.emailAddress).toBe(email);
    expect(res.body.organizations).toEqual([
      expect.objectContaining({ organizationId: org.organization_id, membershipType: 'active_member', mfaRequired: false }),
    ]);
    expect(res.headers['cache-control']).toContain('no-store');
    expect((await browser.get('/auth/discovery/organizations')).status).toBe(200);
  });

  it('joins an organization: session cookies set, IST cleared, JSON outcome', async () => {
    const { org, email, member } = seedMember(emu());
    const browser = await discoveringBrowser(email);
    const res = await browser.post('/auth/discovery/exchange', { json: { organization_id: org.organization_id } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'authenticated', redirectTo: '/dashboard', memberId: member.member_id, organizationId: org.organization_id });
    expect(browser.cookie(IST)).toBeUndefined();
    expect(browser.cookie('stytch_session')).toBeDefined();
    expect(routeCalls(emu())).toEqual(['POST /v1/b2b/discovery/intermediate_sessions/exchange']);
  });

  it('joins with a form post: 303 to the return_to bound at login start', async () => {
    const { org, email } = seedMember(emu());
    const browser = app.browser();
    await browser.post('/auth/login/email', { json: { email_address: email, return_to: '/projects/42' } });
    await browser.get(linkPath(emu().outbox.latest({ to: email, kind: 'discovery_magic_link' })?.link));
    const res = await browser.post('/auth/discovery/exchange', { form: { organization_id: org.organization_id } });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/projects/42');
  });

  it('sends an exchange into an MFA-required organization to the MFA page with an IST', async () => {
    const { org, email, member } = seedMember(emu(), { mfa: 'required', phone: '+15005550001' });
    const browser = await discoveringBrowser(email);
    const res = await browser.post('/auth/discovery/exchange', { json: { organization_id: org.organization_id } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'mfa_required', redirectTo: '/mfa', memberId: member.member_id });
    expect(browser.cookie(IST)).toBeDefined();
    expect(browser.cookie('stytch_session')).toBeUndefined();
    const mfa = await browser.get('/auth/mfa');
    expect(mfa.body).toMatchObject({ source: 'intermediate_session', organizationId: org.organization_id, sms: { available: true } });
  });

  it('creates an organization and enters it as its admin', async () => {
    const email = uniqueEmail('founder');
    const browser = await discoveringBrowser(email);
    const slug = `new-org-${Date.now().toString(36)}`;
    const res = await browser.post('/auth/discovery/organizations', { json: { organization_name: 'New Org', organization_slug: slug } });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('authenticated');
    expect(emu().admin.getOrganization(slug)?.organization_name).toBe('New Org');
    const session = await browser.get('/auth/session');
    expect(session.body.roles).toContain('stytch_admin');
  });

  it('refuses a malformed organization id or name with 400 and 0 upstream calls', async () => {
    const browser = await discoveringBrowser(uniqueEmail());
    const bad = await browser.post('/auth/discovery/exchange', { json: { organization_id: '../x y' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_organization_id');
    const badName = await browser.post('/auth/discovery/organizations', { json: { organization_name: 'a\nb' } });
    expect(badName.body.error.code).toBe('invalid_organization_name');
    const badSlug = await browser.post('/auth/discovery/organizations', { json: { organization_name: 'Fine', organization_slug: 'no spaces' } });
    expect(badSlug.body.error.code).toBe('invalid_organization_slug');
    expect(routeCalls(emu())).toEqual([]);
  });

  it('catalogue #83: an exchange without an IST cookie is 401 with 0 upstream calls; GET is 405', async () => {
    const res = await app.browser().post('/auth/discovery/exchange', { json: { organization_id: 'organization-test-x' } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('intermediate_session_missing');
    expect((await app.browser().get('/auth/discovery/exchange')).status).toBe(405);
    expect(routeCalls(emu())).toEqual([]);
  });

  it('catalogue #83: an organization the member may not join is passed through as 403', async () => {
    const other = emu().admin.createOrganization({ organization_name: 'Closed' });
    const browser = await discoveringBrowser(uniqueEmail());
    const res = await browser.post('/auth/discovery/exchange', { json: { organization_id: other.organization_id } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('email_jit_provisioning_not_allowed');
  });

  it('catalogue #80: an IST offered in the query, the body or a header is ignored', async () => {
    const { org, email } = seedMember(emu());
    const holder = await discoveringBrowser(email);
    const ist = holder.cookie(IST) ?? '';
    const stranger = app.browser();
    const viaQuery = await stranger.get(`/auth/discovery/organizations?intermediate_session_token=${ist}`);
    const viaBody = await stranger.post('/auth/discovery/exchange', { json: { organization_id: org.organization_id, intermediate_session_token: ist } });
    const viaHeader = await stranger.get('/auth/discovery/organizations', { headers: { 'x-stytch-intermediate-session-token': ist, authorization: `Bearer ${ist}` } });
    for (const res of [viaQuery, viaBody]) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('intermediate_session_missing');
    }
    expect(viaHeader.status).toBe(401);
    expect(routeCalls(emu())).toEqual([]);
  });

  it('catalogue #80: an IST older than 10 minutes is refused by Stytch and its cookie is cleared', async () => {
    const { org, email } = seedMember(emu());
    const browser = await discoveringBrowser(email);
    emu().clock.advance(11 * 60_000);
    const res = await browser.post('/auth/discovery/exchange', { json: { organization_id: org.organization_id } });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('intermediate_session_not_found');
    expect(browser.cookie(IST)).toBeUndefined();
  });

  it('catalogue #80: the IST cannot be used twice', async () => {
    const { org, email } = seedMember(emu());
    const browser = await discoveringBrowser(email);
    const ist = browser.cookie(IST) ?? '';
    expect((await browser.post('/auth/discovery/exchange', { json: { organization_id: org.organization_id } })).status).toBe(200);
    const replay = app.browser();
    replay.setCookie(IST, ist);
    const res = await replay.post('/auth/discovery/exchange', { json: { organization_id: org.organization_id } });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('intermediate_session_not_found');
  });

  it('sends a failed form post back to the login page with ?error=<code>', async () => {
    const res = await app.browser().post('/auth/discovery/exchange', { form: { organization_id: 'organization-test-x' } });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/login?error=intermediate_session_missing');
  });

  it('answers 503 when Stytch is down', async () => {
    const browser = await discoveringBrowser(uniqueEmail());
    emu().faults.next('POST /v1/b2b/discovery/organizations', { status: 500 });
    const res = await browser.get('/auth/discovery/organizations');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('upstream_unavailable');
    expect(browser.cookie(IST)).toBeDefined();
  });
});
