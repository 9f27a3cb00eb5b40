/**
 * Catalogue cases that no other suite names: session credentials in the IST slot (#33), partial
 * authentication (#34), MFA completion rotating the session (#82), CSRF without a forgeable
 * double-submit pair (#88), uniform failures (#96) and security-event logging (#98).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { settleFaults, useEmulator } from '../helpers/emulator.js';
import { flipBit, headerOf, mintAlgNone, mintForged, payloadOf, resign } from '../helpers/tokens.js';
import { callsTo, IST_COOKIE, JWT_COOKIE, linkPath, seed, signedInBrowser, startResilienceApp, TOKEN_COOKIE } from '../resilience/support.js';
import type { ResilienceApp } from '../resilience/support.js';

const emu = useEmulator();
let app: ResilienceApp;
beforeAll(async () => {
  app = await startResilienceApp(emu(), { circuitBreaker: { failureThreshold: 2, coolOffMs: 30_000 }, jwks: { timeoutMs: 300, maxAgeMs: 60_000 } });
});
afterAll(async () => {
  await app.close();
});
beforeEach(() => {
  emu().faults.clear();
  emu().calls.clear();
});
afterEach(() => settleFaults(emu()));

let phone = 4000;
const newPhone = () => `+1500555${String(++phone).padStart(4, '0')}`;

/** A browser stopped at the MFA step (magic link done, SMS code sent by Stytch). */
async function pendingMfa() {
  const s = seed(emu(), { mfa: true, phone: newPhone() });
  const browser = app.browser();
  expect((await browser.post('/auth/login/email', { json: { email_address: s.email, organization_id: s.org.organization_id } })).status).toBe(202);
  const back = await browser.get(linkPath(emu().outbox.latest({ to: s.email })?.link));
  return { ...s, browser, back };
}

function smsCode(memberId: string): string {
  const code = emu().outbox.list().filter((m) => m.kind === 'sms_otp' && m.memberId === memberId).at(-1)?.code;
  if (code === undefined) throw new Error('no SMS code');
  return code;
}

const sessionCookieLines = (lines: string[]) => lines.filter((l) => l.startsWith(`${JWT_COOKIE}=`) || l.startsWith(`${TOKEN_COOKIE}=`));

describe('catalogue #33: session credentials in the IST slot', () => {
  it('catalogue #33: a signed-in member without an IST cannot use the IST-only routes, and no upstream call is made', async () => {
    const { browser, org } = signedInBrowser(emu(), app);
    emu().calls.clear();
    const exchange = await browser.post('/auth/discovery/exchange', { json: { organization_id: org.organization_id } });
    expect(exchange.status).toBe(401);
    expect(exchange.body.error.code).toBe('intermediate_session_missing');
    const list = await browser.get('/auth/discovery/organizations');
    expect(list.status).toBe(401);
    expect(callsTo(emu(), /discovery|intermediate/)).toBe(0);
  });

  it('catalogue #33: a session token or JWT planted in the IST cookie never yields a session and is never sent as a session credential', async () => {
    const { session } = signedInBrowser(emu(), app);
    for (const planted of [session.session_token, session.session_jwt]) {
      const browser = app.browser();
      browser.setCookie(IST_COOKIE, planted);
      emu().calls.clear();
      const res = await browser.get('/auth/discovery/organizations');
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(sessionCookieLines(res.setCookies).filter((l) => !/max-age=0/i.test(l))).toEqual([]);
      expect(callsTo(emu(), /sessions\/(authenticate|exchange)$/)).toBe(0);
    }
  });

  it('catalogue #33: a session JWT in the IST cookie of a pending MFA step is refused by Stytch and sets no session', async () => {
    const { browser, member } = await pendingMfa();
    const { session } = signedInBrowser(emu(), app);
    browser.setCookie(IST_COOKIE, session.session_jwt);
    const res = await browser.post('/auth/mfa/sms/authenticate', { json: { code: smsCode(member.member_id) } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(browser.cookie(JWT_COOKIE)).toBeUndefined();
    expect(browser.cookie(TOKEN_COOKIE)).toBeUndefined();
  });
});

describe('catalogue #34: partial authentication', () => {
  it('catalogue #34: a magic link that still needs MFA sets only the IST (HttpOnly, SameSite, <= 10 min), no session cookie, and protected routes stay 401', async () => {
    const { browser, back } = await pendingMfa();
    expect(back.status).toBe(303);
    expect(back.location).toBe('/mfa');
    expect(sessionCookieLines(back.setCookies).filter((l) => !/max-age=0/i.test(l))).toEqual([]);
    const ist = back.setCookies.find((l) => l.startsWith(`${IST_COOKIE}=`));
    expect(ist).toBeDefined();
    expect(ist).toMatch(/;\s*HttpOnly/i);
    expect(ist).toMatch(/;\s*SameSite=(Lax|Strict)/i);
    const maxAge = Number(/max-age=(\d+)/i.exec(ist!)?.[1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(600);
    for (const path of ['/api/me', '/api/self', '/api/fresh']) expect((await browser.get(path)).status, path).toBe(401);
  });
});

describe('catalogue #82: MFA completion rotates the session', () => {
  it('catalogue #82: completing MFA sets new session cookies, clears the IST, and never reuses a session cookie held before', async () => {
    const { browser, member } = await pendingMfa();
    const old = emu().admin.createSession({ member_id: member.member_id });
    browser.setCookie(JWT_COOKIE, old.session_jwt);
    browser.setCookie(TOKEN_COOKIE, old.session_token);
    const done = await browser.post('/auth/mfa/sms/authenticate', { json: { code: smsCode(member.member_id) } });
    expect(done.status).toBe(200);
    expect(browser.cookie(JWT_COOKIE)).toBeDefined();
    expect(browser.cookie(JWT_COOKIE)).not.toBe(old.session_jwt);
    expect(browser.cookie(TOKEN_COOKIE)).not.toBe(old.session_token);
    expect(browser.cookie(IST_COOKIE)).toBeUndefined();
    const newSessionId = (payloadOf(browser.cookie(JWT_COOKIE)!)['https://stytch.com/session'] as { id: string }).id;
    expect(newSessionId).not.toBe(old.member_session.member_session_id);
    const me = await browser.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body.memberId).toBe(member.member_id);
  });
});

describe('catalogue #88: no forgeable double-submit pair', () => {
  it('catalogue #88: a planted CSRF cookie with a matching header grants nothing: the origin decides, 403 with 0 upstream calls', async () => {
    const s = signedInBrowser(emu(), app, { orgs: 2 });
    s.browser.setCookie('csrf_token', 'planted');
    s.browser.setCookie('__Host-csrf', 'planted');
    emu().calls.clear();
    const body = { json: { organization_id: s.orgs[1]!.organization_id }, headers: { 'x-csrf-token': 'planted', 'csrf-token': 'planted' } };
    expect((await s.browser.post('/auth/switch-organization', { ...body, origin: 'https://evil.example' })).status).toBe(403);
    expect((await s.browser.post('/auth/switch-organization', { ...body, origin: null })).status).toBe(403);
    expect((await s.browser.post('/auth/switch-organization', { ...body, origin: null, headers: { ...body.headers, 'sec-fetch-site': 'same-site' } })).status).toBe(403);
    expect(callsTo(emu(), /sessions\/exchange$/)).toBe(0);
  });
});

describe('catalogue #96: uniform failures', () => {
  it('catalogue #96: every kind of rejected token gets byte-identical 401 answers with no kid, upstream text or stack', async () => {
    const { session, browser } = signedInBrowser(emu(), app);
    expect((await browser.get('/api/me')).status).toBe(200);
    const payload = payloadOf(session.session_jwt);
    const kid = headerOf(session.session_jwt).kid as string;
    const nowSec = Math.floor(emu().clock.now() / 1000);
    const { 'https://stytch.com/session': _session, ...withoutSession } = payload;
    const rejected = {
      junk: 'not-a-token',
      'two segments': 'abc.def',
      'alg none': mintAlgNone('none', payload),
      'KX-signed': mintForged({ kid }, payload),
      'expired and KX-signed': mintForged({ kid }, { ...payload, exp: nowSec - 60 }),
      'bit flipped': flipBit(session.session_jwt, 2),
      'unknown kid': mintForged({ kid: 'kid-unknown' }, payload),
      'wrong audience': resign(emu(), { ...payload, aud: ['project-test-other'] }),
      'wrong issuer': resign(emu(), { ...payload, iss: 'stytch.com/project-test-other' }),
      'M2M-shaped': resign(emu(), { ...withoutSession, scope: 'read:users' }),
      'no session claim': resign(emu(), withoutSession),
      'future nbf': resign(emu(), { ...payload, nbf: nowSec + 3600 }),
    };
    const answers = [];
    for (const [name, token] of Object.entries(rejected)) {
      const res = await app.browser().get('/api/me', { headers: { authorization: `Bearer ${token}` } });
      answers.push({ name, status: res.status, text: res.text, www: res.headers['www-authenticate'], cache: res.headers['cache-control'] });
    }
    const first = answers[0]!;
    for (const a of answers) expect({ ...a, name: first.name }, a.name).toEqual(first);
    expect(first.status).toBe(401);
    expect(first.text).not.toContain(kid);
    expect(first.text).not.toMatch(/stack|jose|JWS|JWT|kid|signature/i);
  });
});

describe('catalogue #98: security events are logged', () => {
  it('catalogue #98: sign-in failures with a coarse reason, network fallback, stale keys, breaker, and denied authorization all appear', async () => {
    app.logs.length = 0;
    const member = signedInBrowser(emu(), app);
    const admin = signedInBrowser(emu(), app, { admin: true });
    expect((await member.browser.get('/api/me')).status).toBe(200);
    // failure (coarse reason)
    await app.browser().get('/api/me', { headers: { authorization: 'Bearer aaa.bbb.ccc' } });
    // network fallback (opaque token only)
    const opaque = app.browser();
    opaque.setCookie(TOKEN_COOKIE, admin.session.session_token);
    expect((await opaque.get('/api/me')).status).toBe(200);
    // denied authorization
    expect((await member.browser.get('/api/admin')).status).toBe(403);
    // stale keys while the JWKS is down (past its 60 s max age, inside the stale window)
    emu().faults.next('GET /v1/b2b/sessions/jwks/*', { status: 503 }, 100);
    emu().clock.advance(61_000);
    const fresh = signedInBrowser(emu(), app);
    expect((await fresh.browser.get('/api/me')).status).toBe(200);
    // breaker: two failures open it, then a request is turned away without a call
    emu().faults.next('POST /v1/b2b/sessions/authenticate', { status: 503 }, 10);
    for (let i = 0; i < 3; i++) {
      const b = app.browser();
      b.setCookie(TOKEN_COOKIE, signedInBrowser(emu(), app).session.session_token);
      expect((await b.get('/api/me')).status).toBe(503);
    }
    const events = app.logs.map((l) => l.event);
    expect(events).toEqual(expect.arrayContaining(['session_signed_out', 'session_authenticated_network', 'access_denied', 'jwks_stale_served', 'session_undecided']));
    expect(app.logs.find((l) => l.event === 'session_signed_out')).toMatchObject({ reason: expect.any(String) });
    expect(app.logs.find((l) => l.event === 'access_denied')).toMatchObject({ code: 'permission_denied', memberId: member.member.member_id });
    expect(app.logs.some((l) => l.event === 'session_undecided' && l.reason === 'circuit_open')).toBe(true);
    const text = JSON.stringify(app.logs);
    for (const secret of [member.session.session_jwt, member.session.session_token, admin.session.session_token, emu().secret]) expect(text).not.toContain(secret);
  });
});
