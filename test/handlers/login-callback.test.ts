import { describe, expect, it } from 'vitest';
import type { CookieJarClient, JarResponse } from '../helpers/cookie-jar.js';
import { useEmulator } from '../helpers/emulator.js';
import { decodeFlowRecord, encodeFlowRecord } from '../../src/session/flow-record.js';
import { linkPath, resetEmulatorBeforeEach, seedMember, startApp, uniqueEmail, useTestApp } from './harness.js';

const emu = useEmulator();
const app = useTestApp(emu);
resetEmulatorBeforeEach(emu);

/** Upstream calls made by the routes, not by stytchAuth's own session checks / JWKS / policy loads. */
function routeCalls(): string[] {
  return emu()
    .calls.list()
    .filter((c) => !/sessions\/(authenticate|jwks)|\/rbac\//.test(c.endpoint))
    .map((c) => c.endpoint);
}

async function startLogin(browser: CookieJarClient, body: Record<string, string>): Promise<string> {
  const res = await browser.post('/auth/login/email', { json: body });
  expect(res.status).toBe(202);
  expect(res.body).toEqual({ status: 'email_sent' });
  return linkPath(emu().outbox.latest({ to: body.email_address })?.link);
}

/** The one flow cookie of a browser (name and value). */
function flowCookie(browser: CookieJarClient): { name: string; value: string; id: string } {
  const found = [...browser.cookies].filter(([name]) => name.startsWith('stytch_flow_'));
  expect(found).toHaveLength(1);
  const [name, cookie] = found[0]!;
  return { name, value: cookie.value, id: name.slice('stytch_flow_'.length) };
}

function clears(res: JarResponse, name: string): boolean {
  return res.setCookies.some((line) => line.startsWith(`${name}=;`) && /Max-Age=0/i.test(line));
}

describe('POST /login/email', () => {
  it('sends an organization login link with a PKCE challenge and a 10-minute HttpOnly verifier cookie', async () => {
    const { org, email } = seedMember(emu());
    const browser = app.browser();
    const res = await browser.post('/auth/login/email', { json: { email_address: email, organization_id: org.organization_id } });
    expect(res.status).toBe(202);
    expect(routeCalls()).toEqual(['POST /v1/b2b/magic_links/email/login_or_signup']);
    const flow = flowCookie(browser);
    const verifier = browser.cookies.get(flow.name);
    expect(verifier?.attributes.httponly).toBe(true);
    expect(verifier?.attributes['max-age']).toBe('600');
    expect(verifier?.attributes.samesite?.toString().toLowerCase()).toBe('lax');
    expect(decodeFlowRecord(flow.value)?.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(emu().outbox.latest({ to: email })?.link?.startsWith(`${app.origin}/auth/callback?flow=${flow.id}&`)).toBe(true);
  });

  it('answers a form post with a 303 to the login page and the same cookies', async () => {
    const { org, email } = seedMember(emu());
    const browser = app.browser();
    const res = await browser.post('/auth/login/email', { form: { email_address: email, organization_id: org.organization_id } });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/login?status=email_sent');
    expect(flowCookie(browser).value).toBeDefined();
  });

  it('gives the same answer for a new email as for a member (no account enumeration)', async () => {
    const org = emu().admin.createOrganization({ organization_name: 'JIT org', email_allowed_domains: ['example.com'], email_jit_provisioning: 'RESTRICTED' });
    const res = await app.browser().post('/auth/login/email', { json: { email_address: uniqueEmail('new'), organization_id: org.organization_id } });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'email_sent' });
  });

  it('refuses a malformed email or organization id with 400 and 0 upstream calls', async () => {
    const bad = await app.browser().post('/auth/login/email', { json: { email_address: 'not-an-email' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_email');
    const badOrg = await app.browser().post('/auth/login/email', { json: { email_address: 'a@example.com', organization_id: 'x y' } });
    expect(badOrg.status).toBe(400);
    expect(badOrg.body.error.code).toBe('invalid_organization_id');
    const missing = await app.browser().post('/auth/login/email', { json: {} });
    expect(missing.body.error.code).toBe('invalid_email');
    expect(routeCalls()).toEqual([]);
  });

  it('refuses invalid JSON (400 invalid_body) and an oversized body (413 body_too_large)', async () => {
    const invalid = await app.browser().post('/auth/login/email', { raw: '{"email_address":', headers: { 'content-type': 'application/json' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('invalid_body');
    const array = await app.browser().post('/auth/login/email', { json: ['a@example.com'] });
    expect(array.body.error.code).toBe('invalid_body');
    const huge = await app.browser().post('/auth/login/email', { json: { email_address: 'a@example.com', pad: 'x'.repeat(20_000) } });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('body_too_large');
    expect(routeCalls()).toEqual([]);
  });

  it('refuses a form that repeats a field', async () => {
    const res = await app.browser().post('/auth/login/email', {
      raw: 'email_address=a@example.com&email_address=b@example.com',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/login?error=invalid_body');
  });

  it('maps a Stytch 404 for an unknown organization to 404 with its error_type, and sets no cookie', async () => {
    const browser = app.browser();
    const res = await browser.post('/auth/login/email', { json: { email_address: 'a@example.com', organization_id: 'organization-test-00000000-0000-4000-8000-000000000000' } });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('organization_not_found');
    expect([...browser.cookies.keys()].some((name) => name.startsWith('stytch_flow_'))).toBe(false);
  });

  it('answers 503 when Stytch is down and starts no transaction', async () => {
    const { org, email } = seedMember(emu());
    emu().faults.next('POST /v1/b2b/magic_links/email/login_or_signup', { status: 503 });
    const browser = app.browser();
    const res = await browser.post('/auth/login/email', { json: { email_address: email, organization_id: org.organization_id } });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('upstream_unavailable');
    expect(browser.cookies.size).toBe(0);
  });

  it('maps a Stytch 429 to 429 too_many_requests with Retry-After, without retrying', async () => {
    const { org, email } = seedMember(emu());
    emu().faults.next('POST /v1/b2b/magic_links/email/login_or_signup', { status: 429, errorType: 'too_many_requests', retryAfterSeconds: 7 });
    const res = await app.browser().post('/auth/login/email', { json: { email_address: email, organization_id: org.organization_id } });
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('too_many_requests');
    expect(res.headers['retry-after']).toBe('7');
    expect(routeCalls()).toEqual(['POST /v1/b2b/magic_links/email/login_or_signup']);
  });
});

describe('GET /callback', () => {
  it('logs a member in: both session cookies, verifier deleted, 303 to afterLoginUrl with no-referrer and no-store', async () => {
    const { org, email, member } = seedMember(emu());
    const browser = app.browser();
    const link = await startLogin(browser, { email_address: email, organization_id: org.organization_id });
    const flow = flowCookie(browser);
    const res = await browser.get(link);
    expect(res.status).toBe(303);
    expect(res.location).toBe('/dashboard');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toContain('no-store');
    expect(clears(res, flow.name)).toBe(true);
    expect(browser.cookies.get('stytch_session')?.attributes.httponly).toBe(true);
    expect(browser.cookie('stytch_session_jwt')).toBeDefined();
    const session = await browser.get('/auth/session');
    expect(session.status).toBe(200);
    expect(session.body.memberId).toBe(member.member_id);
  });

  it('redirects to the return_to bound at login start', async () => {
    const { org, email } = seedMember(emu());
    const browser = app.browser();
    const link = await startLogin(browser, { email_address: email, organization_id: org.organization_id, return_to: '/settings?tab=members' });
    expect((await browser.get(link)).location).toBe('/settings?tab=members');
    expect(browser.cookie('stytch_return_to')).toBeUndefined();
  });

  it('catalogue #94: ignores a return_to appended to the callback URL', async () => {
    const { org, email } = seedMember(emu());
    const browser = app.browser();
    const link = await startLogin(browser, { email_address: email, organization_id: org.organization_id });
    const res = await browser.get(`${link}&return_to=${encodeURIComponent('/elsewhere')}`);
    expect(res.location).toBe('/dashboard');
  });

  it('sends a discovery login to the discovery page with an HttpOnly IST cookie', async () => {
    const email = uniqueEmail();
    seedMember(emu(), { email });
    const browser = app.browser();
    const res = await browser.post('/auth/login/email', { json: { email_address: email } });
    expect(res.status).toBe(202);
    expect(routeCalls()).toEqual(['POST /v1/b2b/magic_links/email/discovery/send']);
    const cb = await browser.get(linkPath(emu().outbox.latest({ to: email, kind: 'discovery_magic_link' })?.link));
    expect(cb.status).toBe(303);
    expect(cb.location).toBe('/select-org');
    expect(browser.cookies.get('stytch_intermediate_session_token')?.attributes.httponly).toBe(true);
    expect(browser.cookies.get('stytch_intermediate_session_token')?.attributes['max-age']).toBe('600');
    expect(browser.cookie('stytch_session')).toBeUndefined();
  });

  it('catalogue #74: a missing, unknown or consumer token type is 400 with 0 upstream calls', async () => {
    const browser = app.browser();
    // multi_tenant_passwords links are the password-reset route's (test/handlers/passwords.test.ts).
    for (const query of ['', '?token=abcdefghijkl', '?stytch_token_type=magic_links&token=abcdefghijkl', '?stytch_token_type=login&token=x']) {
      const res = await browser.get(`/auth/callback${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_token_type');
      expect(res.headers['cache-control']).toContain('no-store');
    }
    expect(routeCalls()).toEqual([]);
  });

  it('refuses a missing, malformed or repeated token with 400 and 0 upstream calls', async () => {
    for (const query of ['?stytch_token_type=discovery', '?stytch_token_type=discovery&token=%3Cscript%3E', '?stytch_token_type=discovery&token=aaaaaaaaaa&token=bbbbbbbbbb', `?stytch_token_type=discovery&token=${'a'.repeat(600)}`]) {
      const res = await app.browser().get(`/auth/callback${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_token');
    }
    expect(routeCalls()).toEqual([]);
  });

  it('catalogue #75: without the verifier cookie the callback is 400 with 0 upstream calls, and the link stays unspent', async () => {
    const { org, email } = seedMember(emu());
    const starter = app.browser();
    const link = await startLogin(starter, { email_address: email, organization_id: org.organization_id });
    emu().calls.clear();
    const other = app.browser();
    const res = await other.get(link);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('pkce_verifier_missing');
    expect(routeCalls()).toEqual([]);
    expect(other.cookie('stytch_session')).toBeUndefined();
    // The browser that asked for the link can still use it.
    expect((await starter.get(link)).location).toBe('/dashboard');
  });

  it('catalogue #75: a different verifier is rejected by Stytch, and the failed callback leaves the flow cookie alone', async () => {
    const { org, email } = seedMember(emu());
    const browser = app.browser();
    const link = await startLogin(browser, { email_address: email, organization_id: org.organization_id });
    const flow = flowCookie(browser);
    const record = decodeFlowRecord(flow.value);
    if (record === undefined) throw new Error('unreadable flow cookie');
    browser.setCookie(flow.name, encodeFlowRecord({ ...record, verifier: 'A'.repeat(43) }));
    const res = await browser.get(link);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('pkce_mismatch');
    expect(clears(res, flow.name)).toBe(false);
    expect(browser.cookie('stytch_session')).toBeUndefined();
  });

  it("catalogue #76: an attacker's own link opened in the victim's browser establishes no session", async () => {
    const attacker = seedMember(emu());
    const attackerBrowser = app.browser();
    const link = await startLogin(attackerBrowser, { email_address: attacker.email, organization_id: attacker.org.organization_id });
    const victim = app.browser();
    const res = await victim.get(link);
    expect(res.status).toBe(400);
    expect(victim.cookies.size).toBe(0);
  });

  it('catalogue #77: the same link used twice is 401 the second time, with no cookies', async () => {
    const { org, email } = seedMember(emu());
    const browser = app.browser();
    const link = await startLogin(browser, { email_address: email, organization_id: org.organization_id });
    const flow = flowCookie(browser);
    expect((await browser.get(link)).status).toBe(303);
    const replay = app.browser();
    replay.setCookie(flow.name, flow.value);
    const res = await replay.get(link);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unable_to_auth_magic_link');
    expect(replay.cookie('stytch_session')).toBeUndefined();
  });

  it('catalogue #77: an upstream failure is 503 after exactly one authenticate call (never retried)', async () => {
    const { org, email } = seedMember(emu());
    const browser = app.browser();
    const link = await startLogin(browser, { email_address: email, organization_id: org.organization_id });
    emu().calls.clear();
    emu().faults.next('POST /v1/b2b/magic_links/authenticate', { status: 503 });
    const res = await browser.get(link);
    expect(res.status).toBe(503);
    expect(routeCalls()).toEqual(['POST /v1/b2b/magic_links/authenticate']);
  });

  it('catalogue #77: an upstream timeout is 503 upstream_timeout after exactly one call', async () => {
    const slow = await startApp(emu(), { clientTimeoutMs: 200 });
    try {
      const { org, email } = seedMember(emu());
      const browser = slow.browser();
      const link = await startLogin(browser, { email_address: email, organization_id: org.organization_id });
      emu().calls.clear();
      emu().faults.next('POST /v1/b2b/magic_links/authenticate', { delayMs: 1000 });
      const res = await browser.get(link);
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('upstream_timeout');
      expect(routeCalls()).toEqual(['POST /v1/b2b/magic_links/authenticate']);
    } finally {
      await slow.close();
    }
  });

  it('catalogue #78: neither the Location, the body nor any log line contains the token or the verifier', async () => {
    const { org, email } = seedMember(emu());
    const browser = app.browser();
    const link = await startLogin(browser, { email_address: email, organization_id: org.organization_id });
    const token = new URL(link, app.origin).searchParams.get('token') ?? '';
    const verifier = decodeFlowRecord(flowCookie(browser).value)?.verifier ?? 'none';
    const ok = await browser.get(link);
    const failed = await browser.get(link);
    for (const res of [ok, failed]) {
      expect(res.location ?? '').not.toContain(token);
      expect(res.location ?? '').not.toContain('stytch_token_type');
      expect(res.text).not.toContain(token);
    }
    const logText = JSON.stringify(app.logs);
    expect(logText).not.toContain(token);
    expect(logText).not.toContain(verifier);
    expect(logText).not.toContain(browser.cookie('stytch_session') ?? 'none');
  });

  it('catalogue #79: a replayed callback while signed in redirects to afterLoginUrl without authenticating again', async () => {
    const { org, email } = seedMember(emu());
    const browser = app.browser();
    const link = await startLogin(browser, { email_address: email, organization_id: org.organization_id });
    await browser.get(link);
    emu().calls.clear();
    const res = await browser.get(link);
    expect(res.status).toBe(303);
    expect(res.location).toBe('/dashboard');
    expect(routeCalls()).toEqual([]);
  });

  it('catalogue #79: a callback with no flow cookie while signed out is a 4xx and not a redirect loop', async () => {
    // No flow id: a link minted elsewhere (an invitation). Its GET is the Continue page; the POST
    // goes to Stytch, which does not know this token.
    const browser = app.browser();
    const page = await browser.get('/auth/callback?stytch_token_type=multi_tenant_magic_links&token=abcdefghijklmnop');
    expect(page.status).toBe(200);
    expect(page.location).toBeUndefined();
    const res = await browser.post('/auth/join', { json: { action: 'continue', token: 'abcdefghijklmnop' } });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('magic_link_not_found');
    expect(res.location).toBeUndefined();
  });

  it('sends a failed navigation back to the login page with ?error=<code>', async () => {
    const res = await app.browser().get('/auth/callback?stytch_token_type=nope&token=abcdefghijkl', { headers: { 'sec-fetch-mode': 'navigate' } });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/login?error=invalid_token_type');
  });

  it("catalogue #71: a victim logging in over planted session cookies gets only their own session", async () => {
    const attacker = seedMember(emu());
    const planted = emu().admin.createSession({ member_id: attacker.member.member_id });
    const victimMember = seedMember(emu());
    const browser = app.browser();
    browser.setCookie('stytch_session', planted.session_token);
    browser.setCookie('stytch_session_jwt', planted.session_jwt);
    const link = await startLogin(browser, { email_address: victimMember.email, organization_id: victimMember.org.organization_id });
    const res = await browser.get(link);
    expect(res.status).toBe(303);
    expect(browser.cookie('stytch_session')).not.toBe(planted.session_token);
    expect(browser.cookie('stytch_session_jwt')).not.toBe(planted.session_jwt);
    const session = await browser.get('/auth/session');
    expect(session.body.memberId).toBe(victimMember.member.member_id);
    // The attacker's session gained no factor from the victim's login.
    const attackerSession = await app.browser().get('/auth/session', { headers: { authorization: `Bearer ${planted.session_jwt}` } });
    expect(attackerSession.body.authenticationFactors).toHaveLength(1);
  });

  it('sends an MFA-required login to the MFA page with an IST and no session (SMS already sent)', async () => {
    const { org, email, member } = seedMember(emu(), { mfa: 'required', phone: '+15005550006' });
    const browser = app.browser();
    const link = await startLogin(browser, { email_address: email, organization_id: org.organization_id });
    const res = await browser.get(link);
    expect(res.status).toBe(303);
    expect(res.location).toBe('/mfa');
    expect(browser.cookie('stytch_intermediate_session_token')).toBeDefined();
    expect(browser.cookie('stytch_session')).toBeUndefined();
    expect(emu().outbox.latest({ kind: 'sms_otp' })?.memberId).toBe(member.member_id);
    const mfa = await browser.get('/auth/mfa');
    expect(mfa.body).toMatchObject({ source: 'intermediate_session', memberId: member.member_id, nextStep: 'sms', sms: { available: true, codeSent: true, phoneHint: '*******0006' } });
  });
});

describe('onAuthenticated hook', () => {
  it('sees the member before cookies are written and can veto: 403 login_vetoed, no cookies, session revoked', async () => {
    const seen: string[] = [];
    const vetoing = await startApp(emu(), {
      routes: {
        onAuthenticated: (_req, result) => {
          seen.push(`${result.via}:${result.member.member_id}`);
          return false;
        },
      },
    });
    try {
      const { org, email, member } = seedMember(emu());
      const browser = vetoing.browser();
      const link = await startLogin(browser, { email_address: email, organization_id: org.organization_id });
      emu().calls.clear();
      const res = await browser.get(link);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('login_vetoed');
      expect(browser.cookie('stytch_session')).toBeUndefined();
      expect(seen).toEqual([`magic_link:${member.member_id}`]);
      expect(routeCalls()).toContain('POST /v1/b2b/sessions/revoke');
    } finally {
      await vetoing.close();
    }
  });

  it('treats a throwing hook as a veto and reports errors to onError', async () => {
    const errors: string[] = [];
    const throwing = await startApp(emu(), {
      routes: {
        onAuthenticated: () => {
          throw new Error('provisioning failed');
        },
        onError: (err) => errors.push((err as { code?: string }).code ?? 'unknown'),
      },
    });
    try {
      const { org, email } = seedMember(emu());
      const browser = throwing.browser();
      const link = await startLogin(browser, { email_address: email, organization_id: org.organization_id });
      const res = await browser.get(link);
      expect(res.status).toBe(403);
      expect(errors).toEqual(['login_vetoed']);
    } finally {
      await throwing.close();
    }
  });
});

describe.each(['express4', 'connect'] as const)('on %s', (framework) => {
  it('runs the whole magic-link login', async () => {
    const other = await startApp(emu(), { framework });
    try {
      const { org, email } = seedMember(emu());
      const browser = other.browser();
      const link = await startLogin(browser, { email_address: email, organization_id: org.organization_id });
      const res = await browser.get(link);
      expect(res.status).toBe(303);
      expect(res.location).toBe('/dashboard');
      expect(browser.cookie('stytch_session')).toBeDefined();
      expect((await browser.get('/auth/logout')).status).toBe(405);
    } finally {
      await other.close();
    }
  });
});
