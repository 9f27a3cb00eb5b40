/**
 * Resilience harness: one Express 5 app with `stytchAuth()`, the guards and `stytchRoutes()`,
 * talking to the emulator with a short deadline (300 ms), served on 127.0.0.1:0. Faults come from
 * the emulator's script (`emu.faults.next`), time from its clock.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach } from 'vitest';
import { StytchB2BClient } from '../../src/client/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import { settleFaults } from '../helpers/emulator.js';
import { getStytchAuth, requireAuth, requireFreshAuth, requirePermission, stytchAuth, stytchRoutes } from '../../src/index.js';
import type { StytchAuthMiddleware, StytchAuthOptions } from '../../src/index.js';
import { CookieJarClient } from '../helpers/cookie-jar.js';
import { withClaims } from '../helpers/tokens.js';
import { listenOnLoopback } from '../helpers/listen.js';

/** The client deadline used by every resilience test: short, so "slower than the deadline" is cheap. */
export const DEADLINE_MS = 300;

export const JWT_COOKIE = 'stytch_session_jwt';
export const TOKEN_COOKIE = 'stytch_session';
export const IST_COOKIE = 'stytch_intermediate_session_token';

/** The network session check: its fault-script endpoint and its pattern for {@link callsTo}. */
export const AUTHENTICATE = 'POST /v1/b2b/sessions/authenticate';
export const AUTHENTICATE_CALLS = /^POST \/v1\/b2b\/sessions\/authenticate$/;

export interface ResilienceApp {
  url: string;
  auth: StytchAuthMiddleware;
  logs: Record<string, unknown>[];
  browser(): CookieJarClient;
  close(): Promise<void>;
}

/** Apps started and not closed yet, for {@link closeAppsAfterEach}. */
const openApps = new Set<ResilienceApp>();

/**
 * For files that start an app per test: after each test, clear the emulator's scripted faults,
 * then close every app the test left open.
 */
export function closeAppsAfterEach(emu: () => Emulator): void {
  afterEach(async () => {
    for (const app of [...openApps]) await app.close();
    settleFaults(emu());
  });
}

/**
 * Start the app. Routes: `/api/me` (requireAuth), `/api/self` (requirePermission stytch.self),
 * `/api/admin` (requirePermission stytch.member search), `/api/fresh` (requireFreshAuth 10 min),
 * and `stytchRoutes()` under `/auth`.
 */
export async function startResilienceApp(emu: Emulator, auth: Partial<StytchAuthOptions> = {}, clientRetries = 0): Promise<ResilienceApp> {
  const logs: Record<string, unknown>[] = [];
  const sink = (obj: Record<string, unknown>) => void logs.push(obj);
  const logger = { debug: sink, info: sink, warn: sink, error: sink };
  const client = new StytchB2BClient({ projectId: emu.projectId, secret: emu.secret, baseUrl: emu.url, env: {}, timeoutMs: DEADLINE_MS, retry: { maxRetries: clientRetries, baseDelayMs: 1 } });
  const middleware = stytchAuth({
    client,
    logger,
    now: () => emu.clock.now(),
    networkTimeoutMs: DEADLINE_MS,
    jwks: { timeoutMs: DEADLINE_MS },
    // Policy warming would add policy calls to every count; the guards load what they need.
    rbac: { preload: false },
    ...auth,
  });
  const server: Server = createServer();
  await listenOnLoopback(server);
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const app = express();
  app.use(middleware);
  app.use('/auth', stytchRoutes({ auth: middleware, appUrl: origin, afterLoginUrl: '/dashboard', discoveryUrl: '/select-org' }));
  const me: express.RequestHandler = (req, res) => {
    const a = getStytchAuth(req);
    res.json(a.isAuthenticated ? { memberId: a.memberId, organizationId: a.organizationId, verifiedBy: a.verifiedBy } : { status: a.status });
  };
  app.get('/api/me', requireAuth(), me);
  app.get('/api/self', requirePermission('stytch.self', 'delete'), me);
  app.get('/api/admin', requirePermission('stytch.member', 'search'), me);
  app.get('/api/fresh', requireFreshAuth({ maxAgeSeconds: 600 }), me);
  server.on('request', app);
  const started: ResilienceApp = {
    url: origin,
    auth: middleware,
    logs,
    browser: () => new CookieJarClient(origin),
    close: async () => {
      openApps.delete(started);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await middleware.close();
      await client.close();
    },
  };
  openApps.add(started);
  return started;
}

let counter = 0;

/** A unique email (no two tests share a member). */
export function uniqueEmail(tag = 'member'): string {
  counter++;
  return `${tag}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 7)}@example.com`;
}

/** An organization with one active member; `mfa: true` requires MFA for everyone; `orgs: 2` adds a second membership. */
export function seed(emu: Emulator, input: { mfa?: boolean; phone?: string; admin?: boolean; orgs?: number } = {}) {
  const email = uniqueEmail();
  const orgs = [];
  const members = [];
  for (let i = 0; i < (input.orgs ?? 1); i++) {
    counter++;
    const org = emu.admin.createOrganization({
      organization_name: `Resilience ${counter}`,
      organization_slug: `resilience-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 6)}`,
      ...(input.mfa === true ? { mfa_policy: 'REQUIRED_FOR_ALL' } : {}),
    });
    const member = emu.admin.createMember(org.organization_id, {
      email_address: email,
      ...(input.phone === undefined ? {} : { mfa_phone_number: input.phone }),
      ...(input.admin === true ? { roles: ['stytch_admin'] } : {}),
    });
    orgs.push(org);
    members.push(member);
  }
  return { email, org: orgs[0]!, member: members[0]!, orgs, members };
}

/** A browser holding a fresh session (both cookies) for a new member. */
export function signedInBrowser(emu: Emulator, app: ResilienceApp, input: Parameters<typeof seed>[1] = {}) {
  const seeded = seed(emu, input);
  const session = emu.admin.createSession({ member_id: seeded.member.member_id });
  const browser = app.browser();
  browser.setCookie(JWT_COOKIE, session.session_jwt);
  browser.setCookie(TOKEN_COOKIE, session.session_token);
  return { ...seeded, session, browser };
}

/** {@link signedInBrowser} with a genuine but expired JWT cookie: the network must decide. */
export function expiredJwtBrowser(emu: Emulator, app: ResilienceApp, input: Parameters<typeof seed>[1] = {}) {
  const s = signedInBrowser(emu, app, input);
  const nowSec = Math.floor(emu.clock.now() / 1000);
  s.browser.setCookie(JWT_COOKIE, withClaims(emu, s.session.session_jwt, (p) => void (p.exp = nowSec - 10)));
  return s;
}

/** Path + query of an emulator link (its origin is the app's). */
export function linkPath(link: string | undefined): string {
  if (link === undefined) throw new Error('no link in the outbox');
  const url = new URL(link);
  return url.pathname + url.search;
}

/** Calls the emulator recorded for endpoints matching `pattern` (e.g. /sessions\/authenticate/). */
export function callsTo(emu: Emulator, pattern: RegExp): number {
  return emu.calls.list().filter((c) => pattern.test(c.endpoint)).length;
}

/** Names of session cookies a response cleared (Max-Age=0 or empty), net of later lines. */
export function clearedSessionCookies(setCookies: string[]): string[] {
  const last = new Map<string, boolean>();
  for (const line of setCookies) {
    const first = line.split(';', 1)[0] ?? '';
    const eq = first.indexOf('=');
    if (eq <= 0) continue;
    const name = first.slice(0, eq).trim();
    if (name !== JWT_COOKIE && name !== TOKEN_COOKIE) continue;
    last.set(name, first.slice(eq + 1).trim() === '' || /;\s*max-age=0/i.test(line));
  }
  return [...last].filter(([, cleared]) => cleared).map(([name]) => name);
}
