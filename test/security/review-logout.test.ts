/**
 * Adversarial review: logout. A request authenticated by a bearer token that also carries session
 * cookies clears those cookies; the session they hold must then be revoked too, not left alive at
 * Stytch with only the browser's copy gone.
 */
import { describe, expect, it } from 'vitest';
import { callApi, useEmulator } from '../helpers/emulator.js';
import { seedMember, useTestApp } from '../handlers/harness.js';

const emu = useEmulator();
const app = useTestApp(emu);

describe('review: logout with a bearer token and session cookies', () => {
  it('review: the cookie session cleared by a bearer-authenticated logout is revoked as well', async () => {
    const bearerMember = seedMember(emu());
    const cookieMember = seedMember(emu());
    const bearer = emu().admin.createSession({ member_id: bearerMember.member.member_id });
    const cookie = emu().admin.createSession({ member_id: cookieMember.member.member_id });
    const browser = app.browser();
    browser.setCookie('stytch_session_jwt', cookie.session_jwt);
    browser.setCookie('stytch_session', cookie.session_token);

    const res = await browser.post('/auth/logout', { headers: { authorization: `Bearer ${bearer.session_jwt}` } });

    expect(res.status).toBe(200);
    expect(browser.cookie('stytch_session')).toBeUndefined();
    const bearerCheck = await callApi(emu(), 'POST', '/v1/b2b/sessions/authenticate', { session_token: bearer.session_token });
    expect(bearerCheck.status).toBe(404);
    const cookieCheck = await callApi(emu(), 'POST', '/v1/b2b/sessions/authenticate', { session_token: cookie.session_token });
    expect(cookieCheck.status).toBe(404);
    expect(cookieCheck.body.error_type).toBe('session_not_found');
  });
});
