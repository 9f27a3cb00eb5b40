/**
 * Route-test harness: a real app (Express 5 by default, or Express 4 / Connect) on 127.0.0.1:0
 * with `stytchAuth()` and `stytchRoutes()` mounted at `/auth`, talking to the emulator.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import connect from 'connect';
import express from 'express';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { StytchB2BClient } from '../../src/client/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import { settleFaults } from '../helpers/emulator.js';
import { stytchRoutes } from '../../src/handlers/index.js';
import type { StytchRoutesOptions } from '../../src/handlers/index.js';
import { stytchAuth } from '../../src/middleware/stytch-auth.js';
import type { StytchAuthOptions } from '../../src/middleware/options.js';
import { CookieJarClient } from '../helpers/cookie-jar.js';
import type { JarResponse } from '../helpers/cookie-jar.js';
import { listenOnLoopback } from '../helpers/listen.js';

const require = createRequire(import.meta.url);
const express4 = require('express4') as typeof express;

export type Framework = 'express5' | 'express4' | 'connect';

export interface TestApp {
  url: string;
  origin: string;
  /** Every structured log event the app emitted. */
  logs: Record<string, unknown>[];
  browser(): CookieJarClient;
  /** The counters of the app's `stytchAuth()`. */
  metrics(): ReturnType<ReturnType<typeof stytchAuth>['metrics']>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  routes?: Partial<StytchRoutesOptions>;
  auth?: Partial<StytchAuthOptions>;
  framework?: Framework;
  mount?: string;
  /** Deadline of the app's Stytch client (default 3000 ms). */
  clientTimeoutMs?: number;
}

/** Start an app wired to `emu`. `appUrl` defaults to the app's own origin. */
export async function startApp(emu: Emulator, options: TestAppOptions = {}): Promise<TestApp> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server: Server = createServer((req, res) => handler(req, res));
  await listenOnLoopback(server);
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const logs: Record<string, unknown>[] = [];
  const sink = (obj: Record<string, unknown>) => logs.push(obj);
  const logger = { debug: sink, info: sink, warn: sink, error: sink };
  const client = new StytchB2BClient({ projectId: emu.projectId, secret: emu.secret, baseUrl: emu.url, env: {}, retry: { maxRetries: 0 }, timeoutMs: options.clientTimeoutMs ?? 3000 });
  const auth = stytchAuth({ client, logger, now: () => emu.clock.now(), loginUrl: '/login', mfaUrl: '/mfa', ...options.auth });
  const routeOptions: StytchRoutesOptions = {
    auth,
    appUrl: origin,
    afterLoginUrl: '/dashboard',
    discoveryUrl: '/select-org',
    ...options.routes,
  };
  const routes = stytchRoutes(routeOptions);
  const mount = options.mount ?? '/auth';
  const framework = options.framework ?? 'express5';
  if (framework === 'connect') {
    const app = connect();
    app.use(auth as unknown as connect.NextHandleFunction);
    app.use(mount, routes as unknown as connect.NextHandleFunction);
    app.use((_req: IncomingMessage, res: ServerResponse) => {
      res.statusCode = 404;
      res.end('not found');
    });
    handler = app;
  } else {
    const app = framework === 'express4' ? express4() : express();
    app.use(auth as unknown as express.RequestHandler);
    app.use(mount, routes as unknown as express.RequestHandler);
    handler = app;
  }
  return {
    url: origin,
    origin,
    logs,
    browser: () => new CookieJarClient(origin),
    metrics: () => auth.metrics(),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await auth.close();
      await client.close();
    },
  };
}

/**
 * One app for the whole test file: started (with `options`) in `beforeAll`, after the file's
 * emulator, and closed in `afterAll`. Returns a stand-in that forwards to the running app, so
 * tests use `app.url`, `app.browser()` and the rest as usual.
 */
export function useTestApp(emu: () => Emulator, options: TestAppOptions = {}): TestApp {
  let running: TestApp | undefined;
  beforeAll(async () => {
    running = await startApp(emu(), options);
  });
  afterAll(async () => {
    const app = running;
    running = undefined;
    await app?.close();
  });
  const current = (): TestApp => {
    if (running === undefined) throw new Error('useTestApp(): the app is not running (use it inside a test or hook)');
    return running;
  };
  return {
    get url() {
      return current().url;
    },
    get origin() {
      return current().origin;
    },
    get logs() {
      return current().logs;
    },
    browser: () => current().browser(),
    metrics: () => current().metrics(),
    close: () => current().close(),
  };
}

/** Clear the emulator's scripted faults and its recorded calls before each test of the file. */
export function resetEmulatorBeforeEach(emu: () => Emulator): void {
  beforeEach(() => {
    emu().faults.clear();
    emu().calls.clear();
  });
  afterEach(() => settleFaults(emu()));
}

/** Path + query of an emulator link (its origin is the app's own). */
export function linkPath(link: string | undefined): string {
  if (link === undefined) throw new Error('no link in the outbox message');
  const url = new URL(link);
  return url.pathname + url.search;
}

/**
 * Open a link this browser did not start, as a person does: its GET answers the "Continue"
 * page (nothing spent; checked here), and the page's POST redeems it. Returns the POST's answer.
 */
export async function openForeignLink(browser: CookieJarClient, path: string, options: { json?: boolean } = {}): Promise<JarResponse> {
  const page = await browser.get(path);
  expect(page.status, page.text).toBe(200);
  expect(page.text).toContain('Continue signing in?');
  const action = /<form method="post" action="([^"]+)">/.exec(page.text)?.[1];
  const token = /name="token" value="([^"]+)"/.exec(page.text)?.[1];
  if (action === undefined || token === undefined) throw new Error('the link page has no form with the token');
  return options.json === true ? browser.post(action, { json: { action: 'continue', token } }) : browser.post(action, { form: { action: 'continue', token } });
}

/**
 * This library's client on the emulator for a test file's own Stytch calls (invitations and the
 * like), opened in `beforeAll` and closed in `afterAll`. Returns a getter.
 */
export function useStytchClient(emu: () => Emulator): () => StytchB2BClient {
  let client: StytchB2BClient | undefined;
  beforeAll(() => {
    client = new StytchB2BClient({ projectId: emu().projectId, secret: emu().secret, baseUrl: emu().url, env: {}, retry: { maxRetries: 0 } });
  });
  afterAll(async () => {
    await client?.close();
  });
  return () => {
    if (client === undefined) throw new Error('useStytchClient(): call the getter inside a test or hook');
    return client;
  };
}

/** Unique email per test, so Stytch-like per-email rate limits never interfere. */
let counter = 0;
export function uniqueEmail(tag = 'user'): string {
  counter += 1;
  return `${tag}-${process.pid}-${Date.now().toString(36)}-${counter}@example.com`;
}

/** An organization with an active member. */
export function seedMember(emu: Emulator, input: { mfa?: 'required'; phone?: string; email?: string; orgName?: string } = {}) {
  const org = emu.admin.createOrganization({
    organization_name: input.orgName ?? `Org ${++counter}`,
    organization_slug: `org-${process.pid}-${Date.now().toString(36)}-${counter}`,
    ...(input.mfa === 'required' ? { mfa_policy: 'REQUIRED_FOR_ALL' } : {}),
  });
  const email = input.email ?? uniqueEmail('member');
  const member = emu.admin.createMember(org.organization_id, {
    email_address: email,
    status: 'active',
    ...(input.phone === undefined ? {} : { mfa_phone_number: input.phone }),
  });
  return { org, member, email };
}

/** Whole organization login through the routes: login start + callback. Returns the callback answer. */
export async function loginWithMagicLink(emu: Emulator, browser: CookieJarClient, email: string, organizationId: string, extra: Record<string, string> = {}) {
  const start = await browser.post('/auth/login/email', { json: { email_address: email, organization_id: organizationId, ...extra } });
  if (start.status !== 202) throw new Error(`login start answered ${start.status}: ${start.text}`);
  return browser.get(linkPath(emu.outbox.latest({ to: email })?.link));
}

/** A fresh member signed in through the routes (magic link): the browser holds their session cookies. */
export async function signInNewMember(emu: Emulator, app: TestApp) {
  const seeded = seedMember(emu);
  const browser = app.browser();
  expect((await loginWithMagicLink(emu, browser, seeded.email, seeded.org.organization_id)).location).toBe('/dashboard');
  return { ...seeded, browser };
}

/** Whole discovery login through the routes: the browser ends holding an IST cookie. */
export async function loginWithDiscoveryLink(emu: Emulator, browser: CookieJarClient, email: string) {
  const start = await browser.post('/auth/login/email', { json: { email_address: email } });
  if (start.status !== 202) throw new Error(`discovery start answered ${start.status}: ${start.text}`);
  return browser.get(linkPath(emu.outbox.latest({ to: email, kind: 'discovery_magic_link' })?.link));
}

/** Upstream calls made by the routes (stytchAuth's own session checks, JWKS and policy loads excluded). */
export function routeCalls(emu: Emulator): string[] {
  return emu.calls
    .list()
    .filter((c) => !/sessions\/(authenticate|jwks)|\/rbac\//.test(c.endpoint))
    .map((c) => c.endpoint);
}
