import { describe, expect, it } from 'vitest';
import { logEvent, sanitizeLogValue } from '../../src/session/logger.js';
import { useEmulator } from '../helpers/emulator.js';
import { withClaims } from '../helpers/tokens.js';
import { get, newSession, startApp } from './support.js';

const emu = useEmulator();

describe('observability', () => {
  it('catalogue #97: logs across every path never contain a token', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    const expired = withClaims(emu(), s.session_jwt, (p) => void (p.exp = Math.floor(emu().clock.now() / 1000) - 10));
    const revoked = newSession(emu());
    emu().admin.revokeSession({ member_session_id: revoked.session_id });
    await get(`${app.url}/me`, { bearer: s.session_jwt });
    await get(`${app.url}/me`, { bearer: 'aaa.bbb.ccc' });
    await get(`${app.url}/me`, { cookie: `stytch_session_jwt=${expired}` });
    await get(`${app.url}/me`, { cookie: `stytch_session=${revoked.session_token}` });
    emu().faults.next('POST /v1/b2b/sessions/authenticate', { status: 503 });
    await get(`${app.url}/me`, { cookie: `stytch_session=${s.session_token}` });
    const text = JSON.stringify(app.logs);
    for (const secret of [s.session_jwt, s.session_token, expired, revoked.session_token, emu().secret, s.session_jwt.split('.')[2]!]) {
      expect(text).not.toContain(secret);
    }
    // catalogue #98: the security events themselves are there
    const events = app.logs.map((l) => l.obj.event);
    expect(events).toEqual(expect.arrayContaining(['session_signed_out', 'session_rejected_by_stytch', 'session_undecided']));
  });

  it('counters are readable from the middleware', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    await get(`${app.url}/me`, { bearer: s.session_jwt });
    await get(`${app.url}/me`, { bearer: s.session_jwt });
    await get(`${app.url}/me`, { bearer: 'aaa.bbb.ccc' });
    const refreshed = await get(`${app.url}/me`, { cookie: `stytch_session=${s.session_token}` });
    // The network answer's JWT is cached too: one more entry unless Stytch handed back the same JWT
    // (it re-mints one once a second has passed since the last).
    const jwt = refreshed.setCookies.find((line) => line.startsWith('stytch_session_jwt='))?.split(';')[0]?.slice('stytch_session_jwt='.length);
    expect(jwt).toBeDefined();
    const cachedTokens = jwt === s.session_jwt ? 2 : 3;
    expect(app.auth.metrics()).toEqual({
      localVerifications: 2,
      cacheHits: 1,
      networkAuthentications: 1,
      jwksFetches: 1,
      jwksFetchFailures: 0,
      jwksStaleServed: 0,
      refreshes: 1,
      rejections: { invalid_token: 1 },
      circuit: 'closed',
      verifiedCacheSize: cachedTokens,
      hiddenStartRefusals: {},
    });
  });

  it('the verified-token cache size is reported and never exceeds its bound', async () => {
    const app = await startApp(emu(), { verifiedCacheSize: 2 });
    for (let i = 0; i < 4; i++) expect((await get(`${app.url}/private`, { bearer: newSession(emu()).session_jwt })).status).toBe(200);
    expect(app.auth.metrics()).toMatchObject({ localVerifications: 4, verifiedCacheSize: 2 });
  });

  it('catalogue #97: CR/LF and other controls in logged values are neutralised', () => {
    const seen: Record<string, unknown>[] = [];
    logEvent({ warn: (obj) => seen.push(obj) }, 'warn', 'x', { kid: 'a\r\nforged: line', n: 3 });
    expect(seen[0]).toEqual({ event: 'x', kid: 'a??forged: line', n: 3 });
    expect(sanitizeLogValue('x'.repeat(500)).length).toBeLessThan(210);
  });

  it('a throwing logger never breaks a request', async () => {
    const app = await startApp(emu(), {
      logger: {
        info: () => {
          throw new Error('log sink down');
        },
      },
    });
    expect((await get(`${app.url}/private`, { bearer: 'aaa.bbb.ccc' })).status).toBe(401);
  });
});
