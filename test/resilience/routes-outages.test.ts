/**
 * Fault injection on every drop-in route of `stytchRoutes()`: for each way Stytch can misbehave
 * on the route's own upstream call, the status the user sees, the number of upstream calls (single-use
 * POSTs are never retried, even with client retries on), and that neither a valid session nor a
 * pending login (IST) loses its cookies because of an outage. Catalogue #49, #50, #51, #70, #77.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EmulatorFault } from '../../src/emulator/index.js';
import type { CookieJarClient, JarResponse } from '../helpers/cookie-jar.js';
import { settleFaults, useEmulator } from '../helpers/emulator.js';
import { instanceOf } from '../../src/middleware/stytch-auth.js';
import { callsTo, clearedSessionCookies, IST_COOKIE, JWT_COOKIE, linkPath, seed, signedInBrowser, startResilienceApp, TOKEN_COOKIE } from './support.js';
import type { ResilienceApp } from './support.js';

const emu = useEmulator();
let app: ResilienceApp;
beforeAll(async () => {
  // Client retries ON (2): proves the routes' single-use POSTs are never retried anyway.
  app = await startResilienceApp(emu(), { circuitBreaker: { failureThreshold: 1000 } }, 2);
});
afterAll(async () => {
  await app.close();
});
beforeEach(() => {
  emu().faults.clear();
});
afterEach(() => settleFaults(emu()));

let phone = 2000;
const newPhone = () => `+1500555${String(++phone).padStart(4, '0')}`;

interface Prepared {
  browser: CookieJarClient;
  send: () => Promise<JarResponse>;
  /** What the browser must still hold after the failed call. */
  keeps: 'session' | 'ist' | 'nothing';
}

interface RouteCase {
  route: string;
  /** The route's own upstream endpoint (fault glob and call counter). */
  endpoint: string;
  /** Upstream GETs may be retried by the client (2 retries); single-use POSTs never. */
  maxCalls: number;
  prepare: () => Promise<Prepared>;
}

async function pendingMfa(): Promise<CookieJarClient> {
  const s = seed(emu(), { mfa: true, phone: newPhone() });
  const browser = app.browser();
  expect((await browser.post('/auth/login/email', { json: { email_address: s.email, organization_id: s.org.organization_id } })).status).toBe(202);
  const back = await browser.get(linkPath(emu().outbox.latest({ to: s.email })?.link));
  expect(back.location).toBe('/mfa');
  return browser;
}

async function pendingDiscovery(): Promise<{ browser: CookieJarClient; organizationId: string }> {
  const s = seed(emu());
  const browser = app.browser();
  expect((await browser.post('/auth/login/email', { json: { email_address: s.email } })).status).toBe(202);
  const back = await browser.get(linkPath(emu().outbox.latest({ to: s.email, kind: 'discovery_magic_link' })?.link));
  expect(back.location).toBe('/select-org');
  return { browser, organizationId: s.org.organization_id };
}

const ROUTES: RouteCase[] = [
  {
    route: 'POST /auth/login/email (organization)',
    endpoint: 'POST /v1/b2b/magic_links/email/login_or_signup',
    maxCalls: 1,
    prepare: () => {
      const s = seed(emu());
      const browser = app.browser();
      return Promise.resolve({ browser, keeps: 'nothing', send: () => browser.post('/auth/login/email', { json: { email_address: s.email, organization_id: s.org.organization_id } }) });
    },
  },
  {
    route: 'POST /auth/login/email (discovery)',
    endpoint: 'POST /v1/b2b/magic_links/email/discovery/send',
    maxCalls: 1,
    prepare: () => {
      const s = seed(emu());
      const browser = app.browser();
      return Promise.resolve({ browser, keeps: 'nothing', send: () => browser.post('/auth/login/email', { json: { email_address: s.email } }) });
    },
  },
  {
    route: 'GET /auth/callback (organization magic link)',
    endpoint: 'POST /v1/b2b/magic_links/authenticate',
    maxCalls: 1,
    prepare: async () => {
      const s = seed(emu());
      const browser = app.browser();
      await browser.post('/auth/login/email', { json: { email_address: s.email, organization_id: s.org.organization_id } });
      const path = linkPath(emu().outbox.latest({ to: s.email })?.link);
      return { browser, keeps: 'nothing', send: () => browser.get(path) };
    },
  },
  {
    route: 'GET /auth/callback (discovery magic link)',
    endpoint: 'POST /v1/b2b/magic_links/discovery/authenticate',
    maxCalls: 1,
    prepare: async () => {
      const s = seed(emu());
      const browser = app.browser();
      await browser.post('/auth/login/email', { json: { email_address: s.email } });
      const path = linkPath(emu().outbox.latest({ to: s.email, kind: 'discovery_magic_link' })?.link);
      return { browser, keeps: 'nothing', send: () => browser.get(path) };
    },
  },
  {
    route: 'GET /auth/discovery/organizations',
    endpoint: 'POST /v1/b2b/discovery/organizations',
    maxCalls: 1,
    prepare: async () => {
      const { browser } = await pendingDiscovery();
      return { browser, keeps: 'ist', send: () => browser.get('/auth/discovery/organizations') };
    },
  },
  {
    route: 'POST /auth/discovery/exchange',
    endpoint: 'POST /v1/b2b/discovery/intermediate_sessions/exchange',
    maxCalls: 1,
    prepare: async () => {
      const { browser, organizationId } = await pendingDiscovery();
      return { browser, keeps: 'ist', send: () => browser.post('/auth/discovery/exchange', { json: { organization_id: organizationId } }) };
    },
  },
  {
    route: 'POST /auth/discovery/organizations',
    endpoint: 'POST /v1/b2b/discovery/organizations/create',
    maxCalls: 1,
    prepare: async () => {
      const { browser } = await pendingDiscovery();
      return { browser, keeps: 'ist', send: () => browser.post('/auth/discovery/organizations', { json: { organization_name: 'Outage Inc' } }) };
    },
  },
  {
    route: 'GET /auth/mfa (signed in)',
    endpoint: 'GET /v1/b2b/organizations/*/member',
    maxCalls: 3,
    prepare: () => {
      const { browser } = signedInBrowser(emu(), app);
      return Promise.resolve({ browser, keeps: 'session', send: () => browser.get('/auth/mfa') });
    },
  },
  {
    route: 'POST /auth/mfa/sms/send',
    endpoint: 'POST /v1/b2b/otps/sms/send',
    maxCalls: 1,
    prepare: async () => {
      const browser = await pendingMfa();
      return { browser, keeps: 'ist', send: () => browser.post('/auth/mfa/sms/send', { json: {} }) };
    },
  },
  {
    route: 'POST /auth/mfa/sms/authenticate',
    endpoint: 'POST /v1/b2b/otps/sms/authenticate',
    maxCalls: 1,
    prepare: async () => {
      const browser = await pendingMfa();
      return { browser, keeps: 'ist', send: () => browser.post('/auth/mfa/sms/authenticate', { json: { code: '123456' } }) };
    },
  },
  {
    route: 'POST /auth/mfa/totp/create',
    endpoint: 'POST /v1/b2b/totp',
    maxCalls: 1,
    prepare: async () => {
      const browser = await pendingMfa();
      return { browser, keeps: 'ist', send: () => browser.post('/auth/mfa/totp/create', { json: {} }) };
    },
  },
  {
    route: 'POST /auth/mfa/totp/authenticate',
    endpoint: 'POST /v1/b2b/totp/authenticate',
    maxCalls: 1,
    prepare: async () => {
      const browser = await pendingMfa();
      return { browser, keeps: 'ist', send: () => browser.post('/auth/mfa/totp/authenticate', { json: { code: '123456' } }) };
    },
  },
  {
    route: 'POST /auth/mfa/recovery',
    endpoint: 'POST /v1/b2b/recovery_codes/recover',
    maxCalls: 1,
    prepare: async () => {
      const browser = await pendingMfa();
      return { browser, keeps: 'ist', send: () => browser.post('/auth/mfa/recovery', { json: { recovery_code: 'abcd-efgh-ijkl' } }) };
    },
  },
  {
    route: 'POST /auth/switch-organization',
    endpoint: 'POST /v1/b2b/sessions/exchange',
    maxCalls: 1,
    prepare: () => {
      const s = signedInBrowser(emu(), app, { orgs: 2 });
      return Promise.resolve({ browser: s.browser, keeps: 'session', send: () => s.browser.post('/auth/switch-organization', { json: { organization_id: s.orgs[1]!.organization_id } }) });
    },
  },
  {
    route: 'POST /auth/email/update',
    endpoint: 'POST /v1/b2b/organizations/*/members/*/start_email_update',
    maxCalls: 1,
    prepare: () => {
      const s = signedInBrowser(emu(), app);
      return Promise.resolve({ browser: s.browser, keeps: 'session', send: () => s.browser.post('/auth/email/update', { json: { email_address: `new-${s.email}` } }) });
    },
  },
];

const FAULTS: [string, EmulatorFault, number[], string[]][] = [
  ['is down (503)', { status: 503 }, [503], ['upstream_unavailable']],
  ['answers 500', { status: 500 }, [503], ['upstream_unavailable']],
  ['is slower than the deadline', { delayMs: 1_000 }, [503], ['upstream_timeout']],
  ['never answers', { hang: true }, [503], ['upstream_timeout']],
  ['answers 429 with Retry-After', { status: 429, retryAfterSeconds: 7 }, [429], ['too_many_requests']],
  ['answers malformed JSON', { malformed: true }, [502], ['upstream_bad_response']],
  ['drops the connection mid-body', { drop: 'mid_body' }, [502, 503], ['upstream_bad_response', 'upstream_network', 'upstream_unavailable']],
  ['drops the connection before the headers', { drop: 'before_headers' }, [503], ['upstream_network', 'upstream_unavailable']],
];

/** Counter regex for an endpoint glob. */
function endpointPattern(endpoint: string): RegExp {
  return new RegExp('^' + endpoint.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('[^/]+') + '$');
}

describe.each(FAULTS)('every drop-in route when Stytch %s', (_name, fault, statuses, codes) => {
  it.each(ROUTES)('$route: a clear error, no retry of single-use calls, no cookie lost', async ({ endpoint, maxCalls, prepare }) => {
    const prepared = await prepare();
    const before = { session: prepared.browser.cookie(JWT_COOKIE), ist: prepared.browser.cookie(IST_COOKIE) };
    emu().faults.next(endpoint, fault, 10);
    emu().calls.clear();
    const res = await prepared.send();
    expect(statuses).toContain(res.status);
    expect(codes).toContain(res.body?.error?.code);
    expect(res.headers['cache-control']).toBe('no-store');
    if ('retryAfterSeconds' in fault) expect(res.headers['retry-after']).toBe('7');
    // No upstream text, token or stack reaches the client.
    expect(res.text).not.toMatch(/internal_server_error|stack|token/i);
    const calls = callsTo(emu(), endpointPattern(endpoint));
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(maxCalls);
    expect(clearedSessionCookies(res.setCookies)).toEqual([]);
    if (prepared.keeps === 'session') expect(prepared.browser.cookie(JWT_COOKIE)).toBe(before.session);
    if (prepared.keeps === 'ist') expect(prepared.browser.cookie(IST_COOKIE)).toBe(before.ist);
  });
});

describe('routes that must work through an outage', () => {
  it.each(FAULTS)('logout when Stytch %s: 200, both session cookies cleared, exactly one revoke call', async (_name, fault) => {
    const { browser } = signedInBrowser(emu(), app);
    const before = browser.cookieHeader();
    // Earlier cases left revokes pending (retried in the background): stop them so only this logout counts.
    instanceOf(app.auth)?.revocations.close();
    emu().faults.next('POST /v1/b2b/sessions/revoke', fault, 10);
    emu().calls.clear();
    const res = await browser.post('/auth/logout', { json: {} });
    expect(res.status).toBe(200);
    expect(clearedSessionCookies(res.setCookies).sort()).toEqual([TOKEN_COOKIE, JWT_COOKIE].sort());
    expect(callsTo(emu(), /^POST \/v1\/b2b\/sessions\/revoke$/)).toBe(1);
    // Signed out locally at once, whatever Stytch said: the old cookies no longer pass here.
    expect((await app.browser().get('/api/me', { headers: { cookie: before } })).status).toBe(401);
  });

  it('GET /auth/session answers from the local session with no upstream call while everything is down', async () => {
    const { browser, member } = signedInBrowser(emu(), app);
    expect((await browser.get('/api/me')).status).toBe(200); // keys loaded before the outage
    emu().faults.next('*', { status: 503 }, 100);
    emu().calls.clear();
    const res = await browser.get('/auth/session');
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).toContain(member.member_id);
    expect(emu().calls.count()).toBe(0);
    emu().faults.clear(); // no call met the scripted outage, as none may
  });

  it('a login link that met an outage still completes when opened again: the failed callback kept its flow', async () => {
    const s = seed(emu());
    const browser = app.browser();
    await browser.post('/auth/login/email', { json: { email_address: s.email, organization_id: s.org.organization_id } });
    const path = linkPath(emu().outbox.latest({ to: s.email })?.link);
    emu().faults.next('POST /v1/b2b/magic_links/authenticate', { hang: true }, 1);
    const first = await browser.get(path);
    expect(first.status).toBe(503);
    expect(first.body.error.code).toBe('upstream_timeout');
    const second = await browser.get(path);
    expect(second.status).toBe(303);
    expect(second.location).toBe('/dashboard');
    // Used once, the flow is gone: a third open is the signed-in stale-callback redirect, no loop.
    const third = await browser.get(path);
    expect(third.status).toBe(303);
    expect(third.location).toBe('/dashboard');
  });
});
