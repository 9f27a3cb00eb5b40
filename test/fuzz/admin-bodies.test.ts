/**
 * Property-based tests of the admin routes' bodies and queries over real HTTP: arbitrary JSON
 * values under the routes' own field names, raw bytes under every content type, and arbitrary
 * query strings. Never a 500, and always the JSON error shape.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JarResponse } from '../helpers/cookie-jar.js';
import { useEmulator } from '../helpers/emulator.js';
import { PREFIX, call, seedOrganization, signedIn, useAdminApp } from '../handlers/admin-support.js';

const emu = useEmulator();
const app = useAdminApp(emu);

const RUNS = 40;

function answered(res: JarResponse): void {
  expect(res.status, res.text).toBeLessThan(500);
  if (res.status >= 400) {
    expect(typeof res.body?.error?.code).toBe('string');
    expect(typeof res.body?.error?.message).toBe('string');
  }
}

const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 40 }), fc.array(fc.string({ maxLength: 20 }), { maxLength: 5 }));

const ROUTES: { method: string; path: (ids: { member: string }) => string; fields: string[] }[] = [
  { method: 'PATCH', path: () => '/organization', fields: ['organization_name', 'organization_slug', 'mfa_policy', 'allowed_mfa_methods', 'email_allowed_domains', 'email_invites', 'organization_id', 'trusted_metadata', '__proto__'] },
  { method: 'PUT', path: (ids) => `/members/${ids.member}/roles`, fields: ['roles', 'role'] },
  { method: 'POST', path: () => '/members/invite', fields: ['email_address', 'name', 'roles'] },
  { method: 'PATCH', path: () => '/me', fields: ['name', 'default_mfa_method', 'email_address'] },
];

describe.each(ROUTES)('$method admin route bodies', (route) => {
  it('answers every JSON body under its field names without a 500', async () => {
    const s = seedOrganization(emu());
    const browser = signedIn(emu(), app, s.admin.member_id);
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...route.fields), value, { maxKeys: 4 }), async (body) => {
        answered(await call(browser, route.method, route.path({ member: s.member.member_id }), body));
      }),
      { numRuns: RUNS },
    );
  });

  it('answers raw bodies of any content type without a 500', async () => {
    const s = seedOrganization(emu());
    const browser = signedIn(emu(), app, s.admin.member_id);
    const types = fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/json; charset=utf-8');
    await fc.assert(
      fc.asyncProperty(types, fc.string({ maxLength: 200 }), async (type, raw) => {
        const res = await browser.request(route.method, `${PREFIX}${route.path({ member: s.member.member_id })}`, { raw, headers: { 'content-type': type } });
        answered(res);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('admin route queries and member ids', () => {
  it('answers arbitrary list queries and member path segments without a 500', async () => {
    const s = seedOrganization(emu());
    const browser = signedIn(emu(), app, s.admin.member_id);
    const key = fc.constantFrom('q', 'status', 'limit', 'cursor', 'x');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(key, fc.string({ maxLength: 30 })), { maxLength: 4 }), fc.string({ minLength: 1, maxLength: 40 }), async (pairs, segment) => {
        answered(await call(browser, 'GET', `/members?${new URLSearchParams(pairs).toString()}`));
        const res = await call(browser, 'GET', `/members/${encodeURIComponent(segment)}`);
        answered(res);
        if (res.status === 404) expect(res.body.error.code).toBe('member_not_found');
      }),
      { numRuns: RUNS },
    );
  });
});
