import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import connect from 'connect';
import type express from 'express';
import { describe, expect, it } from 'vitest';
import { StytchB2BClient } from '../../src/client/index.js';
import { ConfigError } from '../../src/errors.js';
import { stytchAdminRoutes } from '../../src/index.js';
import type { StytchAdminRoutesOptions } from '../../src/index.js';
import { stytchAuth } from '../../src/middleware/stytch-auth.js';
import { CookieJarClient } from '../helpers/cookie-jar.js';
import { useEmulator } from '../helpers/emulator.js';
import { listenOnLoopback } from '../helpers/listen.js';
import { seedOrganization } from './admin-support.js';

const require = createRequire(import.meta.url);
const express4 = require('express4') as typeof express;

const APP = 'https://app.example.com';
const base: StytchAdminRoutesOptions = { appUrl: APP, inviteRedirectUrl: `${APP}/auth/callback` };

function refused(options: unknown, message: RegExp): void {
  expect(() => stytchAdminRoutes(options as StytchAdminRoutesOptions)).toThrow(ConfigError);
  expect(() => stytchAdminRoutes(options as StytchAdminRoutesOptions)).toThrow(message);
}

describe('stytchAdminRoutes() options', () => {
  it('refuses an unknown option with a suggestion, and a missing or bad appUrl', () => {
    refused({ ...base, localChecks: false }, /unknown option "localChecks".*Did you mean "localCheck"/);
    refused({ ...base, paths: { memberGett: '/m' } }, /unknown option "paths.memberGett"/);
    refused({ inviteRedirectUrl: `${APP}/cb` }, /appUrl/);
    refused({ ...base, appUrl: 'ftp://app.example.com' }, /appUrl/);
    refused(undefined, /options are required/);
  });

  it('needs inviteRedirectUrl while an invite route is enabled, as an absolute http(s) URL', () => {
    refused({ appUrl: APP }, /inviteRedirectUrl is required/);
    refused({ ...base, inviteRedirectUrl: '/auth/callback' }, /inviteRedirectUrl/);
    refused({ ...base, inviteRedirectUrl: 'https://user:pw@app.example.com/cb' }, /without credentials/);
    expect(() => stytchAdminRoutes({ appUrl: APP, paths: { memberInvite: false, memberResendInvite: null } })).not.toThrow();
  });

  it('refuses malformed paths, a missing or extra :member_id and two routes on one path', () => {
    refused({ ...base, paths: { memberGet: 'members/:member_id' } }, /paths.memberGet/);
    refused({ ...base, paths: { memberGet: '/people' } }, /exactly one ":member_id"/);
    refused({ ...base, paths: { membersList: '/members/:member_id/all' } }, /no ":member_id"/);
    refused({ ...base, paths: { memberGet: '/members/:id' } }, /segment ":id"/);
    refused({ ...base, paths: { meSessions: '/me' } }, /paths.meSessions and paths.me are the same route|paths.me and paths.meSessions/);
  });

  it('refuses bad values of the other options and an auth that is not stytchAuth()', () => {
    refused({ ...base, maxFactorAgeSeconds: 0 }, /maxFactorAgeSeconds/);
    refused({ ...base, localCheck: 'no' }, /localCheck/);
    refused({ ...base, maxBodyBytes: 10 }, /maxBodyBytes/);
    refused({ ...base, onError: 'log' }, /onError/);
    refused({ ...base, auth: () => undefined }, /option "auth"/);
  });

  it('never mutates the caller\'s options', () => {
    const options = Object.freeze({ ...base, paths: Object.freeze({ me: '/profile' }) });
    expect(() => stytchAdminRoutes(options)).not.toThrow();
  });
});

describe('mounting', () => {
  const emu = useEmulator();

  it.each(['express4', 'connect'] as const)('works on %s, and passes unknown paths on', async (framework) => {
    let origin = '';
    const client = new StytchB2BClient({ projectId: emu().projectId, secret: emu().secret, baseUrl: emu().url, env: {}, retry: { maxRetries: 0 } });
    const auth = stytchAuth({ client, now: () => emu().clock.now() });
    let handler: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
    const server = createServer((req, res) => handler(req, res));
    await listenOnLoopback(server);
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const routes = stytchAdminRoutes({ auth, appUrl: origin, inviteRedirectUrl: `${origin}/cb`, paths: { me: '/profile' } });
    const fallthrough = (_req: IncomingMessage, res: ServerResponse) => {
      res.statusCode = 404;
      res.end('fallthrough');
    };
    if (framework === 'connect') {
      const app = connect();
      app.use(auth as unknown as connect.NextHandleFunction);
      app.use('/api/org', routes as unknown as connect.NextHandleFunction);
      app.use(fallthrough);
      handler = app;
    } else {
      const app = express4();
      app.use(auth as unknown as express.RequestHandler);
      app.use('/api/org', routes as unknown as express.RequestHandler);
      app.use(fallthrough);
      handler = app;
    }
    try {
      const s = seedOrganization(emu());
      const session = emu().admin.createSession({ member_id: s.admin.member_id });
      const browser = new CookieJarClient(origin);
      browser.setCookie('stytch_session_jwt', session.session_jwt);
      const me = await browser.get('/api/org/profile');
      expect(me.status, me.text).toBe(200);
      expect(me.body.member.member_id).toBe(s.admin.member_id);
      expect((await browser.get('/api/org/nothing-here')).text).toBe('fallthrough');
      expect((await browser.get('/api/org/me')).status).toBe(405); // PATCH /me still lives there
      const renamed = await browser.request('PATCH', '/api/org/organization', { json: { organization_name: `Mounted ${framework}` } });
      expect(renamed.status, renamed.text).toBe(200);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await auth.close();
      await client.close();
    }
  });

  it('answers 500 middleware_not_mounted without stytchAuth()', async () => {
    const server = createServer((req, res) => stytchAdminRoutes(base)(req, res, () => res.end('next')));
    await listenOnLoopback(server);
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/me`);
      expect(res.status).toBe(500);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('middleware_not_mounted');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
