/**
 * The JWKS under stress: unavailable when the app starts (nothing cached), and key rotation
 * under concurrent load, including a rotation seen first by another process (a JWT signed by a
 * key this process has not loaded yet, inside its refetch cooldown). Catalogue #36-#41, #45, #48.
 */
import { describe, expect, it } from 'vitest';
import type { EmulatorFault } from '../../src/emulator/index.js';
import { useEmulator } from '../helpers/emulator.js';
import { headerOf, mintForged, payloadOf } from '../helpers/tokens.js';
import { AUTHENTICATE_CALLS, callsTo, clearedSessionCookies, closeAppsAfterEach, JWT_COOKIE, signedInBrowser, startResilienceApp, TOKEN_COOKIE } from './support.js';
import type { ResilienceApp } from './support.js';

const emu = useEmulator();
const JWKS = 'GET /v1/b2b/sessions/jwks/*';
const JWKS_CALLS = /^GET \/v1\/b2b\/sessions\/jwks\//;
let app: ResilienceApp | undefined;
closeAppsAfterEach(emu);

const JWKS_FAULTS: [string, EmulatorFault][] = [
  ['down (503)', { status: 503 }],
  ['hanging', { hang: true }],
  ['slower than the deadline', { delayMs: 1_000 }],
  ['answering malformed JSON', { malformed: true }],
  ['dropping the connection mid-body', { drop: 'mid_body' }],
];

describe('JWKS unavailable when the app starts', () => {
  it.each(JWKS_FAULTS)('JWKS %s: a valid session gets 503 and keeps its cookies; junk is still 401 with no fetch', async (_name, fault) => {
    app = await startResilienceApp(emu());
    emu().faults.next(JWKS, fault, 100);
    const { browser } = signedInBrowser(emu(), app);
    const before = browser.cookieHeader();
    const res = await browser.get('/api/me');
    expect(res.status).toBe(503);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(clearedSessionCookies(res.setCookies)).toEqual([]);
    expect(browser.cookieHeader()).toBe(before);
    emu().calls.clear();
    const junk = app.browser();
    junk.setCookie(JWT_COOKIE, 'not-a-jwt');
    expect((await junk.get('/api/me')).status).toBe(401);
    expect(callsTo(emu(), JWKS_CALLS)).toBe(0);
  });

  it('a well-formed forged token cannot be judged without keys: 503, never 2xx', async () => {
    app = await startResilienceApp(emu());
    emu().faults.next(JWKS, { status: 503 }, 100);
    const { session } = signedInBrowser(emu(), app);
    const forged = app.browser();
    forged.setCookie(JWT_COOKIE, mintForged({ kid: headerOf(session.session_jwt).kid }, payloadOf(session.session_jwt)));
    expect((await forged.get('/api/me')).status).toBe(503);
  });

  it('once the JWKS recovers (after the failure backoff), the same session is let in and forged tokens are 401', async () => {
    app = await startResilienceApp(emu());
    emu().faults.next(JWKS, { status: 503 }, 1);
    const { session, browser } = signedInBrowser(emu(), app);
    expect((await browser.get('/api/me')).status).toBe(503);
    emu().clock.advance(60_000);
    expect((await browser.get('/api/me')).status).toBe(200);
    const forged = app.browser();
    forged.setCookie(JWT_COOKIE, mintForged({ kid: headerOf(session.session_jwt).kid }, payloadOf(session.session_jwt)));
    expect((await forged.get('/api/me')).status).toBe(401);
  });

  it('100 concurrent requests on a cold cache share one JWKS fetch when it fails, and all get 503', async () => {
    app = await startResilienceApp(emu());
    emu().faults.next(JWKS, { delayMs: 1_000 }, 100);
    const browsers = Array.from({ length: 100 }, () => signedInBrowser(emu(), app!).browser);
    emu().calls.clear();
    const answers = await Promise.all(browsers.map((b) => b.get('/api/me')));
    expect(answers.every((r) => r.status === 503)).toBe(true);
    expect(callsTo(emu(), JWKS_CALLS)).toBe(1);
  });
});

describe('key rotation under load', () => {
  it('after a rotation, 50 concurrent members with new-key JWTs are all let in after one JWKS refetch', async () => {
    app = await startResilienceApp(emu());
    expect((await signedInBrowser(emu(), app).browser.get('/api/me')).status).toBe(200);
    emu().admin.rotateKeys({ keepOld: true });
    emu().clock.advance(31_000); // past the 30 s refetch cooldown
    const browsers = Array.from({ length: 50 }, () => signedInBrowser(emu(), app!).browser);
    emu().calls.clear();
    const answers = await Promise.all(browsers.map((b) => b.get('/api/me')));
    expect(answers.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(callsTo(emu(), JWKS_CALLS)).toBe(1);
    expect(callsTo(emu(), AUTHENTICATE_CALLS)).toBe(0);
    emu().faults.clear(); // no call met the scripted outage, as none may
  });

  it('old-key JWTs keep working through a rotation that keeps the old key', async () => {
    app = await startResilienceApp(emu());
    const { browser } = signedInBrowser(emu(), app);
    expect((await browser.get('/api/me')).status).toBe(200);
    emu().admin.rotateKeys({ keepOld: true });
    emu().clock.advance(31_000);
    const res = await browser.get('/api/self');
    expect(res.status).toBe(200);
    expect(clearedSessionCookies(res.setCookies)).toEqual([]);
  });

  it('a rotation seen first elsewhere (new kid inside the refetch cooldown) does not sign a cookie member out: the opaque token decides', async () => {
    app = await startResilienceApp(emu());
    expect((await signedInBrowser(emu(), app).browser.get('/api/me')).status).toBe(200); // keys fetched just now
    emu().admin.rotateKeys({ keepOld: true });
    const browsers = Array.from({ length: 20 }, () => signedInBrowser(emu(), app!).browser);
    emu().calls.clear();
    const answers = await Promise.all(browsers.map((b) => b.get('/api/me')));
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    for (const r of answers) expect(clearedSessionCookies(r.setCookies)).toEqual([]);
    // One network check per session, no JWKS refetch inside the cooldown.
    expect(callsTo(emu(), AUTHENTICATE_CALLS)).toBe(20);
    expect(callsTo(emu(), JWKS_CALLS)).toBe(0);
    // Each browser now holds a fresh JWT that is let in from the cache, with no further call.
    emu().calls.clear();
    expect((await browsers[0]!.get('/api/me')).status).toBe(200);
    expect(callsTo(emu(), AUTHENTICATE_CALLS)).toBe(0);
    emu().faults.clear(); // no call met the scripted outage, as none may
  });

  it('inside the cooldown, a new-kid JWT alone (bearer) is 401 with no upstream call: nothing else can vouch for it', async () => {
    app = await startResilienceApp(emu());
    expect((await signedInBrowser(emu(), app).browser.get('/api/me')).status).toBe(200);
    emu().admin.rotateKeys({ keepOld: true });
    const { session } = signedInBrowser(emu(), app);
    emu().calls.clear();
    const res = await app.browser().get('/api/me', { headers: { authorization: `Bearer ${session.session_jwt}` } });
    expect(res.status).toBe(401);
    expect(emu().calls.count()).toBe(0);
    emu().faults.clear(); // no call met the scripted outage, as none may
  });

  it('a random-kid forgery sent with an unknown opaque token costs one upstream call, is 401 and clears the cookies', async () => {
    app = await startResilienceApp(emu());
    const { session, browser } = signedInBrowser(emu(), app);
    expect((await browser.get('/api/me')).status).toBe(200);
    const attacker = app.browser();
    attacker.setCookie(JWT_COOKIE, mintForged({ kid: 'kid-never-published' }, payloadOf(session.session_jwt)));
    attacker.setCookie(TOKEN_COOKIE, 'Xy'.repeat(22));
    emu().calls.clear();
    const res = await attacker.get('/api/me');
    expect(res.status).toBe(401);
    expect(callsTo(emu(), AUTHENTICATE_CALLS)).toBe(1);
    expect(clearedSessionCookies(res.setCookies).sort()).toEqual([JWT_COOKIE, TOKEN_COOKIE].sort());
    // Replayed: the negative cache answers, no second call.
    emu().calls.clear();
    const again = app.browser();
    again.setCookie(JWT_COOKIE, mintForged({ kid: 'kid-never-published-2' }, payloadOf(session.session_jwt)));
    again.setCookie(TOKEN_COOKIE, 'Xy'.repeat(22));
    expect((await again.get('/api/me')).status).toBe(401);
    expect(callsTo(emu(), AUTHENTICATE_CALLS)).toBe(0);
    emu().faults.clear(); // no call met the scripted outage, as none may
  });

  it('a random-kid forgery next to a victim\'s real opaque token authenticates only as that token\'s own member (one credential decides)', async () => {
    app = await startResilienceApp(emu());
    const victim = signedInBrowser(emu(), app);
    const other = signedInBrowser(emu(), app);
    expect((await victim.browser.get('/api/me')).status).toBe(200);
    const mixed = app.browser();
    mixed.setCookie(JWT_COOKIE, mintForged({ kid: 'kid-never-published' }, payloadOf(other.session.session_jwt)));
    mixed.setCookie(TOKEN_COOKIE, victim.session.session_token);
    const res = await mixed.get('/api/me');
    expect(res.status).toBe(200);
    expect(res.body.memberId).toBe(victim.member.member_id);
  });
});
