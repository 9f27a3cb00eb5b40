/**
 * The example app's admin routes and admin pages over plain HTTP (no browser): the JSON API a
 * front end would call with a member's session JWT, machine tokens refused there, and the pages'
 * guards and CSRF check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExample, type RunningExample } from '../../examples/express-app/example.js';

describe('example admin routes and pages over HTTP', () => {
  let example: RunningExample;
  beforeAll(async () => {
    example = await startExample({ port: 0, env: {} });
  });
  afterAll(async () => {
    await example?.close();
  });

  const acme = () => example.seed!.organizations.acme.id;
  /** A session JWT of a new Acme member (an admin when the address starts with "admin"), made by the emulator. */
  const jwtOf = (email: string): string => {
    const emulator = example.emulator!;
    const member = emulator.admin.createMember(acme(), { email_address: email, name: 'HTTP Test', roles: email.startsWith('admin') ? ['stytch_admin'] : [] });
    return emulator.admin.createSession({ member_id: member.member_id }).session_jwt;
  };

  it('answers GET /api/org/members to an admin bearer session JWT with the trimmed member views, no-store', async () => {
    const res = await fetch(`${example.url}/api/org/members?q=bob@`, { headers: { authorization: `Bearer ${jwtOf(`admin-${Date.now()}@example.com`)}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('no-store');
    const body = (await res.json()) as { members: { email_address: string; roles: string[] }[]; total: number };
    expect(body.members.map((m) => m.email_address)).toEqual(['bob@example.com']);
    expect(body.members[0]!.roles).toContain('documents_editor');
  });

  it('refuses a plain member with 403 permission_denied naming the permission', async () => {
    const res = await fetch(`${example.url}/api/org/members`, { headers: { authorization: `Bearer ${jwtOf(`plain-${Date.now()}@example.com`)}` } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'permission_denied', permission: { resource_id: 'stytch.member', action: 'search' } } });
  });

  it('refuses an M2M access token on the admin routes (members only)', async () => {
    const created = await fetch(`${example.url}/dev/m2m-clients`, { method: 'POST', headers: { origin: example.url } });
    const client = (await created.json()) as { client_id: string; client_secret: string; token_url: string };
    const token = await fetch(client.token_url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret, scope: 'read:documents' }),
    });
    const { access_token } = (await token.json()) as { access_token: string };
    const res = await fetch(`${example.url}/api/org/members`, { headers: { authorization: `Bearer ${access_token}` } });
    expect([401, 403]).toContain(res.status);
    expect(await res.json()).toMatchObject({ error: { code: 'token_type_not_accepted' } });
  });

  it('refuses a cross-origin post with the session cookie, to the M2M page and to the admin routes (csrf_rejected), creating nothing', async () => {
    // The cookie a browser would attach by itself (a bearer token is never sent by itself, so it is not checked).
    const cookie = `stytch_session_jwt=${jwtOf(`admin-csrf-${Date.now()}@example.com`)}`;
    const page = await fetch(`${example.url}/admin/m2m`, {
      method: 'POST',
      headers: { origin: 'http://127.0.0.1:1', cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'client_name=planted&scopes=read%3Adocuments',
      redirect: 'manual',
    });
    expect(page.status).toBe(403);
    expect(await page.json()).toMatchObject({ error: { code: 'csrf_rejected' } });
    const route = await fetch(`${example.url}/api/org/members/invite`, {
      method: 'POST',
      headers: { origin: 'http://127.0.0.1:1', cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ email_address: 'planted@example.com' }),
    });
    expect(route.status).toBe(403);
    expect(await route.json()).toMatchObject({ error: { code: 'csrf_rejected' } });
    expect(example.emulator!.outbox.latest({ to: 'planted@example.com' })).toBeUndefined();
  });

  it('serves the M2M page only to members with the integrations permission', async () => {
    const member = await fetch(`${example.url}/admin/m2m`, { headers: { authorization: `Bearer ${jwtOf(`plain-m2m-${Date.now()}@example.com`)}`, accept: 'application/json' } });
    expect(member.status).toBe(403);
    const admin = await fetch(`${example.url}/admin/m2m`, { headers: { authorization: `Bearer ${jwtOf(`admin-m2m-${Date.now()}@example.com`)}` } });
    expect(admin.status).toBe(200);
    expect(admin.headers.get('cache-control')).toBe('no-store');
  });
});
