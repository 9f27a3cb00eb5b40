/**
 * The example app in a real browser (headless Chromium through playwright-core), against the
 * in-process emulator the example starts itself. The main pages are saved as screenshots into a
 * temporary folder, so a test run never rewrites tracked files; `npm run screenshots` runs this
 * file with SCREENSHOTS_DIR=docs/screenshots to refresh the README's pictures.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startExample, type RunningExample } from '../../examples/express-app/example.js';
import { browserRequirement, launchBrowser, useScreenshots, type TestBrowser } from '../helpers/browser.js';
import { totp } from '../helpers/totp.js';
import { listenOnLoopback } from '../helpers/listen.js';

const requirement = browserRequirement('e2e/example-app');

describe('browser requirement', () => {
  it.runIf(requirement === 'fail')('has Chromium installed when REQUIRE_BROWSER=1', () => {
    throw new Error('REQUIRE_BROWSER=1 but no Chromium was found; install it (apt-get install chromium) or set CHROMIUM_PATH.');
  });
});

describe.skipIf(requirement !== 'run')('example app in a browser', { timeout: 120_000 }, () => {
  let example: RunningExample;
  let browser: TestBrowser | undefined;

  beforeAll(async () => {
    // env {}: emulator mode whatever the real environment holds.
    example = await startExample({ port: 0, env: {} });
  });
  afterEach(async () => {
    await browser?.close();
    browser = undefined;
  });
  afterAll(async () => {
    await example?.close();
  });

  const emulator = () => example.emulator!;
  const open = async () => (browser = await launchBrowser()).page;
  const shot = useScreenshots();
  const path = (page: Page) => new URL(page.url()).pathname;

  /** Email login through the dev mailbox: ends on whatever page the magic link leads to. */
  async function signInByEmail(page: Page, email: string, screenshots = false): Promise<void> {
    if (path(page) !== '/login') await page.goto(example.url + '/login');
    await page.fill('input[name=email_address]', email);
    if (screenshots) await shot(page, 'login');
    await Promise.all([page.waitForURL('**/login?status=email_sent'), page.click('[data-testid=login-form] button[type=submit]')]);
    if (screenshots) await shot(page, 'check-email');
    await Promise.all([page.waitForURL('**/dev/mailbox'), page.click('[data-testid=open-mailbox]')]);
    if (screenshots) await shot(page, 'mailbox');
    const link = page.locator(`tr[data-to="${email}"][data-kind=discovery_magic_link] [data-testid=mail-link]`).first();
    await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/dev/mailbox')), link.click()]);
  }

  async function pickOrganization(page: Page, name: string, screenshot = false): Promise<void> {
    await page.waitForURL('**/select-org**');
    const join = page.locator(`[data-testid=join-org][data-org="${name}"]`);
    await join.waitFor();
    if (screenshot) await shot(page, 'select-org');
    await Promise.all([page.waitForURL((url) => url.pathname !== '/select-org'), join.click()]);
  }

  async function submitTotp(page: Page, secret: string): Promise<void> {
    // The test's own RFC 6238 computation, at the emulator's clock (which may have been moved).
    await page.fill('[data-testid=totp-form] input[name=code]', totp(secret, emulator().clock.now()));
    await Promise.all([page.waitForURL((url) => url.pathname !== '/mfa'), page.click('[data-testid=totp-form] button[type=submit]')]);
  }

  async function switchTo(page: Page, name: string): Promise<void> {
    if (path(page) !== '/dashboard') await page.goto(example.url + '/dashboard');
    await clickAndWaitForPage(page, `[data-testid=switch-to][data-org="${name}"]`);
  }

  /** Click something that submits a form, and wait until the next document has loaded (even at the same URL). */
  async function clickAndWaitForPage(page: Page, selector: string): Promise<void> {
    await Promise.all([page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() }), page.click(selector)]);
    await page.waitForLoadState('load');
  }

  it('signs in by email, enrols TOTP, is refused then allowed by role, switches organization, logs out and returns through MFA to the page it asked for', async () => {
    const page = await open();
    const missing: string[] = [];
    page.on('response', (r) => void (r.status() === 404 && missing.push(r.url())));

    // Sign in through the dev mailbox and pick the MFA-required organization.
    await page.goto(example.url + '/');
    expect(path(page)).toBe('/login');
    await signInByEmail(page, 'ada@example.com', true);
    await pickOrganization(page, 'Globex', true);

    // TOTP enrolment: the QR code, the secret and the recovery codes are shown once.
    expect(path(page)).toBe('/mfa');
    await page.click('[data-testid=totp-create]');
    const secret = (await page.locator('[data-testid=totp-secret]').textContent())!.replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await expect.poll(() => page.locator('[data-testid=totp-qr]').evaluate((node) => {
      const img = node as unknown as { complete: boolean; naturalWidth: number };
      return img.complete && img.naturalWidth > 0;
    })).toBe(true);
    const recoveryCodes = await page.locator('[data-testid=recovery-codes] li').allTextContents();
    expect(recoveryCodes.length).toBeGreaterThan(0);
    await shot(page, 'mfa-enrol');
    await submitTotp(page, secret);

    // Dashboard: member, organization, roles, session expiry.
    expect(path(page)).toBe('/dashboard');
    await expect.poll(() => page.textContent('[data-testid=org-name]')).toBe('Globex');
    expect(await page.textContent('[data-testid=member-email]')).toBe('ada@example.com');
    expect(await page.textContent('[data-testid=roles]')).toContain('stytch_member');
    expect(await page.textContent('[data-testid=factors]')).toContain('totp');
    expect(await page.textContent('[data-testid=session-expires]')).toMatch(/UTC$/);
    await shot(page, 'dashboard');

    // A plain member may read documents but not create them: a proper 403 page, not JSON.
    await page.goto(example.url + '/documents');
    expect(path(page)).toBe('/documents');
    await page.fill('[data-testid=create-doc-form] input[name=title]', 'Q3 plan');
    const [refused] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/documents') && r.request().method() === 'POST'), page.click('[data-testid=create-doc-form] button')]);
    expect(refused.status()).toBe(403);
    await page.locator('[data-testid=error-page]').waitFor();
    expect(await page.textContent('[data-testid=error-code]')).toBe('permission_denied');
    await shot(page, 'forbidden');

    // The members page needs stytch.member permissions: refused here too.
    const members = await page.goto(example.url + '/members');
    expect(members?.status()).toBe(403);

    // Switch to Acme, where Ada is an admin (no MFA required there): create and delete work.
    await switchTo(page, 'Acme Corp');
    expect(path(page)).toBe('/dashboard');
    expect(await page.textContent('[data-testid=org-name]')).toBe('Acme Corp');
    expect(await page.textContent('[data-testid=roles]')).toContain('stytch_admin');
    await page.goto(example.url + '/documents');
    await page.fill('[data-testid=create-doc-form] input[name=title]', 'Launch <checklist> & "notes"');
    await Promise.all([page.waitForURL('**/documents?notice=*'), page.click('[data-testid=create-doc-form] button')]);
    // Escaped as text, never markup.
    expect(await page.locator('[data-testid=document] td').first().textContent()).toBe('Launch <checklist> & "notes"');
    await shot(page, 'documents');
    await Promise.all([page.waitForURL('**/documents?notice=*'), page.click('[data-testid=delete-doc]')]);
    expect(await page.textContent('[data-testid=notice]')).toBe('Document deleted.');
    expect(await page.locator('[data-testid=document]').count()).toBe(0);

    const membersPage = await page.goto(example.url + '/members');
    expect(membersPage?.status()).toBe(200);
    expect(await page.textContent('[data-testid=members]')).toContain('bob@example.com');
    await shot(page, 'members');

    // Back into Globex: MFA again; this time with one of the recovery codes shown at enrolment.
    await switchTo(page, 'Globex');
    expect(path(page)).toBe('/mfa');
    // The MFA page names the organization being entered; the header no longer shows the old one alone.
    expect(await page.textContent('[data-testid=mfa-org-name]')).toBe('Globex');
    await expect.poll(() => page.textContent('[data-testid=current-org]')).toBe('Globex (signing in)');
    await page.click('[data-testid=recovery] summary');
    await page.fill('[data-testid=recovery-form] input[name=recovery_code]', recoveryCodes[0]!.trim());
    await Promise.all([page.waitForURL('**/dashboard'), page.click('[data-testid=recovery-form] button')]);
    expect(await page.textContent('[data-testid=org-name]')).toBe('Globex');

    // Sign out; a protected page then redirects to sign-in and, after login, back to itself.
    await Promise.all([page.waitForURL('**/login**'), page.click('[data-testid=logout]')]);
    await page.goto(example.url + '/documents');
    expect(path(page)).toBe('/login');
    expect(new URL(page.url()).searchParams.get('return_to')).toBe('/documents');
    await signInByEmail(page, 'ada@example.com');
    await pickOrganization(page, 'Globex');
    // Now enrolled: the MFA page asks for a TOTP code. Move the emulator clock to the next time
    // step, so the code differs from the one used at enrolment (codes are single use).
    expect(path(page)).toBe('/mfa');
    await page.locator('[data-testid=totp-form]').waitFor();
    expect(await page.locator('[data-testid=totp-create]').count()).toBe(0);
    emulator().clock.advance(30_000);
    await submitTotp(page, secret);
    expect(path(page)).toBe('/documents');
    // Not one 404 on the way: the favicon included.
    expect(missing).toEqual([]);
  });

  it('keeps the TOTP enrolment after a mistyped code: same secret and recovery codes, and says the code is wrong', async () => {
    emulator().admin.createMember(example.seed!.organizations.globex.id, { email_address: 'erin@example.com', name: 'Erin' });
    const page = await open();
    await signInByEmail(page, 'erin@example.com');
    await pickOrganization(page, 'Globex');
    expect(path(page)).toBe('/mfa');
    expect(await page.textContent('[data-testid=mfa-org-name]')).toBe('Globex');
    await page.click('[data-testid=totp-create]');
    const secret = (await page.locator('[data-testid=totp-secret]').textContent())!;
    const qr = await page.locator('[data-testid=totp-qr]').getAttribute('src');
    const codes = await page.locator('[data-testid=recovery-codes] li').allTextContents();

    const right = totp(secret.replace(/\s/g, ''), emulator().clock.now());
    await page.fill('[data-testid=totp-form] input[name=code]', right === '000000' ? '111111' : '000000');
    await page.click('[data-testid=totp-form] button[type=submit]');
    await page.locator('[data-testid=totp-form] [data-testid=error-banner]').waitFor();
    expect(await page.textContent('[data-testid=totp-form] [data-testid=error-banner]')).toContain('That code is wrong');
    expect(path(page)).toBe('/mfa');
    expect(await page.textContent('[data-testid=totp-secret]')).toBe(secret);
    expect(await page.locator('[data-testid=totp-qr]').getAttribute('src')).toBe(qr);
    expect(await page.locator('[data-testid=recovery-codes] li').allTextContents()).toEqual(codes);

    await submitTotp(page, secret.replace(/\s/g, ''));
    expect(path(page)).toBe('/dashboard');
    expect(await page.textContent('[data-testid=org-name]')).toBe('Globex');
    // The recovery codes shown at that enrolment are the ones that work.
    await Promise.all([page.waitForURL('**/login**'), page.click('[data-testid=logout]')]);
    await signInByEmail(page, 'erin@example.com');
    await pickOrganization(page, 'Globex');
    await page.click('[data-testid=recovery] summary');
    await page.fill('[data-testid=recovery-form] input[name=recovery_code]', codes[0]!.trim());
    await Promise.all([page.waitForURL('**/dashboard'), page.click('[data-testid=recovery-form] button')]);
  });

  it('sends a taken slug back to the organization picker, where the pending sign-in still works', async () => {
    const page = await open();
    await signInByEmail(page, 'frank@example.com');
    await page.waitForURL('**/select-org**');
    await page.locator('#discovered:not([aria-busy])').waitFor();
    // The browser's own check works: the pattern is valid with the v flag.
    await page.fill('[data-testid=create-org-form] input[name=organization_slug]', 'Not A Slug');
    expect(await page.locator('[data-testid=create-org-form] input[name=organization_slug]').evaluate((node) => (node as unknown as { validity: { patternMismatch: boolean } }).validity.patternMismatch)).toBe(true);

    await page.fill('[data-testid=create-org-form] input[name=organization_name]', 'Another Acme');
    await page.fill('[data-testid=create-org-form] input[name=organization_slug]', 'acme');
    await Promise.all([page.waitForURL('**/select-org?error=*'), page.click('[data-testid=create-org-form] button')]);
    expect(await page.textContent('[data-testid=error-banner]')).toContain('That slug is taken');
    await page.locator('#discovered:not([aria-busy])').waitFor();
    expect(await page.locator('[data-testid=create-org-form]').isVisible()).toBe(true);
    await page.fill('[data-testid=create-org-form] input[name=organization_name]', 'Frank Co');
    await page.fill('[data-testid=create-org-form] input[name=organization_slug]', 'frank-co');
    await Promise.all([page.waitForURL('**/dashboard'), page.click('[data-testid=create-org-form] button')]);
    expect(await page.textContent('[data-testid=org-name]')).toBe('Frank Co');
  });

  it('says a sign-in link opened a second time was already used', async () => {
    const page = await open();
    await signInByEmail(page, 'grace@example.com');
    await page.waitForURL('**/select-org**');
    await page.goto(example.url + '/dev/mailbox');
    const link = page.locator('tr[data-to="grace@example.com"][data-kind=discovery_magic_link] [data-testid=mail-link]').first();
    await Promise.all([page.waitForURL('**/login?error=*'), link.click()]);
    expect(await page.textContent('[data-testid=error-banner]')).toContain('already been used');
  });

  it('shows one way out, and no create form, on the organization picker without a pending sign-in', async () => {
    const page = await open();
    await page.goto(example.url + '/select-org');
    await page.locator('[data-testid=start-again]').waitFor();
    expect(await page.locator('[data-testid=error-banner]').count()).toBe(1);
    expect(await page.textContent('[data-testid=error-banner]')).toContain('Your sign-in expired');
    expect(await page.locator('[data-testid=create-org-form]').isVisible()).toBe(false);
  });

  it('shows a single banner when the pending sign-in expires on the MFA page', async () => {
    const page = await open();
    await signInByEmail(page, 'bob@example.com');
    await pickOrganization(page, 'Globex');
    expect(path(page)).toBe('/mfa');
    await page.locator('[data-testid=sms-form]').waitFor();
    // The pending sign-in (IST) lives 10 minutes at Stytch.
    emulator().clock.advance(11 * 60_000);
    await page.fill('[data-testid=sms-form] input[name=code]', '123456');
    await Promise.all([page.waitForURL('**/mfa?error=*'), page.click('[data-testid=sms-form] button[type=submit]')]);
    await page.locator('[data-testid=start-again]').waitFor();
    expect(await page.locator('[data-testid=error-banner]').count()).toBe(1);
    expect(await page.textContent('[data-testid=error-banner]')).toContain('Your sign-in expired');
  });

  it('completes SMS MFA with the code from the dev mailbox', async () => {
    const page = await open();
    await signInByEmail(page, 'bob@example.com');
    await pickOrganization(page, 'Globex');
    expect(path(page)).toBe('/mfa');
    await page.click('[data-testid=sms-send]');
    await page.locator('[data-testid=sms-sent]').waitFor();
    await shot(page, 'mfa-sms');

    await page.goto(example.url + '/dev/mailbox');
    const code = (await page.locator('tr[data-to="+15555550123"][data-kind=sms_otp] [data-testid=mail-code]').first().textContent())!;
    expect(code).toMatch(/^\d{6}$/);
    await page.goto(example.url + '/mfa');
    await page.fill('[data-testid=sms-form] input[name=code]', code);
    await Promise.all([page.waitForURL('**/dashboard'), page.click('[data-testid=sms-form] button[type=submit]')]);
    expect(await page.textContent('[data-testid=org-name]')).toBe('Globex');
    expect(await page.textContent('[data-testid=factors]')).toContain('otp');
  });

  it('lets someone without an organization create one and become its admin', async () => {
    const page = await open();
    await signInByEmail(page, 'dave@example.com');
    await page.waitForURL('**/select-org**');
    await page.locator('#discovered:not([aria-busy])').waitFor();
    expect(await page.locator('[data-testid=join-org]').count()).toBe(0);
    await page.fill('[data-testid=create-org-form] input[name=organization_name]', 'Initech');
    await page.fill('[data-testid=create-org-form] input[name=organization_slug]', 'initech');
    await Promise.all([page.waitForURL('**/dashboard'), page.click('[data-testid=create-org-form] button')]);
    expect(await page.textContent('[data-testid=org-name]')).toBe('Initech');
    expect(await page.textContent('[data-testid=roles]')).toContain('stytch_admin');
  });

  it('changes the signed-in member email through a confirmation link', async () => {
    const page = await open();
    await signInByEmail(page, 'carol@example.com');
    await pickOrganization(page, 'Acme Corp');
    await page.goto(example.url + '/account');
    expect(await page.textContent('[data-testid=current-email]')).toBe('carol@example.com');
    await shot(page, 'account');
    // An address another member of Acme already has: back on this page, which says so.
    await page.fill('[data-testid=email-update-form] input[name=email_address]', 'bob@example.com');
    await Promise.all([page.waitForURL('**/account?error=*'), page.click('[data-testid=email-update-form] button')]);
    expect(await page.textContent('[data-testid=error-banner]')).toContain('already used by another member');
    expect(await page.locator('[data-testid=login-form]').count()).toBe(0);
    await page.fill('[data-testid=email-update-form] input[name=email_address]', 'carol.new@example.com');
    await Promise.all([page.waitForURL('**/account?status=email_update_sent'), page.click('[data-testid=email-update-form] button')]);

    await page.goto(example.url + '/dev/mailbox');
    const link = page.locator('tr[data-to="carol.new@example.com"][data-kind=email_update_magic_link] [data-testid=mail-link]').first();
    await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/dev/mailbox')), link.click()]);
    // The page the link lands on confirms the change, once.
    expect(await page.textContent('[data-testid=email-changed]')).toContain('carol.new@example.com');
    await page.goto(example.url + '/account');
    expect(await page.textContent('[data-testid=current-email]')).toBe('carol.new@example.com');
    expect(await page.locator('[data-testid=email-changed]').count()).toBe(0);
  });

  it('refuses a form post from another origin even though the browser attaches the session cookies', async () => {
    const page = await open();
    await signInByEmail(page, 'ada@example.com');
    await pickOrganization(page, 'Acme Corp');
    // Another origin on loopback (same site, so SameSite=Lax cookies ARE sent): only the Origin check stops it.
    const evil = createServer((_req, res) => {
      res.setHeader('Content-Type', 'text/html');
      res.end(`<form method="post" action="${example.url}/documents"><input name="title" value="planted"></form><script>document.forms[0].submit()</script>`);
    });
    await listenOnLoopback(evil);
    try {
      const evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`;
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url() === example.url + '/documents' && r.request().method() === 'POST'),
        page.goto(evilUrl),
      ]);
      expect(answer.status()).toBe(403);
      expect(await answer.json()).toMatchObject({ error: { code: 'csrf_rejected' } });
    } finally {
      evil.closeAllConnections();
      await new Promise<void>((resolve) => evil.close(() => resolve()));
    }
    await page.goto(example.url + '/documents');
    expect(await page.locator('[data-testid=document]').count()).toBe(0);
  });
});
