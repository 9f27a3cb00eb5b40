/**
 * Property-based tests of the JSON and form body handling of every `stytchRoutes()` route, and of
 * the callback's query string, over real HTTP (catalogue #74, #80, #81, #83, #90): arbitrary JSON
 * values, bytes, huge and deeply nested bodies, every content type. No exception escapes, no 500,
 * and a malformed input never costs an upstream call (checked against a model of the route's rules).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELD_RULES } from '../../src/handlers/body.js';
import type { CookieJarClient, JarResponse } from '../helpers/cookie-jar.js';
import { useEmulator } from '../helpers/emulator.js';
import { linkPath, seed, signedInBrowser, startResilienceApp } from '../resilience/support.js';
import type { ResilienceApp } from '../resilience/support.js';

const emu = useEmulator();
let app: ResilienceApp;
beforeAll(async () => {
  app = await startResilienceApp(emu());
});
afterAll(async () => {
  await app.close();
});

type Fields = Record<string, string>;
type Context = 'anonymous' | 'session' | 'discovery' | 'mfa';

interface RouteModel {
  path: string;
  context: Context;
  fields: string[];
  /** True when these parsed fields pass the route's local validation (then an upstream call is expected). */
  valid: (f: Fields) => boolean;
}

const ok = (rule: RegExp, v: string | undefined) => v !== undefined && v.trim() !== '' && rule.test(v.trim());
const optionalOk = (rule: RegExp, v: string | undefined) => v === undefined || v.trim() === '' || rule.test(v.trim());
// eslint-disable-next-line no-control-regex
const ORGANIZATION_NAME = /^[^\x00-\x1f\x7f]{1,128}$/u;

const ROUTES: RouteModel[] = [
  { path: '/auth/login/email', context: 'anonymous', fields: ['email_address', 'organization_id', 'return_to'], valid: (f) => ok(FIELD_RULES.email, f.email_address) && optionalOk(FIELD_RULES.organization, f.organization_id) },
  { path: '/auth/discovery/exchange', context: 'discovery', fields: ['organization_id'], valid: (f) => ok(FIELD_RULES.organization, f.organization_id) },
  { path: '/auth/discovery/organizations', context: 'discovery', fields: ['organization_name', 'organization_slug'], valid: (f) => ok(ORGANIZATION_NAME, f.organization_name) && optionalOk(FIELD_RULES.organization, f.organization_slug) },
  { path: '/auth/mfa/sms/send', context: 'mfa', fields: ['mfa_phone_number'], valid: (f) => optionalOk(FIELD_RULES.phone, f.mfa_phone_number) },
  { path: '/auth/mfa/sms/authenticate', context: 'mfa', fields: ['code'], valid: (f) => ok(FIELD_RULES.sixDigits, f.code) },
  { path: '/auth/mfa/totp/create', context: 'mfa', fields: [], valid: () => true },
  { path: '/auth/mfa/totp/authenticate', context: 'mfa', fields: ['code'], valid: (f) => ok(FIELD_RULES.sixDigits, f.code) },
  { path: '/auth/mfa/recovery', context: 'mfa', fields: ['recovery_code'], valid: (f) => ok(FIELD_RULES.recoveryCode, f.recovery_code?.trim().toLowerCase()) },
  { path: '/auth/switch-organization', context: 'session', fields: ['organization_id'], valid: (f) => ok(FIELD_RULES.organization, f.organization_id) },
  { path: '/auth/email/update', context: 'session', fields: ['email_address', 'return_to'], valid: (f) => ok(FIELD_RULES.email, f.email_address) },
];

/** What the route's body parser yields for a raw body (a model of readBody), or undefined when it refuses it. */
function parseModel(contentType: string | undefined, raw: string): Fields | undefined {
  if (raw.trim() === '') return {};
  if (Buffer.byteLength(raw) > 16 * 1024) return undefined;
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const fields: Fields = Object.create(null) as Fields;
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') fields[k] = v;
    return fields;
  }
  if (type === 'application/x-www-form-urlencoded') {
    for (const [k, v] of new URLSearchParams(raw)) {
      if (k in fields) return undefined;
      fields[k] = v;
    }
    return fields;
  }
  return undefined;
}

/** Field values: mostly junk, sometimes well formed, sometimes huge. */
const fieldValue = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue() },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom('123456', '12345', ' 654321 ', 'abcd-efgh-ijkl', 'ABCD-EFGH-IJKL', '+15005550006', 'a@example.com', 'organization-test-x', 'Org name', '../../etc', '<script>') },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 40_000 }).map((n) => 'x'.repeat(n)) },
);

function bodyFor(route: RouteModel) {
  const key = fc.oneof(fc.constantFrom(...route.fields, '__proto__', 'constructor', 'session_token', 'intermediate_session_token'), fc.string({ maxLength: 10 }));
  const object = fc.dictionary(key, fieldValue, { maxKeys: 5 });
  const nested = fc.integer({ min: 1, max: 20_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth));
  return fc.oneof(
    { weight: 5, arbitrary: object.map((o) => ({ type: 'application/json', raw: JSON.stringify(o) })) },
    { weight: 2, arbitrary: object.map((o) => ({ type: 'application/x-www-form-urlencoded', raw: new URLSearchParams(Object.entries(o).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : (JSON.stringify(v) ?? '')])).toString() })) },
    { weight: 1, arbitrary: fc.jsonValue().map((v) => ({ type: 'application/json', raw: JSON.stringify(v) ?? '' })) },
    { weight: 1, arbitrary: nested.map((raw) => ({ type: 'application/json', raw })) },
    {
      weight: 2,
      arbitrary: fc.record({
        type: fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'APPLICATION/JSON'),
        raw: fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1'))),
      }),
    },
  );
}

async function browserFor(context: Context): Promise<CookieJarClient> {
  if (context === 'anonymous') return app.browser();
  if (context === 'session') return signedInBrowser(emu(), app, { orgs: 2 }).browser;
  const s = context === 'mfa' ? seed(emu(), { mfa: true, phone: '+15005550199' }) : seed(emu());
  const browser = app.browser();
  const start = await browser.post('/auth/login/email', { json: context === 'mfa' ? { email_address: s.email, organization_id: s.org.organization_id } : { email_address: s.email } });
  expect(start.status).toBe(202);
  const back = await browser.get(linkPath(emu().outbox.latest({ to: s.email })?.link));
  expect(back.location).toBe(context === 'mfa' ? '/mfa' : '/select-org');
  return browser;
}

function expectCleanAnswer(res: JarResponse): void {
  expect(res.status).not.toBe(500);
  expect(res.status).toBeLessThan(600);
  if (res.status >= 400) {
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body?.error?.code).toMatch(/^[a-z0-9_]+$/);
    expect(res.text).not.toMatch(/at .+\.(ts|js):\d+/); // no stack
  }
}

describe('stytchRoutes bodies (fuzz)', () => {
  it.each(ROUTES)('POST $path: arbitrary bodies never 500, and malformed ones never reach Stytch', async (route) => {
    let browser = await browserFor(route.context);
    await fc.assert(
      fc.asyncProperty(bodyFor(route), async ({ type, raw }) => {
        // A success may consume the pending login or rotate the session; start again from a fresh one.
        emu().calls.clear();
        const res = await browser.post(route.path, { raw, headers: { 'content-type': type } });
        expectCleanAnswer(res);
        const fields = parseModel(type, raw);
        const wellFormed = fields !== undefined && route.valid(fields);
        const upstream = emu().calls.list().filter((c) => !/sessions\/(authenticate|jwks)|\/rbac\//.test(c.endpoint)).length;
        if (!wellFormed) {
          expect(upstream).toBe(0);
          expect(res.status).toBeGreaterThanOrEqual(300);
        }
        if (res.status < 400) browser = await browserFor(route.context);
      }),
      { numRuns: 60 },
    );
  });

  it('GET /auth/callback: arbitrary query strings are 400 with no upstream call when no login was started here (a well-formed unknown magic link: the Continue page, no call; other well-formed links: one call, 4xx)', async () => {
    const name = fc.oneof(fc.constantFrom('stytch_token_type', 'token', 'return_to', 'pkce_code_verifier', 'stytch_redirect_type'), fc.string({ maxLength: 8 }));
    const value = fc.oneof(fc.constantFrom('multi_tenant_magic_links', 'discovery', 'oauth', 'sso', 'discovery_oauth', 'x'.repeat(44)), fc.string({ unit: 'grapheme', maxLength: 40 }));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(name, value), { maxLength: 5 }), fc.string({ unit: 'binary-ascii', maxLength: 30 }), async (pairs, rawTail) => {
        emu().calls.clear();
        const query = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&') + encodeURI(rawTail).replace(/#/g, '%23');
        const res = await app.browser().get(`/auth/callback?${query}`);
        expectCleanAnswer(res);
        // A well-formed magic link minted without a challenge (as an invitation is) answers the
        // "Continue" page and spends nothing; other well-formed links may be asked of Stytch
        // once, which does not know the token; anything malformed never leaves the app.
        const params = new URLSearchParams(query);
        const types = params.getAll('stytch_token_type');
        const tokens = params.getAll('token');
        const wellFormed =
          types.length === 1 && ['multi_tenant_magic_links', 'discovery', 'oauth', 'sso', 'discovery_oauth'].includes(types[0]!) &&
          tokens.length === 1 && /^[A-Za-z0-9_.~=+-]{8,512}$/.test(tokens[0]!) && params.getAll('flow').length === 0;
        if (wellFormed && types[0] === 'multi_tenant_magic_links') {
          expect(res.status).toBe(200);
          expect(res.text).toContain('Continue signing in?');
          expect(emu().calls.count()).toBe(0);
        } else if (wellFormed) {
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          expect(emu().calls.count()).toBeLessThanOrEqual(1);
        } else {
          expect(res.status).toBe(400);
          expect(emu().calls.count()).toBe(0);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a body over the size cap is 413 before any parsing, whatever its declared type', async () => {
    const res = await app.browser().post('/auth/login/email', { raw: '{"email_address":"' + 'a'.repeat(100_000) + '"}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('body_too_large');
  });
});
