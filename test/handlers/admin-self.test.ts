import { beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { callApi, useEmulator } from '../helpers/emulator.js';
import { m2mToken } from '../helpers/machine.js';
import type { AdminApp } from './admin-support.js';
import { PREFIX, call, expectPermissionDenied, routeCalls, seedOrganization, signedIn, useAdminApp } from './admin-support.js';
import { resetEmulatorBeforeEach, uniqueEmail } from './harness.js';

const emu = useEmulator();
const app = useAdminApp(emu);
/** Factors count as fresh for one second here: the emulator clock is moved past it. */
const strictAge = useAdminApp(emu, { admin: { maxFactorAgeSeconds: 1 } });
const machines = useAdminApp(emu, { auth: { acceptsToken: ['session', 'm2m'] } });
resetEmulatorBeforeEach(emu);

/** A member with a verified TOTP registration; returns a browser whose session proved TOTP just now. */
async function withTotp(e: Emulator, a: AdminApp, organizationId: string) {
  // Without a phone: a first MFA factor needs no proof of another.
  const memberId = e.admin.createMember(organizationId, { email_address: uniqueEmail('totp') }).member_id;
  const session = e.admin.createSession({ member_id: memberId });
  const created = await callApi(e, 'POST', '/v1/b2b/totp', { organization_id: organizationId, member_id: memberId, session_token: session.session_token });
  expect(created.status, created.text).toBe(200);
  const done = await callApi(e, 'POST', '/v1/b2b/totp/authenticate', {
    organization_id: organizationId, member_id: memberId, code: e.admin.totpCode(created.body.secret as string), session_token: session.session_token,
  });
  expect(done.status, done.text).toBe(200);
  const browser = a.browser();
  browser.setCookie('stytch_session', done.body.session_token as string);
  browser.setCookie('stytch_session_jwt', done.body.session_jwt as string);
  return { browser, memberId, codes: created.body.recovery_codes as string[] };
}

describe('GET /me and PATCH /me', () => {
  it('shows the signed-in member and their factors (phone masked)', async () => {
    const s = seedOrganization(emu());
    const res = await call(signedIn(emu(), app, s.member.member_id), 'GET', '/me');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toContain('no-store');
    expect(res.body.member).toMatchObject({ member_id: s.member.member_id, email_address: s.member.email_address, is_admin: false });
    expect(res.body.factors).toEqual({ phone: expect.stringMatching(/^\+1\*{6}\d{4}$/), totp: false, password: false, recovery_codes: false, default_mfa_method: 'sms_otp' });
  });

  it('changes the own name and default MFA method as a plain member', async () => {
    const s = seedOrganization(emu());
    const browser = signedIn(emu(), app, s.member.member_id);
    const res = await call(browser, 'PATCH', '/me', { name: 'Ada Lovelace' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.member.name).toBe('Ada Lovelace');
    const mfa = await call(browser, 'PATCH', '/me', { default_mfa_method: 'sms_otp' });
    expect(mfa.status, mfa.text).toBe(200);
    expect(emu().admin.getMember(s.member.member_id)?.name).toBe('Ada Lovelace');
  });

  it('refuses other fields and bad values with 400 naming the field, and no Stytch call', async () => {
    const s = seedOrganization(emu());
    const browser = signedIn(emu(), app, s.member.member_id);
    await call(browser, 'GET', '/me');
    emu().calls.clear();
    for (const [body, field] of [
      [{ roles: ['stytch_admin'] }, 'roles'],
      [{ email_address: 'x@example.com' }, 'email_address'],
      [{ default_mfa_method: 'carrier_pigeon' }, 'default_mfa_method'],
      [{ name: 'a\u0000b' }, 'name'],
      [{}, 'body'],
    ] as const) {
      const res = await call(browser, 'PATCH', '/me', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_request', field });
    }
    expect(routeCalls(emu())).toEqual([]);
    expect(emu().admin.getMember(s.member.member_id)?.is_admin).toBe(false);
  });
});

describe('removing my own factors', () => {
  it('removes my MFA phone with a fresh factor', async () => {
    const s = seedOrganization(emu());
    const res = await call(signedIn(emu(), app, s.member.member_id), 'DELETE', '/me/mfa/phone');
    expect(res.status, res.text).toBe(200);
    expect(res.body.member.mfa_phone_number).toBeNull();
    expect(emu().admin.getMember(s.member.member_id)?.mfa_phone_number).toBe('');
  });

  it('removes my TOTP app with a fresh factor', async () => {
    const s = seedOrganization(emu());
    const { browser } = await withTotp(emu(), app, s.org.organization_id);
    expect((await call(browser, 'GET', '/me')).body.factors).toMatchObject({ totp: true, recovery_codes: true });
    const res = await call(browser, 'DELETE', '/me/mfa/totp');
    expect(res.status, res.text).toBe(200);
    expect(res.body.member.has_totp).toBe(false);
  });

  it('asks for a fresh factor (403 step_up_required) from an old session, with no Stytch call', async () => {
    const s = seedOrganization(emu());
    const browser = signedIn(emu(), strictAge, s.member.member_id);
    await call(browser, 'GET', '/me');
    emu().clock.advance(2_000);
    emu().calls.clear();
    for (const [method, path] of [['DELETE', '/me/mfa/phone'], ['DELETE', '/me/mfa/totp'], ['POST', '/me/recovery-codes'], ['POST', '/me/recovery-codes/rotate']] as const) {
      const res = await call(browser, method, path);
      expect(res.status, path).toBe(403);
      expect(res.body.error.code).toBe('step_up_required');
    }
    expect(routeCalls(emu())).toEqual([]);
    expect(emu().admin.getMember(s.member.member_id)?.mfa_phone_number).toBe(s.member.mfa_phone_number);
  });
});

describe('recovery codes', () => {
  it('shows the current codes once per fresh factor', async () => {
    const s = seedOrganization(emu());
    const { browser, codes, memberId } = await withTotp(emu(), app, s.org.organization_id);
    const first = await call(browser, 'POST', '/me/recovery-codes');
    expect(first.status, first.text).toBe(200);
    expect(first.headers['cache-control']).toContain('no-store');
    expect(first.body.recovery_codes).toEqual(codes);
    emu().calls.clear();
    const again = await call(browser, 'POST', '/me/recovery-codes');
    expect(again.status).toBe(403);
    expect(again.body.error.code).toBe('step_up_required');
    expect(routeCalls(emu())).toEqual([]);
    // A new factor (a new sign-in) may see them once more.
    const fresh = signedIn(emu(), app, memberId, ['totp']);
    expect((await call(fresh, 'POST', '/me/recovery-codes')).status).toBe(200);
  });

  it('rotates the codes; the new codes count as the one view', async () => {
    const s = seedOrganization(emu());
    const { browser, codes } = await withTotp(emu(), app, s.org.organization_id);
    const res = await call(browser, 'POST', '/me/recovery-codes/rotate');
    expect(res.status, res.text).toBe(200);
    expect(res.body.recovery_codes).toHaveLength(codes.length);
    expect(res.body.recovery_codes).not.toEqual(codes);
    expect((await call(browser, 'POST', '/me/recovery-codes')).body.error.code).toBe('step_up_required');
  });

  it('answers 404 for a member without TOTP, and the view is not spent', async () => {
    const s = seedOrganization(emu());
    const browser = signedIn(emu(), app, s.member.member_id);
    const res = await call(browser, 'POST', '/me/recovery-codes');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('recovery_codes_not_found');
    expect((await call(browser, 'POST', '/me/recovery-codes')).status).toBe(404);
  });
});

describe('my sessions', () => {
  it('lists my sessions with the current one marked', async () => {
    const s = seedOrganization(emu());
    const other = emu().admin.createSession({ member_id: s.member.member_id });
    const browser = signedIn(emu(), app, s.member.member_id);
    const res = await call(browser, 'GET', '/me/sessions');
    expect(res.status).toBe(200);
    expect(res.body.sessions).toHaveLength(2);
    const current = res.body.sessions.filter((x: { current: boolean }) => x.current);
    expect(current).toHaveLength(1);
    const listed = res.body.sessions.find((x: { member_session_id: string }) => x.member_session_id === other.member_session.member_session_id);
    expect(listed).toMatchObject({ current: false, factors: ['magic_link'] });
    expect(Object.keys(listed).sort()).toEqual(['current', 'expires_at', 'factors', 'last_accessed_at', 'member_session_id', 'started_at']);
  });

  it('signs out everywhere: Stytch revokes them, this app refuses them, the cookies are cleared', async () => {
    const s = seedOrganization(emu());
    const elsewhere = signedIn(emu(), app, s.member.member_id);
    expect((await call(elsewhere, 'GET', '/me')).status).toBe(200);
    const browser = signedIn(emu(), app, s.member.member_id);
    const res = await call(browser, 'POST', '/me/sessions/revoke-all');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ status: 'signed_out', revocation: 'confirmed' });
    expect(browser.cookies.size).toBe(0);
    expect((await call(elsewhere, 'GET', '/me')).status).toBe(401);
    const left = await callApi(emu(), 'GET', `/v1/b2b/sessions?organization_id=${s.org.organization_id}&member_id=${s.member.member_id}`);
    expect(left.body.member_sessions).toEqual([]);
  });

  it('still signs out here when Stytch is down (revocation pending)', async () => {
    const s = seedOrganization(emu());
    const browser = signedIn(emu(), app, s.member.member_id);
    await call(browser, 'GET', '/me');
    emu().faults.next('POST /v1/b2b/sessions/revoke', { status: 503 });
    const res = await call(browser, 'POST', '/me/sessions/revoke-all');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'signed_out', revocation: 'pending' });
    expect((await call(browser, 'GET', '/me')).status).toBe(401);
    emu().clock.advance(1_000);
    expect((await call(signedIn(emu(), app, s.member.member_id), 'GET', '/me')).status).toBe(200); // a new sign-in works
  });
});

describe('self routes: refused before anything happens', () => {
  const SELF_ROUTES = [
    ['GET', '/me'],
    ['PATCH', '/me'],
    ['DELETE', '/me/mfa/phone'],
    ['DELETE', '/me/mfa/totp'],
    ['POST', '/me/recovery-codes'],
    ['POST', '/me/recovery-codes/rotate'],
    ['GET', '/me/sessions'],
    ['POST', '/me/sessions/revoke-all'],
  ] as const;

  it('is 401 without a session and for a machine token, on every self route, with no Stytch call', async () => {
    const { token } = await m2mToken(emu(), ['read:me']);
    emu().calls.clear();
    for (const [method, path] of SELF_ROUTES) {
      const signedOut = await call(app.browser(), method, path, method === 'PATCH' ? { name: 'x' } : undefined);
      expect(signedOut.status, `${method} ${path}`).toBe(401);
      expect(signedOut.body.error.code, `${method} ${path}`).toBe('unauthenticated');
      const res = await machines.browser().request(method, `${PREFIX}${path}`, { headers: { authorization: `Bearer ${token}` }, ...(method === 'PATCH' ? { json: { name: 'x' } } : {}) });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body.error.code, `${method} ${path}`).toBe('token_type_not_accepted');
    }
    expect(routeCalls(emu())).toEqual([]);
  });

  it('refuses sign-out-everywhere and factor removal without an Origin (403 csrf_rejected)', async () => {
    const s = seedOrganization(emu());
    const browser = signedIn(emu(), app, s.member.member_id);
    emu().calls.clear();
    for (const [method, path] of [['POST', '/me/sessions/revoke-all'], ['DELETE', '/me/mfa/phone'], ['DELETE', '/me/mfa/totp'], ['PATCH', '/me'], ['POST', '/me/recovery-codes'], ['POST', '/me/recovery-codes/rotate']] as const) {
      const res = await browser.request(method, `${PREFIX}${path}`, { origin: null, json: { name: 'x' } });
      expect(res.status, path).toBe(403);
      expect(res.body.error.code).toBe('csrf_rejected');
    }
    expect(routeCalls(emu())).toEqual([]);
  });
});

/*
 * With Stytch's default policy every member holds `stytch.self: *`, so no plain member is ever
 * refused a self route. This emulator's `stytch_member` holds nothing on `stytch.self`; the
 * `self_service` role gives it back.
 */
describe('self routes under a policy where stytch_member may not manage itself', () => {
  const strict = useEmulator();
  beforeAll(() => {
    const policy = strict().admin.getProjectPolicy();
    policy.roles = [
      ...policy.roles.map((role) => (role.role_id === 'stytch_member' ? { ...role, permissions: [{ resource_id: 'stytch.sso', actions: ['get'] }] } : role)),
      { role_id: 'self_service', description: 'manages itself', permissions: [{ resource_id: 'stytch.self', actions: ['*'] }] },
    ];
    strict().admin.setProjectPolicy(policy);
  });
  const local = useAdminApp(strict);
  const remote = useAdminApp(strict, { admin: { localCheck: false } });
  resetEmulatorBeforeEach(strict);

  const CASES = [
    { method: 'PATCH', path: '/me', body: { name: 'Renamed' }, action: 'update.info.name' },
    { method: 'PATCH', path: '/me', body: { default_mfa_method: 'sms_otp' }, action: 'update.settings.default-mfa-method' },
    { method: 'DELETE', path: '/me/mfa/phone', action: 'update.info.delete.mfa-phone' },
    { method: 'DELETE', path: '/me/mfa/totp', action: 'update.info.delete.mfa-totp' },
    { method: 'POST', path: '/me/sessions/revoke-all', action: 'revoke-sessions' },
  ] as const;

  describe.each(CASES)('$method $path $action', (route) => {
    const body = 'body' in route ? route.body : undefined;

    it('is refused locally for a plain member, with no Stytch call', async () => {
      const s = seedOrganization(strict());
      const browser = signedIn(strict(), local, s.member.member_id);
      await call(browser, 'GET', '/me');
      strict().calls.clear();
      expectPermissionDenied(await call(browser, route.method, route.path, body), 'stytch.self', route.action);
      expect(routeCalls(strict())).toEqual([]);
    });

    it('is refused by Stytch itself when the local check is off, with the same answer', async () => {
      const s = seedOrganization(strict());
      expectPermissionDenied(await call(signedIn(strict(), remote, s.member.member_id), route.method, route.path, body), 'stytch.self', route.action);
      expect(strict().calls.list().some((c) => c.status === 403)).toBe(true);
    });

    it('is allowed for a member holding stytch.self, and for an admin through stytch.member', async () => {
      const s = seedOrganization(strict());
      const selfServe = strict().admin.createMember(s.org.organization_id, { email_address: uniqueEmail('self'), roles: ['self_service'], mfa_phone_number: '+15005550177' });
      for (const memberId of [selfServe.member_id, s.admin.member_id]) {
        const res = await call(signedIn(strict(), local, memberId), route.method, route.path, body);
        // The TOTP route reaches Stytch, which has no TOTP to remove: past every permission check.
        if (route.path === '/me/mfa/totp') expect(res.body.error.code, memberId).toBe('totp_not_found');
        else expect(res.status, `${memberId} ${res.text}`).toBe(200);
      }
    });
  });
});
