/**
 * Fault injection across the middleware and every guard (catalogue section 13 and #48-#51):
 * for each way Stytch can misbehave, what a member sees, how many upstream calls it costs, and
 * that a valid session's cookies are never cleared by an outage.
 */
import { describe, expect, it } from 'vitest';
import type { EmulatorFault } from '../../src/emulator/index.js';
import { useEmulator } from '../helpers/emulator.js';
import { headerOf, mintForged, payloadOf } from '../helpers/tokens.js';
import { AUTHENTICATE, AUTHENTICATE_CALLS, callsTo, clearedSessionCookies, closeAppsAfterEach, expiredJwtBrowser, JWT_COOKIE, signedInBrowser, startResilienceApp, TOKEN_COOKIE } from './support.js';
import type { ResilienceApp } from './support.js';

const emu = useEmulator();
let app: ResilienceApp | undefined;
closeAppsAfterEach(emu);

const FAULTS: [string, EmulatorFault, string[]][] = [
  ['is down (503)', { status: 503 }, ['upstream_unavailable']],
  ['answers 500', { status: 500 }, ['upstream_unavailable']],
  ['is slower than the deadline', { delayMs: 1_500 }, ['upstream_timeout']],
  ['never answers', { hang: true }, ['upstream_timeout']],
  ['answers 429 with Retry-After', { status: 429, retryAfterSeconds: 7 }, ['upstream_rate_limited']],
  ['answers malformed JSON', { malformed: true }, ['upstream_bad_response', 'upstream_unavailable']],
  ['drops the connection mid-body', { drop: 'mid_body' }, ['upstream_network', 'upstream_bad_response', 'upstream_unavailable']],
  ['drops the connection before the headers', { drop: 'before_headers' }, ['upstream_network', 'upstream_unavailable']],
];

const GUARDED = ['/api/me', '/api/self', '/api/admin', '/api/fresh'] as const;

/** A browser whose JWT is genuine but expired: the network must decide. */
function expiredBrowser(a: ResilienceApp) {
  return expiredJwtBrowser(emu(), a, { admin: true });
}

describe('guards while sessions/authenticate misbehaves', () => {
  it.each(FAULTS)('when Stytch %s, locally verified members keep access on every guard with 0 upstream calls', async (_name, fault) => {
    app = await startResilienceApp(emu());
    const { browser } = signedInBrowser(emu(), app, { admin: true });
    emu().faults.next(AUTHENTICATE, fault, 100);
    emu().calls.clear();
    for (const path of GUARDED) {
      const res = await browser.get(path);
      expect(res.status, path).toBe(200);
      expect(clearedSessionCookies(res.setCookies)).toEqual([]);
    }
    expect(callsTo(emu(), AUTHENTICATE_CALLS)).toBe(0);
    emu().faults.clear(); // no call met the scripted outage, as none may
  });

  it.each(FAULTS)('when Stytch %s, an expired JWT gets 503 on every guard, one call at most, and keeps its cookies', async (_name, fault, codes) => {
    // A high breaker threshold: this test is about single failures, the breaker has its own file.
    app = await startResilienceApp(emu(), { circuitBreaker: { failureThreshold: 100 } });
    emu().faults.next(AUTHENTICATE, fault, 100);
    for (const path of GUARDED) {
      const { browser } = expiredBrowser(app);
      const before = browser.cookieHeader();
      emu().calls.clear();
      const res = await browser.get(path);
      expect(res.status, path).toBe(503);
      expect(codes).toContain(res.body.error.code);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(clearedSessionCookies(res.setCookies)).toEqual([]);
      expect(browser.cookieHeader()).toBe(before);
      expect(callsTo(emu(), AUTHENTICATE_CALLS)).toBe(1);
      if ('retryAfterSeconds' in fault) {
        expect(res.headers['retry-after']).toBe('7');
        // The 429 opened the breaker for Retry-After; the next guard starts after it.
        emu().clock.advance(8_000);
      }
    }
  });

  it.each(FAULTS)('when Stytch %s, an opaque token alone gets 503 after one call and keeps its cookie', async (_name, fault) => {
    app = await startResilienceApp(emu(), { circuitBreaker: { failureThreshold: 100 } });
    const { browser } = signedInBrowser(emu(), app);
    browser.deleteCookie(JWT_COOKIE);
    emu().faults.next(AUTHENTICATE, fault, 100);
    emu().calls.clear();
    const res = await browser.get('/api/me');
    expect(res.status).toBe(503);
    expect(clearedSessionCookies(res.setCookies)).toEqual([]);
    expect(browser.cookie(TOKEN_COOKIE)).toBeDefined();
    expect(callsTo(emu(), AUTHENTICATE_CALLS)).toBe(1);
  });

  it.each(FAULTS)('when Stytch %s, forged tokens are still 401 with 0 upstream calls', async (_name, fault) => {
    app = await startResilienceApp(emu());
    const { session, browser } = signedInBrowser(emu(), app);
    expect((await browser.get('/api/me')).status).toBe(200); // keys loaded
    emu().faults.next(AUTHENTICATE, fault, 100);
    emu().calls.clear();
    const forged = mintForged({ kid: headerOf(session.session_jwt).kid }, payloadOf(session.session_jwt));
    const attacker = app.browser();
    attacker.setCookie(JWT_COOKIE, forged);
    for (const path of GUARDED) expect((await attacker.get(path)).status, path).toBe(401);
    expect(callsTo(emu(), AUTHENTICATE_CALLS)).toBe(0);
    emu().faults.clear(); // no call met the scripted outage, as none may
  });

  it('after the outage the same expired JWT is refreshed: 200, fresh cookies, one call', async () => {
    app = await startResilienceApp(emu(), { circuitBreaker: { failureThreshold: 100 } });
    const { browser } = expiredBrowser(app);
    emu().faults.next(AUTHENTICATE, { status: 503 }, 1);
    expect((await browser.get('/api/me')).status).toBe(503);
    emu().calls.clear();
    const res = await browser.get('/api/me');
    expect(res.status).toBe(200);
    expect(res.setCookies.some((line) => line.startsWith(`${JWT_COOKIE}=ey`))).toBe(true);
    expect(callsTo(emu(), AUTHENTICATE_CALLS)).toBe(1);
  });

  it('a 429 is never retried before its Retry-After: the next expired JWT waits without an upstream call', async () => {
    app = await startResilienceApp(emu());
    emu().faults.next(AUTHENTICATE, { status: 429, retryAfterSeconds: 20 }, 1);
    expect((await expiredBrowser(app).browser.get('/api/me')).status).toBe(503);
    emu().calls.clear();
    const next = await expiredBrowser(app).browser.get('/api/me');
    expect(next.status).toBe(503);
    expect(Number(next.headers['retry-after'])).toBeGreaterThan(0);
    expect(callsTo(emu(), AUTHENTICATE_CALLS)).toBe(0);
    emu().faults.clear(); // no call met the scripted outage, as none may
    emu().clock.advance(21_000);
    const later = await expiredBrowser(app).browser.get('/api/me');
    expect(later.status).toBe(200);
    expect(callsTo(emu(), AUTHENTICATE_CALLS)).toBe(1);
  });
});

describe('guards while the RBAC policy endpoints are down', () => {
  const POLICY_FAULT = 'GET /v1/b2b/rbac/*';

  it('with nothing cached, permission guards answer 503 while requireAuth still lets the member in', async () => {
    app = await startResilienceApp(emu());
    const { browser } = signedInBrowser(emu(), app, { admin: true });
    emu().faults.next(POLICY_FAULT, { status: 503 }, 100);
    const self = await browser.get('/api/self');
    expect(self.status).toBe(503);
    expect(clearedSessionCookies(self.setCookies)).toEqual([]);
    expect((await browser.get('/api/admin')).status).toBe(503);
    expect((await browser.get('/api/me')).status).toBe(200);
  });

  it('with a cached policy past its TTL, decisions keep coming from the cache: allow stays allow, deny stays deny', async () => {
    app = await startResilienceApp(emu());
    const admin = signedInBrowser(emu(), app, { admin: true });
    const member = signedInBrowser(emu(), app);
    expect((await admin.browser.get('/api/admin')).status).toBe(200);
    expect((await member.browser.get('/api/admin')).status).toBe(403);
    emu().faults.next(POLICY_FAULT, { hang: true }, 100);
    emu().clock.advance(6 * 60_000); // past the 5-minute policy TTL (and the 5-minute JWTs: refreshed over the network)
    emu().calls.clear();
    expect((await admin.browser.get('/api/admin')).status).toBe(200);
    expect((await member.browser.get('/api/admin')).status).toBe(403);
    expect((await member.browser.get('/api/self')).status).toBe(200);
  });

  it('a cold organization policy that times out is a 503, never an allow', async () => {
    app = await startResilienceApp(emu());
    const { browser } = signedInBrowser(emu(), app, { admin: true });
    emu().faults.next('GET /v1/b2b/rbac/organizations/*', { delayMs: 1_500 }, 100);
    const res = await browser.get('/api/admin');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toMatch(/^upstream_|^policy_/);
  });
});
