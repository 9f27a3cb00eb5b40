import * as stytch from 'stytch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, totp } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/index.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ quiet: true, maxBodyBytes: 4096 });
});
afterAll(async () => {
  await emu.close();
});

const auth = (): string => 'Basic ' + Buffer.from(`${emu.projectId}:${emu.secret}`).toString('base64');

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(emu.url + path, {
    method,
    headers: { authorization: auth(), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

function seed() {
  const org = emu.admin.createOrganization({ organization_name: 'Smoke', organization_slug: `smoke-${Math.random().toString(36).slice(2, 8)}` });
  const member = emu.admin.createMember(org.organization_id, { email_address: `m-${Math.random().toString(36).slice(2, 8)}@smoke.test`, roles: ['stytch_admin'] });
  return { org, member };
}

describe('emulator smoke', () => {
  it('answers an unknown route with a Stytch-shaped JSON 404', async () => {
    const { status, json } = await call('GET', '/v1/b2b/nope');
    expect(status).toBe(404);
    expect(json).toMatchObject({ status_code: 404, error_type: 'route_not_found', error_url: 'https://stytch.com/docs/api/errors/404' });
    expect(json.request_id).toMatch(/^request-id-test-/);
  });

  it('refuses a body over maxBodyBytes with 413 request_too_large', async () => {
    const { status, json } = await call('POST', '/v1/b2b/sessions/authenticate', { session_token: 'x'.repeat(10_000) });
    expect(status).toBe(413);
    expect(json.error_type).toBe('request_too_large');
  });

  it('serves sessions that the official SDK verifies locally and remotely', async () => {
    const { org, member } = seed();
    const session = emu.admin.createSession({ member_id: member.member_id, custom_claims: { plan: 'pro' } });
    const client = new stytch.B2BClient({ project_id: emu.projectId, secret: emu.secret, env: `${emu.url}/` });
    const local = await client.sessions.authenticateJwtLocal({ session_jwt: session.session_jwt });
    expect(local.member_id).toBe(member.member_id);
    expect(local.custom_claims).toEqual({ plan: 'pro' });
    const remote = await client.sessions.authenticate({
      session_token: session.session_token,
      authorization_check: { organization_id: org.organization_id, resource_id: 'stytch.member', action: 'delete' },
    });
    expect(remote.verdict).toEqual({ authorized: true, granting_roles: ['stytch_admin'] });
  });

  it('answers wrong-typed fields on every flow endpoint with a 4xx, never a 500', async () => {
    const { org, member } = seed();
    const weird: unknown[] = [42, true, ['a'], { a: 1 }, '', 'x'];
    const fields = ['organization_id', 'member_id', 'email_address', 'session_token', 'session_jwt', 'intermediate_session_token', 'code',
      'magic_links_token', 'session_duration_minutes', 'session_custom_claims', 'authorization_check', 'roles', 'query', 'org_policy', 'mfa_phone_number'];
    const endpoints: [string, string][] = [
      ['POST', '/v1/b2b/sessions/authenticate'], ['POST', '/v1/b2b/sessions/revoke'], ['POST', '/v1/b2b/sessions/exchange'],
      ['POST', '/v1/b2b/magic_links/email/login_or_signup'], ['POST', '/v1/b2b/magic_links/authenticate'], ['POST', '/v1/b2b/otps/sms/send'],
      ['POST', '/v1/b2b/totp'], ['POST', '/v1/b2b/discovery/organizations'], ['POST', '/v1/b2b/organizations/search'],
      ['POST', `/v1/b2b/organizations/${org.organization_id}/members`], ['PUT', `/v1/b2b/organizations/${org.organization_id}/members/${member.member_id}`],
      ['PUT', `/v1/b2b/rbac/organizations/${org.organization_id}`], ['POST', '/v1/b2b/organizations/members/search'],
    ];
    for (const [method, path] of endpoints) {
      for (const field of fields) {
        for (const value of weird) {
          const { status, json } = await call(method, path, { organization_id: org.organization_id, member_id: member.member_id, [field]: value });
          expect(status, `${method} ${path} ${field}=${JSON.stringify(value)} → ${JSON.stringify(json)}`).toBeLessThan(500);
        }
      }
    }
  });

  it('exports an RFC 6238 totp helper', () => {
    // RFC 6238 appendix B, SHA-1 seed "12345678901234567890" in base32.
    expect(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 59_000)).toBe('287082');
  });
});
