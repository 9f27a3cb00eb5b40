/**
 * SSO, OAuth and invitations in the example app, in a real browser (headless Chromium through
 * playwright-core) against the in-process emulator and its built-in identity-provider page. Every
 * test launches its own browser with a fresh profile: no cookie is shared between tests.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startExample, type RunningExample } from '../../examples/express-app/example.js';
import { browserRequirement, launchBrowser, useScreenshots, type TestBrowser } from '../helpers/browser.js';

const requirement = browserRequirement('e2e/sso-oauth');

describe.skipIf(requirement !== 'run')('SSO and OAuth in the example app', { timeout: 120_000 }, () => {
  let example: RunningExample;
  const browsers: TestBrowser[] = [];

  beforeAll(async () => {
    example = await startExample({ port: 0, env: {} });
  });
  afterEach(async () => {
    for (const b of browsers.splice(0)) await b.close();
  });
  afterAll(async () => {
    await example?.close();
  });
  const shot = useScreenshots();

  const emulator = () => example.emulator!;
  /** A new browser with a fresh profile (no cookies from any other test or browser). */
  const fresh = async () => {
    const b = await launchBrowser();
    browsers.push(b);
    return b;
  };
  const path = (page: Page) => new URL(page.url()).pathname;
  let counter = 0;
  const newEmail = (name: string) => `${name}-${Date.now().toString(36)}-${++counter}@example.com`;

  /** On the emulator's IdP page: assert the identity and come back to the app. */
  async function throughIdp(page: Page, email: string, name = 'Demo Person'): Promise<void> {
    await page.waitForURL((url) => url.href.startsWith(emulator().url));
    expect(await page.title()).toMatch(/^Emulated identity provider/);
    await page.fill('#email_address', email);
    await page.fill('#name', name);
    await Promise.all([page.waitForURL((url) => url.href.startsWith(example.url) && url.pathname !== '/auth/callback'), page.click('button[type=submit]')]);
  }

  async function signInWithSso(page: Page, slug: string, email: string): Promise<void> {
    await page.goto(example.url + '/login');
    await page.fill('[data-testid=sso-form] input[name=slug]', slug);
    await page.click('[data-testid=sso-form] button[type=submit]');
    await throughIdp(page, email);
  }

  async function expectDashboard(page: Page, organization: string, email: string): Promise<void> {
    expect(path(page)).toBe('/dashboard');
    expect(await page.textContent('[data-testid=org-name]')).toBe(organization);
    expect(await page.textContent('[data-testid=member-email]')).toBe(email);
  }

  it('signs in to Acme with SSO through the emulated SAML identity provider', async () => {
    const { page } = await fresh();
    await page.goto(example.url + '/login');
    expect(await page.isVisible('[data-testid=federated]')).toBe(true);
    await signInWithSso(page, 'acme', 'ada@example.com');
    await expectDashboard(page, 'Acme Corp', 'ada@example.com');
    expect(await page.textContent('[data-testid=factors]')).toMatch(/sso/);
  });

  it('the organization page shows only what the organization allows, and Google signs in straight into it', async () => {
    const { page } = await fresh();
    await page.goto(example.url + '/org/acme/login');
    expect(await page.textContent('h1')).toContain('Sign in to Acme Corp');
    expect(await page.locator('[data-testid=org-sso]').count()).toBe(1);
    // Globex has no SSO connection: no SSO button there.
    await page.goto(example.url + '/org/globex/login');
    expect(await page.locator('[data-testid=org-sso]').count()).toBe(0);
    expect(await page.locator('[data-testid=org-oauth][data-provider=google]').count()).toBe(1);
    // An unknown organization is a 404 page.
    const missing = await page.goto(example.url + '/org/no-such-org/login');
    expect(missing?.status()).toBe(404);

    await page.goto(example.url + '/org/acme/login');
    await shot(page, 'org-login');
    await page.click('[data-testid=org-oauth][data-provider=google]');
    await page.waitForURL((url) => url.href.startsWith(emulator().url));
    await shot(page, 'idp-page');
    await throughIdp(page, 'bob@example.com', 'Bob Editor');
    await expectDashboard(page, 'Acme Corp', 'bob@example.com');
    expect(await page.textContent('[data-testid=factors]')).toMatch(/oauth/);
  });

  it('OAuth discovery (Microsoft) leads to the organization picker', async () => {
    const { page } = await fresh();
    await page.goto(example.url + '/login');
    await page.click('[data-testid=oauth-discovery][data-provider=microsoft]');
    await throughIdp(page, 'ada@example.com', 'Ada Admin');
    expect(path(page)).toBe('/select-org');
    const acme = page.locator('[data-testid=join-org][data-org="Acme Corp"]');
    await acme.waitFor();
    expect(await page.locator('[data-testid=join-org][data-org="Globex"]').count()).toBe(1);
    await Promise.all([page.waitForURL('**/dashboard'), acme.click()]);
    await expectDashboard(page, 'Acme Corp', 'ada@example.com');
  });

  it('GitHub with an unverified email finishes through the emailed link', async () => {
    const { page } = await fresh();
    await page.goto(example.url + '/org/acme/login');
    await page.click('[data-testid=org-oauth][data-provider=github]');
    await page.waitForURL((url) => url.href.startsWith(emulator().url));
    expect(await page.isChecked('#email_verified')).toBe(false);
    await throughIdp(page, 'carol@example.com', 'Carol Reader');
    expect(path(page)).toBe('/login');
    expect(await page.isVisible('[data-testid=verify-email]')).toBe(true);
    const link = emulator().outbox.latest({ to: 'carol@example.com' })!.link!;
    await page.goto(link);
    await expectDashboard(page, 'Acme Corp', 'carol@example.com');
  });

  it('an SSO callback opened in a browser that did not start the login is refused (login CSRF)', async () => {
    const { page } = await fresh();
    let callback = '';
    await page.goto(example.url + '/org/acme/login');
    await page.click('[data-testid=org-sso]');
    await page.waitForURL((url) => url.href.startsWith(emulator().url));
    // Stop at the IdP's redirect: the callback URL is what an attacker would plant in a victim's browser.
    await page.route((url) => url.href.startsWith(emulator().url), async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      callback = (await route.fetch({ maxRedirects: 0 })).headers().location ?? '';
      return route.abort();
    });
    await page.fill('#email_address', 'ada@example.com');
    await page.click('button[type=submit]').catch(() => undefined);
    await expect.poll(() => callback).toContain('/auth/callback');

    const victim = (await fresh()).page;
    await victim.goto(callback);
    expect(path(victim)).toBe('/login');
    expect(new URL(victim.url()).searchParams.get('error')).toBe('pkce_verifier_missing');
    expect(await victim.isVisible('[data-testid=error-banner]')).toBe(true);
    expect((await victim.context().cookies()).some((c) => c.name.includes('stytch_session'))).toBe(false);
  });

  it('an Acme admin edits and creates SSO connections; a reader is refused', async () => {
    const { page } = await fresh();
    await signInWithSso(page, 'acme', 'ada@example.com');
    await page.goto(example.url + '/admin/sso');
    const seeded = page.locator('[data-testid=sso-connection][data-connection="Acme Okta"]');
    expect(await seeded.getAttribute('data-status')).toBe('active');
    await shot(page, 'sso-admin');
    await seeded.locator('input[name=display_name]').fill('Acme Okta (prod)');
    await Promise.all([page.waitForURL('**/admin/sso?status=saved'), seeded.locator('button[type=submit]').click()]);
    expect(await page.locator('[data-testid=sso-connection][data-connection="Acme Okta (prod)"]').count()).toBe(1);

    // A bad URL is a message on the page, not an error page.
    const create = page.locator('[data-testid=sso-create-form]');
    await create.locator('input[name=display_name]').fill('Backup IdP');
    await create.locator('input[name=idp_entity_id]').fill('https://backup.example/entity');
    await create.locator('input[name=idp_sso_url]').fill('http://backup.example/sso');
    await Promise.all([page.waitForURL('**/admin/sso?error=*'), create.locator('button[type=submit]').click()]);
    expect(new URL(page.url()).searchParams.get('error')).toBe('saml_connection_idp_sso_url_not_https');
    expect(await page.textContent('[data-testid=error-banner]')).toContain('https');

    await create.locator('input[name=display_name]').fill('Backup IdP');
    await create.locator('input[name=idp_entity_id]').fill('https://backup.example/entity');
    await create.locator('input[name=idp_sso_url]').fill('https://backup.example/sso');
    await Promise.all([page.waitForURL('**/admin/sso?status=created'), create.locator('button[type=submit]').click()]);
    expect(await page.locator('[data-testid=sso-connection][data-connection="Backup IdP"]').getAttribute('data-status')).toBe('active');
    // Put the seeded name back for the other tests.
    const renamed = page.locator('[data-testid=sso-connection][data-connection="Acme Okta (prod)"]');
    await renamed.locator('input[name=display_name]').fill('Acme Okta');
    await Promise.all([page.waitForURL('**/admin/sso?status=saved'), renamed.locator('button[type=submit]').click()]);

    const reader = (await fresh()).page;
    await signInWithSso(reader, 'acme', 'carol@example.com');
    const refused = await reader.goto(example.url + '/admin/sso');
    expect(refused?.status()).toBe(403);
  });

  it('an invitation sent from the members page is accepted in a fresh browser through the Join confirmation', async () => {
    const { page } = await fresh();
    await signInWithSso(page, 'acme', 'ada@example.com');
    await page.goto(example.url + '/members');
    const invitee = newEmail('dana');
    await page.fill('[data-testid=invite-form] input[name=email_address]', invitee);
    await Promise.all([page.waitForURL('**/members?status=invited'), page.click('[data-testid=invite-form] button[type=submit]')]);
    expect(await page.textContent('[data-testid=members]')).toContain(invitee);
    const link = emulator().outbox.latest({ to: invitee, kind: 'invite_magic_link' })?.link;
    expect(link).toBeDefined();

    // The invitee's own browser: no cookie of the admin's session, no flow started here.
    const guest = (await fresh()).page;
    await guest.goto(link!);
    expect(await guest.title()).toBe('Continue signing in?');
    await Promise.all([guest.waitForURL('**/auth/join'), guest.click('button[value=continue]')]);
    expect(await guest.title()).toBe('Join Acme Corp?');
    await shot(guest, 'join');
    await Promise.all([guest.waitForURL('**/dashboard'), guest.click('button[value=join]')]);
    await expectDashboard(guest, 'Acme Corp', invitee);
  });

  it('"send the link again": both links sign in', async () => {
    const email = 'carol@example.com';
    const sendTwice = async (page: Page): Promise<[string, string]> => {
      const links: string[] = [];
      for (let i = 0; i < 2; i++) {
        await page.goto(example.url + '/org/acme/login');
        await page.fill('[data-testid=org-email-form] input[name=email_address]', email);
        await Promise.all([page.waitForURL('**/login?status=email_sent'), page.click('[data-testid=org-email-form] button[type=submit]')]);
        links.push(emulator().outbox.latest({ to: email, kind: 'login_magic_link' })!.link!);
      }
      expect(links[0]).not.toBe(links[1]);
      return [links[0]!, links[1]!];
    };
    // The older link completes...
    const first = (await fresh()).page;
    const [older] = await sendTwice(first);
    await first.goto(older);
    await expectDashboard(first, 'Acme Corp', email);
    // ...and, in another browser, the newer one does.
    const second = (await fresh()).page;
    const [, newer] = await sendTwice(second);
    await second.goto(newer);
    await expectDashboard(second, 'Acme Corp', email);
  });

  it('two tabs each complete their own login', async () => {
    const b = await fresh();
    const tabA = b.page;
    const tabB = await b.context.newPage();
    // Both logins are started before either finishes: each has its own flow cookie.
    await tabA.goto(example.url + '/org/acme/login');
    await tabA.click('[data-testid=org-oauth][data-provider=google]');
    await tabA.waitForURL((url) => url.href.startsWith(emulator().url));
    await signInWithSso(tabB, 'acme', 'ada@example.com');
    await expectDashboard(tabB, 'Acme Corp', 'ada@example.com');
    await throughIdp(tabA, 'bob@example.com', 'Bob Editor');
    await expectDashboard(tabA, 'Acme Corp', 'bob@example.com');
  });
});
