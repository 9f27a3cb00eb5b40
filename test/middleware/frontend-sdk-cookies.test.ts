/**
 * `stytchAuth({ cookies: { mode: 'frontend-sdk' } })`: Stytch's frontend SDK owns the session
 * cookies. The middleware reads them and never writes or clears them on its own; the session
 * cookies the server writes on purpose (login, logout through the routes) carry no HttpOnly, as
 * the SDK writes them, so the SDK can read and replace them.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { stytchAuth } from '../../src/index.js';
import { useEmulator } from '../helpers/emulator.js';
import { loginWithMagicLink, resetEmulatorBeforeEach, seedMember, useTestApp } from '../handlers/harness.js';

const emu = useEmulator();
resetEmulatorBeforeEach(emu);
const sdkApp = useTestApp(emu, { auth: { cookies: { mode: 'frontend-sdk' } } });
const serverApp = useTestApp(emu);

const sessionLines = (lines: string[]) => lines.filter((l) => /^stytch_session(_jwt)?=/.test(l));

describe("cookies.mode 'frontend-sdk'", () => {
  it('keeps a member signed in across a server-side refresh of an expired JWT, and writes no cookie', async () => {
    const { member } = seedMember(emu());
    const { session_token, session_jwt } = emu().admin.createSession({ member_id: member.member_id });
    const browser = sdkApp.browser();
    // What the frontend SDK leaves in the browser.
    browser.setCookie('stytch_session', session_token);
    browser.setCookie('stytch_session_jwt', session_jwt);

    const fresh = await browser.get('/auth/session');
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ memberId: member.member_id, verifiedBy: 'local_jwt' });

    emu().clock.advance(6 * 60_000); // session JWTs live 5 minutes
    const refreshed = await browser.get('/auth/session');
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toMatchObject({ memberId: member.member_id, verifiedBy: 'network' });
    expect(emu().calls.count('POST /v1/b2b/sessions/authenticate')).toBe(1);
    expect(refreshed.setCookies).toEqual([]);
    // The SDK's own cookies are untouched, so its next refresh can replace them.
    expect(browser.cookie('stytch_session_jwt')).toBe(session_jwt);
    expect((await browser.get('/auth/session')).status).toBe(200);
  });

  it('does the same refresh in the default mode by writing HttpOnly cookies (the SDK could not replace them)', async () => {
    const { member } = seedMember(emu());
    const { session_token, session_jwt } = emu().admin.createSession({ member_id: member.member_id });
    const browser = serverApp.browser();
    browser.setCookie('stytch_session', session_token);
    browser.setCookie('stytch_session_jwt', session_jwt);
    emu().clock.advance(6 * 60_000);
    const refreshed = await browser.get('/auth/session');
    expect(refreshed.status).toBe(200);
    const lines = sessionLines(refreshed.setCookies);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/; HttpOnly/i);
  });

  it('never clears a session cookie it cannot use: the member is signed out, the cookies stay with the SDK', async () => {
    const browser = sdkApp.browser();
    browser.setCookie('stytch_session_jwt', 'not-a-jwt');
    const answer = await browser.get('/auth/session');
    expect(answer.status).toBe(401);
    expect(answer.setCookies).toEqual([]);
    expect(browser.cookie('stytch_session_jwt')).toBe('not-a-jwt');
  });

  it('writes the session cookies of a login through the routes without HttpOnly, and keeps the login cookies HttpOnly', async () => {
    const { org, email } = seedMember(emu());
    const browser = sdkApp.browser();
    const start = await browser.post('/auth/login/email', { json: { email_address: email, organization_id: org.organization_id } });
    for (const line of start.setCookies) expect(line).toMatch(/; HttpOnly/i);
    const callback = await loginWithMagicLink(emu(), browser, email, org.organization_id);
    expect(callback.location).toBe('/dashboard');
    const written = sessionLines(callback.setCookies).filter((l) => !/Max-Age=0/i.test(l));
    expect(written).toHaveLength(2);
    for (const line of written) {
      expect(line).not.toMatch(/HttpOnly/i);
      expect(line).toMatch(/; Path=\/; /);
      expect(line).toMatch(/SameSite=Lax/i);
    }
    expect((await browser.get('/auth/session')).status).toBe(200);

    const out = await browser.post('/auth/logout', { json: {} });
    const cleared = sessionLines(out.setCookies);
    expect(cleared).toHaveLength(2);
    for (const line of cleared) expect(line).toMatch(/Max-Age=0/i);
    expect(browser.cookie('stytch_session')).toBeUndefined();
  });

  it("refuses an unknown mode, naming the option", () => {
    const make = (mode: unknown) => () => stytchAuth({ projectId: 'project-test-x', secret: 'secret-test-x', env: {}, cookies: { mode: mode as 'server' } });
    expect(make('frontend')).toThrow(ConfigError);
    expect(make('frontend')).toThrow(/cookies\.mode/);
    expect(() => stytchAuth({ projectId: 'project-test-x', secret: 'secret-test-x', env: {}, cookies: { mdoe: 'frontend-sdk' } as never })).toThrow(/Did you mean "cookies\.mode"/);
  });
});
