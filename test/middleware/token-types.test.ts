import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { SESSION_CLAIM } from '../../src/client/types.js';
import { getStytchAuth } from '../../src/middleware/auth-object.js';
import { stytchAuth } from '../../src/middleware/stytch-auth.js';
import { callApi, settleFaults, useEmulator } from '../helpers/emulator.js';
import { withClaims } from '../helpers/tokens.js';
import { emulatorOptions, get, listen, newSession, onCleanup, startApp } from './support.js';

const emu = useEmulator();
const AUTHENTICATE = 'POST /v1/b2b/sessions/authenticate';
afterEach(() => {
  settleFaults(emu());
});

/** An M2M-style access token from the same project: same key, iss, aud and typ, a scope and no session claim. */
function machineToken(sessionJwt: string): string {
  return withClaims(emu(), sessionJwt, (p) => {
    delete p[SESSION_CLAIM];
    delete p['https://stytch.com/organization'];
    p.sub = 'm2m-client-test-1';
    p.scope = 'read:users write:users';
  });
}

async function intermediateSessionToken(): Promise<string> {
  const token = emu().admin.issueOAuthToken({ email_address: `ist-${Date.now()}@example.com` });
  const res = await callApi(emu(), 'POST', '/v1/b2b/oauth/discovery/authenticate', { discovery_oauth_token: token });
  expect(res.status).toBe(200);
  return res.body.intermediate_session_token as string;
}

describe('catalogue section 4: token-type confusion', () => {
  it('catalogue #31: an M2M access token is not a session, as bearer or cookie, with no upstream call', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    const m2m = machineToken(s.session_jwt);
    emu().calls.clear();
    expect((await get(`${app.url}/private`, { bearer: m2m })).status).toBe(401);
    expect((await get(`${app.url}/me`, { cookie: `stytch_session_jwt=${m2m}` })).body).toEqual({ status: 'signed_out', reason: 'not_a_session_token' });
    expect(emu().calls.count(AUTHENTICATE)).toBe(0);
  });

  it('catalogue #32: an intermediate session token in the bearer header is refused without an upstream call', async () => {
    const app = await startApp(emu());
    const ist = await intermediateSessionToken();
    emu().calls.clear();
    const res = await get(`${app.url}/private`, { bearer: ist });
    expect(res.status).toBe(401);
    expect(emu().calls.count()).toBe(0);
  });

  it('catalogue #32: an intermediate session token in the session cookie is not a session', async () => {
    const app = await startApp(emu());
    const ist = await intermediateSessionToken();
    const res = await get(`${app.url}/private`, { cookie: `stytch_session=${ist}` });
    expect(res.status).toBe(401);
    expect(res.setCookies.some((line) => line.startsWith('stytch_session=;'))).toBe(true);
  });

  it('catalogue #35: auth.can() only ever decides within the organization named by the token', async () => {
    const auth = stytchAuth(emulatorOptions(emu()));
    onCleanup(() => auth.close());
    const app = express();
    app.use(auth);
    app.get('/can', async (req, res) => {
      const a = getStytchAuth(req);
      if (!a.isAuthenticated) return void res.status(401).end();
      await auth.context.policyCache.get(a.organizationId);
      res.json({ self: a.can('stytch.self', 'update.info.name'), members: a.can('stytch.member', 'delete'), org: a.organizationId });
    });
    const { url } = await listen(app);
    const member = newSession(emu());
    const admin = newSession(emu(), { roles: ['stytch_admin'] });
    expect((await get(`${url}/can`, { bearer: member.session_jwt })).body).toEqual({ self: true, members: false, org: member.organization_id });
    expect((await get(`${url}/can`, { bearer: admin.session_jwt })).body).toEqual({ self: true, members: true, org: admin.organization_id });
  });
});

describe('RBAC integration', () => {
  it('can() fails closed before the policy is cached, and the middleware preloads it without blocking', async () => {
    const auth = stytchAuth(emulatorOptions(emu()));
    onCleanup(() => auth.close());
    const app = express();
    app.use(auth);
    app.get('/can', (req, res) => {
      const a = getStytchAuth(req);
      res.json({ can: a.isAuthenticated && a.can('stytch.self', 'update.info.name') });
    });
    const { url } = await listen(app);
    const s = newSession(emu());
    emu().calls.clear();
    expect((await get(`${url}/can`, { bearer: s.session_jwt })).body).toEqual({ can: false });
    await auth.context.policyCache.get(s.organization_id);
    expect(emu().calls.count('GET /v1/b2b/rbac/policy')).toBe(1);
    expect((await get(`${url}/can`, { bearer: s.session_jwt })).body).toEqual({ can: true });
  });

  it('preload can be turned off', async () => {
    const app = await startApp(emu(), { rbac: { preload: false } });
    const s = newSession(emu());
    emu().calls.clear();
    await get(`${app.url}/me`, { bearer: s.session_jwt });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(emu().calls.count(/rbac/)).toBe(0);
  });
});
