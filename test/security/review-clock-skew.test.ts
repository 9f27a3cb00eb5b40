/**
 * Adversarial review: a server clock slightly behind Stytch's. A freshly issued, genuine JWT then
 * has `nbf`/`iat` a second "in the future": that must never log out a browser member who also
 * holds the opaque session token (nothing valid is ever logged out, issue 3).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { settleFaults, useEmulator } from '../helpers/emulator.js';
import { clearing, get, newSession, startApp } from '../middleware/support.js';

const emu = useEmulator();
const AUTHENTICATE = 'POST /v1/b2b/sessions/authenticate';
afterEach(() => {
  settleFaults(emu());
});

/** Put the emulator 20 ms into a second, so a JWT minted now has nbf = iat one second past a clock 200 ms behind. */
function startOfSecond(): void {
  emu().clock.set((Math.floor(emu().clock.now() / 1000) + 1) * 1000 + 20);
}

describe('review: clock skew with Stytch', () => {
  it('review: a browser member whose fresh JWT is a second ahead of a lagging server clock stays signed in and keeps their cookies', async () => {
    const app = await startApp(emu(), { now: () => emu().clock.now() - 200 });
    startOfSecond();
    const s = newSession(emu());
    emu().calls.clear();
    const res = await get(`${app.url}/me`, { cookie: `stytch_session_jwt=${s.session_jwt}; stytch_session=${s.session_token}` });
    expect(res.body).toMatchObject({ status: 'signed_in', memberId: s.member_id });
    expect(clearing(res.setCookies, 'stytch_session')).toBeUndefined();
    expect(clearing(res.setCookies, 'stytch_session_jwt')).toBeUndefined();
    // The opaque token decided, over the network, once.
    expect(emu().calls.count(AUTHENTICATE)).toBe(1);
  });

  it('review: the same not-yet-valid JWT alone (no opaque cookie) is still refused with no network call', async () => {
    const app = await startApp(emu(), { now: () => emu().clock.now() - 200 });
    startOfSecond();
    const s = newSession(emu());
    emu().calls.clear();
    const res = await get(`${app.url}/me`, { bearer: s.session_jwt });
    expect(res.body).toEqual({ status: 'signed_out', reason: 'invalid_token' });
    expect(emu().calls.count(AUTHENTICATE)).toBe(0);
  });
});
