/**
 * A page that keeps its session the way Stytch's frontend SDK does (it writes `stytch_session`
 * and `stytch_session_jwt` with `document.cookie`: Path=/, SameSite=Lax, Max-Age, no HttpOnly,
 * no Secure on localhost) in headless Chromium, in front of an app whose `stytchAuth()` has to
 * refresh the expired JWT over the network. With `cookies: { mode: 'frontend-sdk' }` the page's
 * cookies survive the refresh and the SDK's next write wins; in the default mode the server's
 * HttpOnly copy hides them from the page and the browser ignores the page's write.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StytchB2BClient } from '../../src/client/client.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { getStytchAuth, requireAuth, stytchAuth } from '../../src/index.js';
import { browserRequirement, launchBrowser, type TestBrowser } from '../helpers/browser.js';

const requirement = browserRequirement('e2e/frontend-sdk');

describe('browser requirement', () => {
  it.runIf(requirement === 'fail')('has Chromium installed when REQUIRE_BROWSER=1', () => {
    throw new Error('REQUIRE_BROWSER=1 but no Chromium was found; install it (apt-get install chromium) or set CHROMIUM_PATH.');
  });
});

/** The page's `document`, as far as these tests use it (the test files compile without the DOM library). */
type PageGlobals = { document: { cookie: string } };

/** The frontend SDK's way of storing a session (its documented cookie format), run in the page. */
function sdkWrite(page: Page, session: { session_token: string; session_jwt: string }): Promise<void> {
  return page.evaluate((s) => {
    const { document } = globalThis as unknown as PageGlobals;
    const attributes = '; path=/; SameSite=Lax; max-age=3600';
    document.cookie = 'stytch_session=' + s.session_token + attributes;
    document.cookie = 'stytch_session_jwt=' + s.session_jwt + attributes;
  }, session);
}

/** The session cookies as the page's JavaScript sees them. */
function sdkRead(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const { document } = globalThis as unknown as PageGlobals;
    const pairs = document.cookie.split('; ').filter((pair) => pair.includes('='));
    return Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
  });
}

function whoAmI(page: Page): Promise<{ status: number; body: { memberId?: string; verifiedBy?: string } }> {
  return page.evaluate(async () => {
    const res = await fetch('/api/me', { headers: { accept: 'application/json' } });
    return { status: res.status, body: (await res.json()) as { memberId?: string; verifiedBy?: string } };
  });
}

describe.skipIf(requirement !== 'run')('a page using the frontend SDK cookie conventions', { timeout: 90_000 }, () => {
  let emulator: Emulator;
  let client: StytchB2BClient;
  let browser: TestBrowser | undefined;
  const servers: { server: Server; close: () => Promise<void> }[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ quiet: true });
    client = new StytchB2BClient({ projectId: emulator.projectId, secret: emulator.secret, baseUrl: emulator.url, env: {} });
  });
  afterEach(async () => {
    await browser?.close();
    browser = undefined;
    for (const s of servers.splice(0)) await s.close();
  });
  afterAll(async () => {
    await client?.close();
    await emulator?.close();
  });

  async function startApp(mode: 'server' | 'frontend-sdk'): Promise<string> {
    const auth = stytchAuth({ client, now: () => emulator.clock.now(), cookies: { mode } });
    const app = express();
    app.use(auth);
    app.get('/page', (_req, res) => res.type('html').send('<!doctype html><title>SDK page</title><p>signed-in area</p>'));
    app.get('/api/me', requireAuth(), (req, res) => {
      const who = getStytchAuth(req);
      res.json(who.isAuthenticated ? { memberId: who.memberId, verifiedBy: who.verifiedBy } : {});
    });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({
      server,
      close: async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await auth.close();
      },
    });
    // Loopback over plain HTTP, as in development: no Secure from the page or the server.
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async function signedInPage(mode: 'server' | 'frontend-sdk') {
    const url = await startApp(mode);
    const org = emulator.admin.createOrganization({ organization_name: `Org ${mode}` });
    const member = emulator.admin.createMember(org.organization_id, { email_address: `${mode}@example.com` });
    const session = emulator.admin.createSession({ member_id: member.member_id });
    browser = await launchBrowser();
    const { page } = browser;
    await page.goto(url + '/page');
    await sdkWrite(page, session);
    return { page, member, session };
  }

  it("keeps working across a server-side refresh, and the SDK's next refresh replaces its cookies", async () => {
    const { page, member, session } = await signedInPage('frontend-sdk');
    expect(await whoAmI(page)).toEqual({ status: 200, body: { memberId: member.member_id, verifiedBy: 'local_jwt' } });

    emulator.clock.advance(6 * 60_000); // the JWT (5 minutes) has expired; the session has not
    expect(await whoAmI(page)).toEqual({ status: 200, body: { memberId: member.member_id, verifiedBy: 'network' } });
    // The page still sees its own cookies, unchanged.
    expect(await sdkRead(page)).toMatchObject({ stytch_session: session.session_token, stytch_session_jwt: session.session_jwt });

    // The SDK refreshes its session and writes the new JWT: the browser takes it.
    const { session_jwt } = await client.sessions.authenticate({ session_token: session.session_token });
    await sdkWrite(page, { session_token: session.session_token, session_jwt });
    expect((await sdkRead(page)).stytch_session_jwt).toBe(session_jwt);
    // Verified without a network call again (locally, or from the answer the refresh cached).
    const calls = emulator.calls.count('POST /v1/b2b/sessions/authenticate');
    const after = await whoAmI(page);
    expect(after.status).toBe(200);
    expect(after.body.memberId).toBe(member.member_id);
    expect(['local_jwt', 'cache']).toContain(after.body.verifiedBy);
    expect(emulator.calls.count('POST /v1/b2b/sessions/authenticate')).toBe(calls);
  });

  it('in the default mode, the refresh hides the cookies from the page and its next write is ignored (why the mode exists)', async () => {
    const { page, session } = await signedInPage('server');
    emulator.clock.advance(6 * 60_000);
    expect((await whoAmI(page)).status).toBe(200);
    // The server rewrote both cookies HttpOnly: the page's JavaScript no longer sees them.
    expect(await sdkRead(page)).not.toHaveProperty('stytch_session_jwt');
    const { session_jwt } = await client.sessions.authenticate({ session_token: session.session_token });
    await sdkWrite(page, { session_token: session.session_token, session_jwt });
    expect(await sdkRead(page)).not.toHaveProperty('stytch_session_jwt');
  });
});
