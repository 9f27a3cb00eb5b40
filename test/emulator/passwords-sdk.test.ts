/**
 * Every B2B password call driven through the official `stytch` SDK against the emulator: sign-in
 * with and without MFA, the strength check (zxcvbn, LUDS, the offline breached list), a full
 * email reset through the outbox with PKCE, single-use and expiring reset tokens, reset with the
 * existing password or a fresh session, migrate, require reset and the discovery variants.
 */
import { createHash, pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import * as stytch from 'stytch';
import type { B2BPasswordsStrengthCheckResponse } from 'stytch';
import { describe, expect, it, vi } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { useEmulator } from '../helpers/emulator.js';
import { newEmail, newOrg } from './support.js';

const STRONG = 'violet tractor galaxy pebble 93';
const STRONGER = 'quiet orange lantern harbor 71';

function sdkFor(e: Emulator): stytch.B2BClient {
  // The SDK warns once about a custom `env` (reference 1.1); keep the test output clean.
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const client = new stytch.B2BClient({ project_id: e.projectId, secret: e.secret, env: `${e.url}/` });
  warn.mockRestore();
  return client;
}

function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

async function stytchError(promise: Promise<unknown>): Promise<{ status_code: number; error_type: string; error_details?: Record<string, unknown> }> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err, 'expected the call to fail').toBeInstanceOf(stytch.StytchError);
  return err as { status_code: number; error_type: string };
}

function seed(e: Emulator, orgExtra: Record<string, unknown> = {}, memberExtra: Record<string, unknown> = {}) {
  const org = newOrg(e, orgExtra);
  const email = newEmail();
  const member = e.admin.createMember(org.organization_id, { email_address: email, status: 'active', password: STRONG, ...memberExtra });
  return { org, email, member };
}

describe('organization-scoped passwords (project default)', () => {
  const emu = useEmulator();
  const client = () => sdkFor(emu());

  it('scores a weak, breached password invalid with zxcvbn feedback, and a strong one valid', async () => {
    const weak: B2BPasswordsStrengthCheckResponse = await client().passwords.strengthCheck({ password: 'password123' });
    expect(weak).toMatchObject({ valid_password: false, breached_password: true, strength_policy: 'zxcvbn', breach_detection_on_create: true });
    expect(weak.score).toBeLessThan(3);
    expect(weak.zxcvbn_feedback?.warning).not.toBe('');
    expect(Array.isArray(weak.zxcvbn_feedback?.suggestions)).toBe(true);
    const strong = await client().passwords.strengthCheck({ password: STRONG, email_address: 'someone@example.com' });
    expect(strong).toMatchObject({ valid_password: true, breached_password: false, strength_policy: 'zxcvbn' });
    expect(strong.score).toBeGreaterThanOrEqual(3);
  });

  it('counts the email address against the password', async () => {
    const res = await client().passwords.strengthCheck({ password: 'margaretsmith', email_address: 'margaretsmith@example.com' });
    expect(res.valid_password).toBe(false);
  });

  it('signs a member in with the right password and answers one error for a wrong password or an unknown email', async () => {
    const { org, email, member } = seed(emu());
    const ok = await client().passwords.authenticate({ organization_id: org.organization_id, email_address: email, password: STRONG });
    expect(ok.member_authenticated).toBe(true);
    expect(ok.member_id).toBe(member.member_id);
    expect(ok.member_session?.authentication_factors.map((f) => f.type)).toEqual(['password']);
    const wrong = await stytchError(client().passwords.authenticate({ organization_id: org.organization_id, email_address: email, password: STRONGER }));
    const unknown = await stytchError(client().passwords.authenticate({ organization_id: org.organization_id, email_address: newEmail(), password: STRONG }));
    expect([wrong.status_code, wrong.error_type]).toEqual([401, 'unauthorized_credentials']);
    expect([unknown.status_code, unknown.error_type]).toEqual([401, 'unauthorized_credentials']);
  });

  it('continues with MFA like other primary factors: no session, an IST, an SMS code already sent', async () => {
    const e = emu();
    const { org, email, member } = seed(e, { mfa_policy: 'REQUIRED_FOR_ALL' }, { mfa_phone_number: '+15005550006', mfa_enrolled: true });
    const res = await client().passwords.authenticate({ organization_id: org.organization_id, email_address: email, password: STRONG });
    expect(res.member_authenticated).toBe(false);
    expect(res.session_token).toBe('');
    expect(res.intermediate_session_token).not.toBe('');
    expect(res.mfa_required?.secondary_auth_initiated).toBe('sms_otp');
    const code = e.outbox.latest({ kind: 'sms_otp' })!.code!;
    const done = await client().otps.sms.authenticate({ organization_id: org.organization_id, member_id: member.member_id, code, intermediate_session_token: res.intermediate_session_token });
    expect(done.member_session?.authentication_factors.map((f) => f.type).sort()).toEqual(['otp', 'password']);
  });

  it('refuses sign-in with a breached password even when it is right (member_reset_password)', async () => {
    const { org, email } = seed(emu(), {}, { password: 'password123' });
    const err = await stytchError(client().passwords.authenticate({ organization_id: org.organization_id, email_address: email, password: 'password123' }));
    expect([err.status_code, err.error_type]).toEqual([401, 'member_reset_password']);
  });

  it('runs a full email reset through the outbox: PKCE, strength first, single use, old sessions revoked', async () => {
    const e = emu();
    const { org, email, member } = seed(e);
    const old = e.admin.createSession({ member_id: member.member_id });
    const { verifier, challenge } = pkcePair();
    const start = await client().passwords.email.resetStart({ organization_id: org.organization_id, email_address: email, code_challenge: challenge, reset_password_redirect_url: 'http://127.0.0.1:1/reset' });
    expect(start.member_id).toBe(member.member_id);
    expect(start.member_email_id).not.toBe('');
    const message = e.outbox.latest({ to: email, kind: 'password_reset' })!;
    const link = new URL(message.link!);
    expect(link.pathname).toBe('/reset');
    expect(link.searchParams.get('stytch_token_type')).toBe('multi_tenant_passwords');
    expect(link.searchParams.get('slug')).toBe(org.organization_slug);
    const token = link.searchParams.get('token')!;
    expect(token).toBe(message.token);

    const noVerifier = await stytchError(client().passwords.email.reset({ password_reset_token: token, password: STRONGER }));
    expect(noVerifier.error_type).toBe('pkce_expected_code_verifier');
    const weak = await stytchError(client().passwords.email.reset({ password_reset_token: token, password: 'qwerty', code_verifier: verifier }));
    expect([weak.status_code, weak.error_type]).toEqual([400, 'breached_password']);
    const weak2 = await stytchError(client().passwords.email.reset({ password_reset_token: token, password: 'Summer2020', code_verifier: verifier }));
    expect(weak2.error_type).toBe('weak_password');
    expect(weak2.error_details).toMatchObject({ valid_password: false, strength_policy: 'zxcvbn' });

    const done = await client().passwords.email.reset({ password_reset_token: token, password: STRONGER, code_verifier: verifier });
    expect(done.member_authenticated).toBe(true);
    expect(done.member_email_id).toBe(start.member_email_id);
    expect(done.member.email_address_verified).toBe(true);
    await expect(client().sessions.authenticate({ session_token: old.session_token })).rejects.toMatchObject({ error_type: 'session_not_found' });

    const again = await stytchError(client().passwords.email.reset({ password_reset_token: token, password: STRONGER, code_verifier: verifier }));
    expect([again.status_code, again.error_type]).toEqual([401, 'unable_to_auth_password_reset_token']);
    const signIn = await client().passwords.authenticate({ organization_id: org.organization_id, email_address: email, password: STRONGER });
    expect(signIn.member_authenticated).toBe(true);
    await stytchError(client().passwords.authenticate({ organization_id: org.organization_id, email_address: email, password: STRONG }));
  });

  it('refuses an expired reset token, a token of another type and a PKCE-less reset given a verifier', async () => {
    const e = emu();
    const { org, email } = seed(e);
    await client().passwords.email.resetStart({ organization_id: org.organization_id, email_address: email, reset_password_expiration_minutes: 5 });
    const token = e.outbox.latest({ to: email, kind: 'password_reset' })!.token!;
    const unexpected = await stytchError(client().passwords.email.reset({ password_reset_token: token, password: STRONGER, code_verifier: pkcePair().verifier }));
    expect(unexpected.error_type).toBe('pkce_did_not_expect_code_verifier');
    e.clock.advance(5 * 60_000 + 1);
    const expired = await stytchError(client().passwords.email.reset({ password_reset_token: token, password: STRONGER }));
    expect([expired.status_code, expired.error_type]).toEqual([401, 'unable_to_auth_password_reset_token']);
    await client().magicLinks.email.loginOrSignup({ organization_id: org.organization_id, email_address: email });
    const magic = e.outbox.latest({ to: email, kind: 'login_magic_link' })!.token!;
    const other = await stytchError(client().passwords.email.reset({ password_reset_token: magic, password: STRONGER }));
    expect(other.error_type).toBe('unable_to_auth_password_reset_token');
  });

  it('a new reset email replaces the earlier token', async () => {
    const e = emu();
    const { org, email } = seed(e);
    await client().passwords.email.resetStart({ organization_id: org.organization_id, email_address: email });
    const first = e.outbox.latest({ to: email, kind: 'password_reset' })!.token!;
    await client().passwords.email.resetStart({ organization_id: org.organization_id, email_address: email });
    expect((await stytchError(client().passwords.email.reset({ password_reset_token: first, password: STRONGER }))).error_type).toBe('unable_to_auth_password_reset_token');
  });

  it('resets with the existing password, refusing a wrong one and the same one', async () => {
    const { org, email } = seed(emu());
    const base = { organization_id: org.organization_id, email_address: email };
    expect((await stytchError(client().passwords.existingPassword.reset({ ...base, existing_password: STRONGER, new_password: STRONGER }))).error_type).toBe('unauthorized_credentials');
    expect((await stytchError(client().passwords.existingPassword.reset({ ...base, existing_password: STRONG, new_password: STRONG }))).error_type).toBe('cannot_reset_password_with_existing_password');
    expect((await stytchError(client().passwords.existingPassword.reset({ ...base, existing_password: STRONG, new_password: 'letmein' }))).error_type).toBe('breached_password');
    const res = await client().passwords.existingPassword.reset({ ...base, existing_password: STRONG, new_password: STRONGER });
    expect(res.member_authenticated).toBe(true);
    expect((await client().passwords.authenticate({ ...base, password: STRONGER })).member_authenticated).toBe(true);
  });

  it('resets with a session only while one of its factors is less than 5 minutes old, keeping that session', async () => {
    const e = emu();
    const { org, member, email } = seed(e);
    const session = e.admin.createSession({ member_id: member.member_id, factors: ['magic_link'] });
    const other = e.admin.createSession({ member_id: member.member_id, factors: ['magic_link'] });
    const res = await client().passwords.sessions.reset({ organization_id: org.organization_id, session_token: session.session_token, password: STRONGER });
    expect(res.member_authenticated).toBe(true);
    expect(res.member_session?.member_session_id).toBe(session.member_session.member_session_id);
    expect(res.member.member_password_id).not.toBe('');
    await expect(client().sessions.authenticate({ session_token: other.session_token })).rejects.toMatchObject({ error_type: 'session_not_found' });
    e.clock.advance(5 * 60_000 + 1_000);
    const stale = await stytchError(client().passwords.sessions.reset({ organization_id: org.organization_id, session_token: session.session_token, password: STRONG }));
    expect([stale.status_code, stale.error_type]).toEqual([400, 'session_too_old_to_reset_password']);
    expect((await client().passwords.authenticate({ organization_id: org.organization_id, email_address: email, password: STRONGER })).member_authenticated).toBe(true);
  });

  it('migrates a salted hash that then signs in, once per member', async () => {
    const e = emu();
    const org = newOrg(e);
    const email = newEmail();
    const hash = createHash('md5').update(`salt${STRONG}`).digest('hex');
    const res = await client().passwords.migrate({ organization_id: org.organization_id, email_address: email, hash, hash_type: 'md_5', md_5_config: { prepend_salt: 'salt', append_salt: '' }, name: 'Migrated' });
    expect(res.member_created).toBe(true);
    expect(res.member.email_address_verified).toBe(true);
    expect((await client().passwords.authenticate({ organization_id: org.organization_id, email_address: email, password: STRONG })).member_authenticated).toBe(true);
    expect((await stytchError(client().passwords.migrate({ organization_id: org.organization_id, email_address: email, hash, hash_type: 'md_5' }))).error_type).toBe('password_already_exists');
    expect((await stytchError(client().passwords.migrate({ organization_id: org.organization_id, email_address: newEmail(), hash, hash_type: 'rot13' }))).error_type).toBe('invalid_argument');
  });

  it('migrates PBKDF2 and scrypt hashes that then sign in', async () => {
    const e = emu();
    const org = newOrg(e);
    const salt = randomBytes(16);
    const pbkdf2Email = newEmail();
    const pbkdf2 = pbkdf2Sync(STRONG, salt, 1000, 32, 'sha256').toString('base64');
    await client().passwords.migrate({ organization_id: org.organization_id, email_address: pbkdf2Email, hash: pbkdf2, hash_type: 'pbkdf_2', pbkdf_2_config: { salt: salt.toString('base64'), iteration_amount: 1000, key_length: 32, algorithm: 'sha256' } });
    expect((await client().passwords.authenticate({ organization_id: org.organization_id, email_address: pbkdf2Email, password: STRONG })).member_authenticated).toBe(true);
    const scryptEmail = newEmail();
    const scrypt = scryptSync(STRONG, salt, 32, { N: 1024, r: 8, p: 1 }).toString('base64');
    await client().passwords.migrate({ organization_id: org.organization_id, email_address: scryptEmail, hash: scrypt, hash_type: 'scrypt', scrypt_config: { salt: salt.toString('base64'), n_parameter: 1024, r_parameter: 8, p_parameter: 1, key_length: 32 } });
    expect((await client().passwords.authenticate({ organization_id: org.organization_id, email_address: scryptEmail, password: STRONG })).member_authenticated).toBe(true);
    expect((await stytchError(client().passwords.authenticate({ organization_id: org.organization_id, email_address: scryptEmail, password: STRONGER }))).error_type).toBe('unauthorized_credentials');
  });

  it("changing a member's email clears its password", async () => {
    const { org, member, email } = seed(emu());
    const updated = await client().organizations.members.update({ organization_id: org.organization_id, member_id: member.member_id, email_address: newEmail() });
    expect(updated.member.member_password_id).toBe('');
    await stytchError(client().passwords.authenticate({ organization_id: org.organization_id, email_address: email, password: STRONG }));
  });

  it('refuses the discovery and require-reset calls without cross-organization passwords', async () => {
    const { email } = seed(emu());
    expect((await stytchError(client().passwords.discovery.authenticate({ email_address: email, password: STRONG }))).error_type).toBe('cross_org_passwords_not_enabled');
    expect((await stytchError(client().passwords.email.requireReset({ email_address: email }))).error_type).toBe('cross_org_passwords_not_enabled');
  });
});

describe('cross-organization passwords', () => {
  const emu = useEmulator({ passwords: { crossOrganization: true } });
  const client = () => sdkFor(emu());

  it('discovery sign-in answers an IST and the organizations of the address', async () => {
    const e = emu();
    const { email, org } = seed(e);
    const second = newOrg(e);
    e.admin.createMember(second.organization_id, { email_address: email, status: 'active' });
    const res = await client().passwords.discovery.authenticate({ email_address: email, password: STRONG });
    expect(res.intermediate_session_token).not.toBe('');
    expect(res.discovered_organizations.map((d) => d.organization?.organization_id).sort()).toEqual([org.organization_id, second.organization_id].sort());
    const exchanged = await client().discovery.intermediateSessions.exchange({ intermediate_session_token: res.intermediate_session_token, organization_id: org.organization_id });
    expect(exchanged.member_authenticated).toBe(true);
  });

  it('require reset blocks password sign-in until a discovery reset through the outbox', async () => {
    const e = emu();
    const { email, org } = seed(e);
    const second = newOrg(e);
    e.admin.createMember(second.organization_id, { email_address: email, status: 'active', password: STRONG });
    const required = await client().passwords.email.requireReset({ email_address: email, organization_id: org.organization_id });
    expect(required.member_id).toBeDefined();
    const blocked = await stytchError(client().passwords.authenticate({ organization_id: org.organization_id, email_address: email, password: STRONG }));
    expect(blocked.error_type).toBe('member_reset_password');

    const { verifier, challenge } = pkcePair();
    await client().passwords.discovery.email.resetStart({ email_address: email, pkce_code_challenge: challenge });
    const message = e.outbox.latest({ to: email, kind: 'discovery_password_reset' })!;
    const link = new URL(message.link!);
    expect(link.searchParams.get('stytch_token_type')).toBe('discovery');
    expect(link.searchParams.get('stytch_redirect_type')).toBe('reset_password');
    const token = link.searchParams.get('token')!;
    expect((await stytchError(client().passwords.email.reset({ password_reset_token: token, password: STRONGER }))).error_type).toBe('unable_to_auth_password_reset_token');
    const reset = await client().passwords.discovery.email.reset({ password_reset_token: token, password: STRONGER, pkce_code_verifier: verifier });
    expect(reset.email_address).toBe(email);
    expect(reset.discovered_organizations).toHaveLength(2);
    for (const o of [org, second]) {
      expect((await client().passwords.authenticate({ organization_id: o.organization_id, email_address: email, password: STRONGER })).member_authenticated).toBe(true);
    }
    expect((await stytchError(client().passwords.discovery.email.reset({ password_reset_token: token, password: STRONGER, pkce_code_verifier: verifier }))).error_type).toBe('unable_to_auth_password_reset_token');
  });
});

/** Asserts every field the SDK declares as required is present with its declared primitive type. */
function expectDeclared(res: object, fields: Record<string, 'string' | 'number' | 'boolean' | 'object'>): void {
  const body = res as Record<string, unknown>;
  for (const [name, type] of Object.entries({ request_id: 'string', status_code: 'number', ...fields })) {
    expect(typeof body[name], name).toBe(type);
    if (type === 'object') expect(body[name], name).not.toBeNull();
  }
}

describe('answers carry every field the SDK declares as required', () => {
  const emu = useEmulator({ passwords: { crossOrganization: true } });
  const primary = { member_id: 'string', member: 'object', session_token: 'string', session_jwt: 'string', organization: 'object', intermediate_session_token: 'string', member_authenticated: 'boolean' } as const;

  it('for every password call', async () => {
    const e = emu();
    const client = sdkFor(e);
    const { org, email, member } = seed(e);
    const base = { organization_id: org.organization_id, email_address: email };
    expectDeclared(await client.passwords.strengthCheck({ password: STRONG }), { valid_password: 'boolean', score: 'number', breached_password: 'boolean', strength_policy: 'string', breach_detection_on_create: 'boolean' });
    expectDeclared(await client.passwords.authenticate({ ...base, password: STRONG }), { ...primary, organization_id: 'string' });
    expectDeclared(await client.passwords.email.resetStart(base), { member_id: 'string', member_email_id: 'string', member: 'object' });
    const token = e.outbox.latest({ to: email, kind: 'password_reset' })!.token!;
    expectDeclared(await client.passwords.email.reset({ password_reset_token: token, password: STRONGER }), { ...primary, member_email_id: 'string', organization_id: 'string' });
    expectDeclared(await client.passwords.existingPassword.reset({ ...base, existing_password: STRONGER, new_password: STRONG }), primary);
    const session = e.admin.createSession({ member_id: member.member_id });
    expectDeclared(await client.passwords.sessions.reset({ organization_id: org.organization_id, session_token: session.session_token, password: STRONGER }), primary);
    expectDeclared(await client.passwords.migrate({ organization_id: org.organization_id, email_address: newEmail(), hash: 'ab'.repeat(16), hash_type: 'md_5' }), { member_id: 'string', member_created: 'boolean', member: 'object', organization: 'object' });
    const discovery = { email_address: 'string', intermediate_session_token: 'string', discovered_organizations: 'object' } as const;
    expectDeclared(await client.passwords.discovery.authenticate({ email_address: email, password: STRONGER }), discovery);
    expectDeclared(await client.passwords.discovery.email.resetStart({ email_address: email }), {});
    const discoveryToken = e.outbox.latest({ to: email, kind: 'discovery_password_reset' })!.token!;
    expectDeclared(await client.passwords.discovery.email.reset({ password_reset_token: discoveryToken, password: STRONG }), discovery);
    expectDeclared(await client.passwords.email.requireReset({ email_address: email }), {});
  });
});

describe('a LUDS password policy', () => {
  const emu = useEmulator({ passwords: { validationPolicy: 'luds', ludsMinPasswordLength: 10, ludsMinPasswordComplexity: 3 } });

  it('reports the missing classes and characters, and accepts a password that meets them', async () => {
    const client = sdkFor(emu());
    const short = await client.passwords.strengthCheck({ password: 'abc123' });
    expect(short).toMatchObject({ valid_password: false, score: 0, strength_policy: 'luds' });
    expect(short.luds_feedback).toEqual({ has_lower_case: true, has_upper_case: false, has_digit: true, has_symbol: false, missing_complexity: 1, missing_characters: 4 });
    const good = await client.passwords.strengthCheck({ password: 'Abcdefgh12' });
    expect(good.valid_password).toBe(true);
  });
});
