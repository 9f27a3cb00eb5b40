/**
 * Security review, weakness 2: a logout whose revoke failed must still hold. Before the fix, a
 * 503 from sessions/revoke left the session usable: the old opaque token replayed on the next
 * request was accepted (opaque tokens went to the network without consulting the deny list) and
 * was even sent fresh cookies, and the revoke was never retried.
 */
import { describe, expect, it } from 'vitest';
import { callApi, useEmulator } from '../helpers/emulator.js';
import { seedMember, useTestApp } from '../handlers/harness.js';

const emu = useEmulator();
const app = useTestApp(emu);
const REVOKE = 'POST /v1/b2b/sessions/revoke';

async function until(check: () => Promise<boolean>, deadlineMs: number): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

describe('security: logout holds when Stytch fails', () => {
  it('weakness 2: after a logout whose revoke failed, the old opaque token is refused in this process and gets no fresh cookies', async () => {
    const { member } = seedMember(emu());
    const session = emu().admin.createSession({ member_id: member.member_id });
    const browser = app.browser();
    browser.setCookie('stytch_session', session.session_token);
    expect((await browser.get('/auth/session')).status).toBe(200);

    emu().faults.next(REVOKE, { status: 503 });
    const out = await browser.post('/auth/logout');
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ status: 'signed_out', revocation: 'pending' });
    expect(browser.cookie('stytch_session')).toBeUndefined();

    // Still alive at Stytch for now (the revoke failed), but refused here.
    const replay = app.browser();
    replay.setCookie('stytch_session', session.session_token);
    const res = await replay.get('/auth/session');
    expect(res.status).toBe(401);
    expect(res.setCookies.some((line) => /^stytch_session(_jwt)?=[^;]/.test(line))).toBe(false);

    const jwtReplay = app.browser();
    jwtReplay.setCookie('stytch_session_jwt', session.session_jwt);
    expect((await jwtReplay.get('/auth/session')).status).toBe(401);
  });

  it('weakness 2: the failed revoke is retried in the background until Stytch confirms', async () => {
    const { member } = seedMember(emu());
    const session = emu().admin.createSession({ member_id: member.member_id });
    const browser = app.browser();
    browser.setCookie('stytch_session', session.session_token);
    emu().faults.next(REVOKE, { status: 503 });
    expect((await browser.post('/auth/logout')).body.revocation).toBe('pending');
    const gone = await until(async () => (await callApi(emu(), 'POST', '/v1/b2b/sessions/authenticate', { session_token: session.session_token })).status === 404, 10_000);
    expect(gone).toBe(true);
  });

  it('a logout whose revoke succeeded says so', async () => {
    const { member } = seedMember(emu());
    const session = emu().admin.createSession({ member_id: member.member_id });
    const browser = app.browser();
    browser.setCookie('stytch_session', session.session_token);
    expect((await browser.post('/auth/logout')).body).toEqual({ status: 'signed_out', revocation: 'confirmed' });
  });

  it('a form logout whose revoke is pending says so on the page it lands on', async () => {
    const { member } = seedMember(emu());
    const session = emu().admin.createSession({ member_id: member.member_id });
    const browser = app.browser();
    browser.setCookie('stytch_session', session.session_token);
    emu().faults.next(REVOKE, { status: 503 });
    const res = await browser.post('/auth/logout', { form: {} });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/login?revocation=pending');
  });
});
