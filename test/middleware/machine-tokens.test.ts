/**
 * M2M and Connected-App access tokens through stytchAuth() and the guards, against the emulator
 * over real HTTP: opt-in per middleware and per guard, the machine auth object, requireScope,
 * requirePermission through the policy's scopes, and the RFC 6750 refusals.
 */
import express from 'express';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { getStytchAuth } from '../../src/middleware/auth-object.js';
import { requireAuth } from '../../src/middleware/require-auth.js';
import { requirePermission } from '../../src/middleware/require-permission.js';
import { requireRole } from '../../src/middleware/require-role.js';
import { requireScope } from '../../src/middleware/require-scope.js';
import type { StytchAuthOptions } from '../../src/middleware/options.js';
import { stytchAuth } from '../../src/middleware/stytch-auth.js';
import { useEmulator } from '../helpers/emulator.js';
import { DOCUMENTS_POLICY, connectedAppToken, m2mToken } from '../helpers/machine.js';
import { emulatorOptions, get, listen, newSession, onCleanup } from './support.js';

const emu = useEmulator({ policy: DOCUMENTS_POLICY });

async function app(options: StytchAuthOptions = { acceptsToken: ['session', 'm2m', 'connected_app'] }) {
  const auth = stytchAuth(emulatorOptions(emu(), options));
  onCleanup(() => auth.close());
  const a = express();
  a.use(auth);
  a.get('/me', (req, res) => {
    const who = getStytchAuth(req);
    if (who.status === 'machine') res.json({ ...who, hasScopes: undefined, readsDocuments: who.hasScopes('read:documents') });
    else res.json({ status: who.status, ...(who.status === 'signed_out' ? { reason: who.reason } : {}) });
  });
  a.get('/any', requireAuth({ acceptsToken: ['session', 'm2m', 'connected_app'] }), (_req, res) => res.json({ ok: true }));
  a.get('/members', requireAuth(), (_req, res) => res.json({ ok: true }));
  a.get('/machines', requireAuth({ acceptsToken: ['m2m'] }), (_req, res) => res.json({ ok: true }));
  a.get('/sync', requireScope('read:documents', 'write:documents'), (_req, res) => res.json({ ok: true }));
  const all = { acceptsToken: ['session', 'm2m', 'connected_app'] } as const;
  a.get('/docs', requirePermission('documents', 'read', all), (_req, res) => res.json({ ok: true }));
  a.get('/docs/members', requirePermission('documents', 'read'), (_req, res) => res.json({ ok: true }));
  a.get('/docs/delete', requirePermission('documents', 'delete', all), (_req, res) => res.json({ ok: true }));
  a.get('/orgs/:orgId/docs', requirePermission('documents', 'read', { ...all, organizationParam: 'orgId' }), (_req, res) => res.json({ ok: true }));
  a.get('/admin', requireRole('editor'), (_req, res) => res.json({ ok: true }));
  const { url } = await listen(a);
  return { url, auth };
}

describe('machine tokens in stytchAuth()', () => {
  it('attaches a machine auth object for an M2M token, then serves the same token from the cache', async () => {
    const { url } = await app();
    const { token, clientId } = await m2mToken(emu(), ['read:documents', 'write:documents']);
    const first = await get(`${url}/me`, { bearer: token });
    expect(first.body).toMatchObject({ status: 'machine', isAuthenticated: false, tokenType: 'm2m', clientId, subject: clientId, scopes: ['read:documents', 'write:documents'], verifiedBy: 'local_jwt', credential: 'bearer', readsDocuments: true });
    expect(first.body).not.toHaveProperty('memberId');
    emu().calls.clear();
    const second = await get(`${url}/me`, { bearer: token });
    expect(second.body).toMatchObject({ status: 'machine', verifiedBy: 'cache' });
    expect(emu().calls.count()).toBe(0);
  });

  it('reads the organization of a Connected-App token and its client id claim', async () => {
    const { url } = await app();
    const ca = connectedAppToken(emu(), ['read:documents']);
    const res = await get(`${url}/me`, { bearer: ca.token });
    expect(res.body).toMatchObject({ status: 'machine', tokenType: 'connected_app', clientId: ca.clientId, subject: ca.memberId, organizationId: ca.organizationId, organizationSlug: ca.organizationSlug, scopes: ['read:documents'] });
  });

  it('only accepts the kinds it was given: a Connected-App token where only M2M is accepted is signed out', async () => {
    const { url } = await app({ acceptsToken: ['session', 'm2m'] });
    const ca = connectedAppToken(emu(), ['read:documents']);
    expect((await get(`${url}/me`, { bearer: ca.token })).body).toEqual({ status: 'signed_out', reason: 'token_type_not_accepted' });
  });

  it('never takes a machine token from a cookie', async () => {
    const { url } = await app();
    const { token } = await m2mToken(emu(), ['read:documents']);
    expect((await get(`${url}/me`, { cookie: `stytch_session_jwt=${token}` })).body).toEqual({ status: 'signed_out', reason: 'not_a_session_token' });
  });

  it('refuses an acceptsToken that is empty or names an unknown kind, at construction', () => {
    expect(() => stytchAuth(emulatorOptions(emu(), { acceptsToken: [] }))).toThrow(ConfigError);
    expect(() => stytchAuth(emulatorOptions(emu(), { acceptsToken: ['session', 'api_key' as never] }))).toThrow(/acceptsToken/);
    expect(() => requireAuth({ acceptsToken: ['robots' as never] })).toThrow(ConfigError);
    expect(() => requireScope('read:documents', { acceptsToken: ['session' as never] })).toThrow(ConfigError);
    expect(() => requireScope('read documents')).toThrow(ConfigError);
    expect(() => requireScope()).toThrow(ConfigError);
  });
});

describe('requireAuth with machine callers', () => {
  it('lets a machine through only where the route opted in; requireAuth() and requirePermission() default to members', async () => {
    const { url } = await app();
    const { token } = await m2mToken(emu(), ['read:documents']);
    expect((await get(`${url}/any`, { bearer: token })).status).toBe(200);
    const refused = await get(`${url}/members`, { bearer: token });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('token_type_not_accepted');
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await get(`${url}/docs/members`, { bearer: token })).body.error.code).toBe('token_type_not_accepted');
  });

  it('refuses a member session on a machines-only route', async () => {
    const { url } = await app();
    const s = newSession(emu());
    expect((await get(`${url}/members`, { bearer: s.session_jwt })).status).toBe(200);
    const refused = await get(`${url}/machines`, { bearer: s.session_jwt });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('token_type_not_accepted');
  });

  it('keeps refusing machines everywhere by default (acceptsToken not set)', async () => {
    const { url } = await app({});
    const { token } = await m2mToken(emu(), ['read:documents']);
    const res = await get(`${url}/members`, { bearer: token });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('never lets a machine reach a member-only guard such as requireRole', async () => {
    const { url } = await app();
    const { token } = await m2mToken(emu(), ['read:documents']);
    const res = await get(`${url}/admin`, { bearer: token });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('token_type_not_accepted');
  });
});

describe('requireScope', () => {
  it('passes a token holding every required scope', async () => {
    const { url } = await app();
    const { token } = await m2mToken(emu(), ['read:documents', 'write:documents']);
    expect((await get(`${url}/sync`, { bearer: token })).status).toBe(200);
  });

  it('answers 403 insufficient_scope naming the missing scope, with an RFC 6750 challenge', async () => {
    const { url } = await app();
    const { token } = await m2mToken(emu(), ['read:documents', 'write:documents'], ['read:documents']);
    const res = await get(`${url}/sync`, { bearer: token });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('insufficient_scope');
    expect(res.body.error.message).toContain('write:documents');
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="read:documents write:documents"');
  });

  it('applies the SDK rule: a granted action:* covers every resource of that action', async () => {
    const { url } = await app();
    const { token } = await m2mToken(emu(), ['read:*', 'write:*']);
    expect((await get(`${url}/sync`, { bearer: token })).status).toBe(200);
  });

  it('answers 401 invalid_token for a token that does not verify, and refuses member sessions', async () => {
    const { url } = await app();
    const bad = await get(`${url}/sync`, { bearer: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    const member = newSession(emu(), { roles: ['editor'] });
    const res = await get(`${url}/sync`, { bearer: member.session_jwt });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('token_type_not_accepted');
  });
});

describe('requirePermission with machine callers', () => {
  it('grants through the policy scope mapping, for members through their roles on the same route', async () => {
    const { url } = await app();
    const reader = await m2mToken(emu(), ['read:documents']);
    expect((await get(`${url}/docs`, { bearer: reader.token })).status).toBe(200);
    const writer = await m2mToken(emu(), ['write:documents']);
    expect((await get(`${url}/docs`, { bearer: writer.token })).status).toBe(200);
    const member = newSession(emu(), { roles: ['editor'] });
    expect((await get(`${url}/docs`, { bearer: member.session_jwt })).status).toBe(200);
  });

  it('refuses a token whose scopes map to no such permission with 403 insufficient_scope naming the scopes that would', async () => {
    const { url } = await app();
    const reader = await m2mToken(emu(), ['read:documents']);
    const res = await get(`${url}/docs/delete`, { bearer: reader.token });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('insufficient_scope');
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="admin:documents"');
  });

  it('checks tenancy against the token organization: a Connected App passes for its own organization only; M2M never on an organization route', async () => {
    const { url } = await app();
    const ca = connectedAppToken(emu(), ['read:documents']);
    expect((await get(`${url}/orgs/${ca.organizationId}/docs`, { bearer: ca.token })).status).toBe(200);
    expect((await get(`${url}/orgs/${ca.organizationSlug}/docs`, { bearer: ca.token })).status).toBe(200);
    const other = await get(`${url}/orgs/organization-test-other/docs`, { bearer: ca.token });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('tenancy_mismatch');
    const m2m = await m2mToken(emu(), ['read:documents']);
    expect((await get(`${url}/orgs/${ca.organizationId}/docs`, { bearer: m2m.token })).body.error.code).toBe('tenancy_mismatch');
  });
});
