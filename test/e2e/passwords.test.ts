/**
 * Passwords and email codes in the example app, in headless Chromium: password sign-in with and
 * without MFA, forgot -> email -> reset -> signed in (a weak password refused with feedback shown),
 * a reset link used twice refused, change with the current password, change with a stale session
 * asking for step-up, and email-code sign-in.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startExample, type RunningExample } from '../../examples/express-app/example.js';
import { browserRequirement, launchBrowser, type TestBrowser } from '../helpers/browser.js';

const requirement = browserRequirement('e2e/passwords');
const PASSWORD = 'violet tractor galaxy pebble 93';
const NEW_PASSWORD = 'quiet orange lantern harbor 71';

describe.skipIf(requirement !== 'run')('passwords and email codes in the example app', { timeout: 120_000 }, () => {
  let example: RunningExample;
  let browser: TestBrowser | undefined;
  let counter = 0;

  beforeAll(async () => {
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
  const path = (page: Page) => new URL(page.url()).pathname;

  /** A member with a password in a fresh organization (optionally MFA-required with a phone). */
  function seedPasswordMember(mfa = false) {
    counter += 1;
    const name = `Pw Org ${counter}`;
    const org = emulator().admin.createOrganization({ organization_name: name, organization_slug: `pw-org-${counter}`, ...(mfa ? { mfa_policy: 'REQUIRED_FOR_ALL' } : {}) });
    const email = `pw-${counter}-${Date.now().toString(36)}@example.com`;
    emulator().admin.createMember(org.organization_id, { email_address: email, password: PASSWORD, ...(mfa ? { mfa_phone_number: '+15555550199' } : {}) });
    return { name, email };
  }

  async function pickOrganization(page: Page, name: string): Promise<void> {
    await page.waitForURL('**/select-org**');
    const join = page.locator(`[data-testid=join-org][data-org="${name}"]`);
    await join.waitFor();
    await Promise.all([page.waitForURL((url) => url.pathname !== '/select-org'), join.click()]);
  }

  async function passwordSignIn(page: Page, email: string, password: string): Promise<void> {
    await page.goto(example.url + '/login');
    await Promise.all([page.waitForURL('**/login/password'), page.click('[data-testid=use-password]')]);
    await page.fill('[data-testid=password-login-form] input[name=email_address]', email);
    await page.fill('[data-testid=password-login-form] input[name=password]', password);
    await Promise.all([page.waitForURL((url) => url.pathname !== '/login/password'), page.click('[data-testid=password-login-form] button')]);
  }

  /** Forgot password through the dev mailbox: ends on the reset page. Returns the link. */
  async function openResetEmail(page: Page, email: string): Promise<string> {
    await page.goto(example.url + '/login');
    await Promise.all([page.waitForURL('**/forgot-password'), page.click('[data-testid=forgot-password]')]);
    await page.fill('[data-testid=forgot-form] input[name=email_address]', email);
    await Promise.all([page.waitForURL('**/login?status=reset_email_sent'), page.click('[data-testid=forgot-form] button')]);
    await page.locator('[data-testid=reset-sent]').waitFor();
    await Promise.all([page.waitForURL('**/dev/mailbox'), page.click('[data-testid=open-mailbox]')]);
    const link = page.locator(`tr[data-to="${email}"][data-kind=discovery_password_reset] [data-testid=mail-link]`).first();
    const href = (await link.getAttribute('href'))!;
    await Promise.all([page.waitForURL('**/reset-password'), link.click()]);
    return href;
  }

  it('signs in with a password, picking the organization', async () => {
    const page = await open();
    const { email, name } = seedPasswordMember();
    await passwordSignIn(page, email, PASSWORD);
    await pickOrganization(page, name);
    expect(path(page)).toBe('/dashboard');
    expect(await page.textContent('[data-testid=factors]')).toContain('password');
  });

  it('a wrong password shows a banner, not an error page', async () => {
    const page = await open();
    const { email } = seedPasswordMember();
    await passwordSignIn(page, email, NEW_PASSWORD);
    expect(page.url()).toContain('error=invalid_credentials');
    await page.locator('[data-testid=error-banner]').waitFor();
  });

  it('signs in with a password and completes MFA by SMS code', async () => {
    const page = await open();
    const { email, name } = seedPasswordMember(true);
    await passwordSignIn(page, email, PASSWORD);
    await pickOrganization(page, name);
    expect(path(page)).toBe('/mfa');
    await page.click('[data-testid=sms-send]');
    await page.locator('[data-testid=sms-sent]').waitFor();
    const code = emulator().outbox.latest({ kind: 'sms_otp' })!.code!;
    await page.fill('[data-testid=sms-form] input[name=code]', code);
    await Promise.all([page.waitForURL((url) => url.pathname !== '/mfa'), page.click('[data-testid=sms-form] button')]);
    expect(path(page)).toBe('/dashboard');
  });

  it('forgot -> email -> reset: a weak password is refused with feedback shown, then a strong one signs in; the link works once', async () => {
    const page = await open();
    const { email, name } = seedPasswordMember();
    const link = await openResetEmail(page, email);

    await page.fill('[data-testid=reset-form] input[name=password]', 'password123');
    await expect.poll(() => page.getAttribute('[data-testid=strength-verdict]', 'data-valid')).toBe('false');
    await Promise.all([page.waitForURL('**/reset-password?error=*'), page.click('[data-testid=reset-form] button')]);
    expect(page.url()).toContain('error=breached_password');
    await page.locator('[data-testid=error-banner]').waitFor();

    await page.fill('[data-testid=reset-form] input[name=password]', NEW_PASSWORD);
    await expect.poll(() => page.getAttribute('[data-testid=strength-verdict]', 'data-valid')).toBe('true');
    await Promise.all([page.waitForURL((url) => url.pathname !== '/reset-password'), page.click('[data-testid=reset-form] button')]);
    await pickOrganization(page, name);
    expect(path(page)).toBe('/dashboard');

    // The same link again: the reset page, then a refusal.
    await page.goto(link);
    expect(path(page)).toBe('/reset-password');
    await page.fill('[data-testid=reset-form] input[name=password]', NEW_PASSWORD);
    await Promise.all([page.waitForURL((url) => url.pathname !== '/reset-password' || url.search !== ''), page.click('[data-testid=reset-form] button')]);
    expect(page.url()).toContain('error=unable_to_auth_password_reset_token');
  });

  it('changes the password with the current one, and asks for step-up with a stale session and none', async () => {
    const page = await open();
    const { email, name } = seedPasswordMember();
    await passwordSignIn(page, email, PASSWORD);
    await pickOrganization(page, name);

    await page.goto(example.url + '/account');
    await page.fill('[data-testid=password-change-form] input[name=current_password]', PASSWORD);
    await page.fill('[data-testid=password-change-form] input[name=new_password]', NEW_PASSWORD);
    await Promise.all([page.waitForURL('**/account?status=password_changed'), page.click('[data-testid=password-change-form] button')]);
    await page.locator('[data-testid=password-changed]').waitFor();

    emulator().clock.advance(6 * 60_000);
    await page.goto(example.url + '/account');
    await page.fill('[data-testid=password-change-form] input[name=new_password]', 'amber walrus copper meadow 28');
    await Promise.all([page.waitForURL('**error=step_up_required'), page.click('[data-testid=password-change-form] button')]);
    await page.locator('[data-testid=error-banner]').waitFor();
  });

  it('signs in with an emailed code', async () => {
    const page = await open();
    const { email, name } = seedPasswordMember();
    await page.goto(example.url + '/login');
    await Promise.all([page.waitForURL('**/login/code'), page.click('[data-testid=use-code]')]);
    await page.fill('[data-testid=code-send-form] input[name=email_address]', email);
    await Promise.all([page.waitForURL('**/login?status=code_sent'), page.click('[data-testid=code-send-form] button')]);
    await page.locator('[data-testid=code-sent]').waitFor();
    const code = emulator().outbox.latest({ to: email, kind: 'discovery_email_otp' })!.code!;
    await page.fill('[data-testid=code-verify-form] input[name=email_address]', email);
    await page.fill('[data-testid=code-verify-form] input[name=code]', code);
    await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.click('[data-testid=code-verify-form] button')]);
    await pickOrganization(page, name);
    expect(path(page)).toBe('/dashboard');
  });
});
