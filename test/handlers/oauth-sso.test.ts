import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { resetEmulatorBeforeEach, routeCalls, seedMember, uniqueEmail, useTestApp } from './harness.js';

const emu = useEmulator();
// OAuth and SSO are started by the frontend (or an IdP), outside these routes: PKCE off here.
const app = useTestApp(emu, { routes: { pkce: false } });
const pkceApp = useTestApp(emu);
resetEmulatorBeforeEach(emu);

describe('GET /callback for OAuth and SSO', () => {
  it('logs a member in with an oauth token', async () => {
    const { org, email, member } = seedMember(emu());
    const token = emu().admin.issueOAuthToken({ email_address: email, organization_id: org.organization_id });
    const browser = app.browser();
    const res = await browser.get(`/auth/callback?stytch_token_type=oauth&token=${encodeURIComponent(token)}`);
    expect(res.status).toBe(303);
    expect(res.location).toBe('/dashboard');
    expect(routeCalls(emu())).toEqual(['POST /v1/b2b/oauth/authenticate']);
    expect((await browser.get('/auth/session')).body.memberId).toBe(member.member_id);
  });

  it('logs a member in with an sso token', async () => {
    const { member } = seedMember(emu());
    const token = emu().admin.issueSsoToken({ member_id: member.member_id });
    const browser = app.browser();
    const res = await browser.get(`/auth/callback?stytch_token_type=sso&token=${encodeURIComponent(token)}`);
    expect(res.location).toBe('/dashboard');
    expect(routeCalls(emu())).toEqual(['POST /v1/b2b/sso/authenticate']);
  });

  it('sends a discovery_oauth login to the discovery page with an IST', async () => {
    const email = uniqueEmail('oauth');
    const token = emu().admin.issueOAuthToken({ email_address: email });
    const browser = app.browser();
    const res = await browser.get(`/auth/callback?stytch_token_type=discovery_oauth&token=${encodeURIComponent(token)}`);
    expect(res.location).toBe('/select-org');
    expect(browser.cookie('stytch_intermediate_session_token')).toBeDefined();
    expect(routeCalls(emu())).toEqual(['POST /v1/b2b/oauth/discovery/authenticate']);
  });

  it('refuses a used sso token with 401 and its error_type', async () => {
    const { member } = seedMember(emu());
    const token = emu().admin.issueSsoToken({ member_id: member.member_id });
    await app.browser().get(`/auth/callback?stytch_token_type=sso&token=${encodeURIComponent(token)}`);
    const res = await app.browser().get(`/auth/callback?stytch_token_type=sso&token=${encodeURIComponent(token)}`);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unable_to_auth_sso_token');
  });

  it('catalogue #74: a discovery token on the organization route is refused by Stytch, never retried', async () => {
    const token = emu().admin.issueOAuthToken({ email_address: uniqueEmail('wrong-route') });
    const res = await app.browser().get(`/auth/callback?stytch_token_type=oauth&token=${encodeURIComponent(token)}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(routeCalls(emu())).toEqual(['POST /v1/b2b/oauth/authenticate']);
  });

  it('with PKCE on, an oauth callback without this browser’s verifier is 400 with 0 upstream calls', async () => {
    const { org, email } = seedMember(emu());
    const token = emu().admin.issueOAuthToken({ email_address: email, organization_id: org.organization_id });
    const res = await pkceApp.browser().get(`/auth/callback?stytch_token_type=oauth&token=${encodeURIComponent(token)}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('pkce_verifier_missing');
    expect(routeCalls(emu())).toEqual([]);
  });
});
