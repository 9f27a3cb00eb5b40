/**
 * Admin-route test support: a real Express app on 127.0.0.1:0 with `stytchAuth()` and
 * `stytchAdminRoutes()` mounted at `/api/org`, talking to the file's emulator, and signed-in
 * browsers made from emulator sessions.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, expect } from 'vitest';
import { StytchB2BClient } from '../../src/client/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import { stytchAdminRoutes } from '../../src/handlers/admin/admin-routes.js';
import type { StytchAdminRoutesOptions } from '../../src/handlers/admin/options.js';
import { stytchAuth } from '../../src/middleware/stytch-auth.js';
import type { StytchAuthOptions } from '../../src/middleware/options.js';
import { CookieJarClient } from '../helpers/cookie-jar.js';
import type { JarResponse } from '../helpers/cookie-jar.js';
import { listenOnLoopback } from '../helpers/listen.js';
import { routeCalls, uniqueEmail } from './harness.js';

export const PREFIX = '/api/org';

export interface AdminApp {
  readonly url: string;
  browser(): CookieJarClient;
}

export interface AdminAppOptions {
  admin?: Partial<StytchAdminRoutesOptions>;
  auth?: Partial<StytchAuthOptions>;
}

async function startAdminApp(emu: Emulator, options: AdminAppOptions): Promise<AdminApp & { close(): Promise<void> }> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server: Server = createServer((req, res) => handler(req, res));
  await listenOnLoopback(server);
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new StytchB2BClient({ projectId: emu.projectId, secret: emu.secret, baseUrl: emu.url, env: {}, retry: { maxRetries: 0 }, timeoutMs: 3000 });
  const auth = stytchAuth({ client, now: () => emu.clock.now(), loginUrl: '/login', ...options.auth });
  const app = express();
  app.use(auth as unknown as express.RequestHandler);
  app.use(PREFIX, stytchAdminRoutes({ auth, appUrl: origin, inviteRedirectUrl: `${origin}/auth/callback`, ...options.admin }) as unknown as express.RequestHandler);
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'not_found' } });
  });
  handler = app;
  return {
    url: origin,
    browser: () => new CookieJarClient(origin),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await auth.close();
      await client.close();
    },
  };
}

/** One app for the file, started after the emulator. */
export function useAdminApp(emu: () => Emulator, options: AdminAppOptions = {}): AdminApp {
  let running: (AdminApp & { close(): Promise<void> }) | undefined;
  beforeAll(async () => {
    running = await startAdminApp(emu(), options);
  });
  afterAll(async () => {
    await running?.close();
    running = undefined;
  });
  const current = (): AdminApp => {
    if (running === undefined) throw new Error('useAdminApp(): not running');
    return running;
  };
  return {
    get url() {
      return current().url;
    },
    browser: () => current().browser(),
  };
}

let counter = 0;

/** A new organization with an admin (stytch_admin), a plain member and an invited member. */
export function seedOrganization(emu: Emulator) {
  counter += 1;
  const org = emu.admin.createOrganization({ organization_name: `Admin Org ${counter}`, organization_slug: `admin-org-${process.pid}-${Date.now().toString(36)}-${counter}` });
  const admin = emu.admin.createMember(org.organization_id, { email_address: uniqueEmail('admin'), roles: ['stytch_admin'] });
  const member = emu.admin.createMember(org.organization_id, { email_address: uniqueEmail('member'), mfa_phone_number: `+1500555${String(1000 + counter).slice(-4)}` });
  const invited = emu.admin.createMember(org.organization_id, { email_address: uniqueEmail('invited'), status: 'invited' });
  return { org, admin, member, invited };
}

/** A browser holding a fresh session of `memberId` (both session cookies). */
export function signedIn(emu: Emulator, app: AdminApp, memberId: string, factors?: ('magic_link' | 'totp' | 'otp' | 'password')[]): CookieJarClient {
  const session = emu.admin.createSession({ member_id: memberId, ...(factors === undefined ? {} : { factors }) });
  const browser = app.browser();
  browser.setCookie('stytch_session', session.session_token);
  browser.setCookie('stytch_session_jwt', session.session_jwt);
  return browser;
}

/** Send a request to an admin route. */
export function call(browser: CookieJarClient, method: string, path: string, json?: unknown, headers?: Record<string, string>): Promise<JarResponse> {
  return browser.request(method, `${PREFIX}${path}`, { ...(json === undefined ? {} : { json }), ...(headers === undefined ? {} : { headers }) });
}

/** The refusal every route gives for a missing permission, local or Stytch's. */
export function expectPermissionDenied(res: JarResponse, resourceId: string, action: string): void {
  expect(res.status, res.text).toBe(403);
  expect(res.body.error).toMatchObject({ code: 'permission_denied', permission: { resource_id: resourceId, action } });
  expect(res.headers['cache-control']).toContain('no-store');
}

/** The upstream calls made by the routes (stytchAuth's own session checks, JWKS and policy loads excluded). */
export { routeCalls };
