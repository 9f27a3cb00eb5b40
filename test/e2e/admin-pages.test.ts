/**
 * The example app's admin and account pages in headless Chromium (playwright-core), against the
 * in-process emulator: members (invite, roles, deactivate/reactivate, MFA reset) through the
 * library's admin routes, a read-only member refused readably, the account page's recovery codes
 * and "sign out everywhere", the organization settings, and the M2M page's show-once secret.
 * Every test gets its own organization and browsers with fresh profiles.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StytchB2BClient } from '../../src/client/client.js';
import { startExample, type RunningExample } from '../../examples/express-app/example.js';
import { browserRequirement, launchBrowser, useScreenshots, type TestBrowser } from '../helpers/browser.js';
import { totp } from '../helpers/totp.js';

const requirement = browserRequirement('e2e/admin-pages');

describe.skipIf(requirement !== 'run')('admin and account pages of the example app', { timeout: 120_000 }, () => {
  let example: RunningExample;
  const browsers: TestBrowser[] = [];
  let counter = 0;

  beforeAll(async () => {
    example = await startExample({ port: 0, env: {} });
  });
  afterEach(async () => {
    for (const b of browsers.splice(0)) await b.close();
  });
  afterAll(async () => {
    await client?.close();
    await example?.close();
  });

  const emulator = () => example.emulator!;
  let client: StytchB2BClient | undefined;
  /** The typed client with the project secret, for setup the pages do not offer. */
  const stytch = () => (client ??= new StytchB2BClient({ projectId: emulator().projectId, secret: emulator().secret, baseUrl: emulator().url, env: {} }));
  const path = (page: Page) => new URL(page.url()).pathname;
  const shot = useScreenshots();
  /** A page in a new browser with a fresh profile (no cookie from any other browser). */
  const fresh = async () => {
    const b = await launchBrowser();
    browsers.push(b);
    return b.page;
  };
  const unique = () => `${++counter}-${Date.now().toString(36)}`;
  const newEmail = (name: string) => `${name}-${unique()}@example.com`;

  /** A new organization with an admin (and whatever else the test adds). */
  function freshOrganization(options: { mfaRequired?: boolean } = {}) {
    const id = unique();
    const slug = `team-${id}`;
    const name = `Team ${id}`;
    const org = emulator().admin.createOrganization({ organization_name: name, organization_slug: slug, ...(options.mfaRequired ? { mfa_policy: 'REQUIRED_FOR_ALL' } : {}) });
    const adminEmail = newEmail('admin');
    emulator().admin.createMember(org.organization_id, { email_address: adminEmail, name: 'Team Admin', roles: ['stytch_admin'] });
    const addMember = (email: string, input: { roles?: string[]; mfa_phone_number?: string; name?: string } = {}) =>
      emulator().admin.createMember(org.organization_id, { email_address: email, name: input.name ?? 'Team Mate', ...input });
    return { id: org.organization_id, slug, name, adminEmail, addMember };
  }

  /** Email sign-in on the organization's own page: the link leads straight into it. */
  async function signIn(page: Page, slug: string, email: string): Promise<void> {
    await page.goto(`${example.url}/org/${slug}/login`);
    await page.fill('[data-testid=org-email-form] input[name=email_address]', email);
    await Promise.all([page.waitForURL('**/login?status=email_sent'), page.click('[data-testid=org-email-form] button[type=submit]')]);
    const link = emulator().outbox.latest({ to: email, kind: 'login_magic_link' })?.link;
    expect(link).toBeDefined();
    await page.goto(link!);
  }

  /** A new member of `team` (with `roles`), signed in on a page of its own browser. */
  async function memberPage(team: ReturnType<typeof freshOrganization>, name: string, roles?: string[]): Promise<Page> {
    const email = newEmail(name);
    team.addMember(email, roles === undefined ? {} : { roles });
    const page = await fresh();
    await signIn(page, team.slug, email);
    return page;
  }

  const row = (page: Page, email: string) => page.locator(`[data-testid=member][data-email="${email}"]`);

  /** Open a member's "Manage" panel and submit one of its forms; waits for the page it returns to. */
  async function manage(page: Page, email: string, testid: string, before?: (form: ReturnType<Page['locator']>) => Promise<void>): Promise<void> {
    const target = row(page, email);
    await target.locator('[data-testid=member-actions] summary').click();
    const form = target.locator(`[data-testid=${testid}]`);
    if (before) await before(form);
    await Promise.all([page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() }), form.locator('button[type=submit]').click()]);
    await page.waitForLoadState('load');
  }

  it('an admin invites a teammate with a role; they accept in their own browser and show up active with that role', async () => {
    const team = freshOrganization();
    const page = await fresh();
    await signIn(page, team.slug, team.adminEmail);
    await page.goto(example.url + '/members');
    expect(await row(page, team.adminEmail).getAttribute('data-status')).toBe('active');

    const invitee = newEmail('invitee');
    const invite = page.locator('[data-testid=invite-form]');
    await invite.locator('input[name=email_address]').fill(invitee);
    await invite.locator('input[name=name]').fill('New Teammate');
    await invite.locator('input[name=roles][value=documents_editor]').check();
    await Promise.all([page.waitForURL('**/members?status=invited'), invite.locator('button[type=submit]').click()]);
    expect(await page.textContent('[data-testid=notice]')).toBe('Invitation sent.');
    expect(await row(page, invitee).getAttribute('data-status')).toBe('invited');

    // "Resend invitation": a second email; the newest link is the one to open.
    const firstLink = emulator().outbox.latest({ to: invitee, kind: 'invite_magic_link' })?.link;
    await manage(page, invitee, 'resend-invite');
    expect(new URL(page.url()).searchParams.get('status')).toBe('resent');
    expect(await page.textContent('[data-testid=notice]')).toBe('Invitation sent again.');

    // The invitation email, from the emulator's outbox, opened in the invitee's own browser.
    const link = emulator().outbox.latest({ to: invitee, kind: 'invite_magic_link' })?.link;
    expect(link).not.toBe(firstLink);
    expect(link).toBeDefined();
    const guest = await fresh();
    await guest.goto(link!);
    // Opening it spends nothing (a mail scanner's GET would not either); Continue redeems it.
    expect(await guest.title()).toBe('Continue signing in?');
    await Promise.all([guest.waitForURL('**/auth/join'), guest.click('button[value=continue]')]);
    expect(await guest.title()).toBe(`Join ${team.name}?`);
    await Promise.all([guest.waitForURL('**/dashboard'), guest.click('button[value=join]')]);
    expect(await guest.textContent('[data-testid=org-name]')).toBe(team.name);
    expect(await guest.textContent('[data-testid=roles]')).toContain('documents_editor');

    await page.goto(example.url + '/members');
    expect(await row(page, invitee).getAttribute('data-status')).toBe('active');
    expect(await row(page, invitee).locator('[data-testid=member-roles]').textContent()).toContain('documents_editor');
    await row(page, invitee).locator('[data-testid=member-actions] summary').click();
    await shot(page, 'admin-members');
    // Search by part of the address.
    await page.fill('[data-testid=member-search] input[name=q]', invitee.slice(0, 12));
    await Promise.all([page.waitForURL('**/members?q=*'), page.click('[data-testid=member-search] button[type=submit]')]);
    expect(await page.locator('[data-testid=member]').count()).toBe(1);
    expect(await row(page, invitee).count()).toBe(1);
    // Too short a search is a message, not an error page.
    await page.goto(example.url + '/members?q=ab');
    expect(await page.textContent('[data-testid=error-banner]')).toContain('at least 3 characters');
  });

  it('an admin edits roles, deactivates and reactivates a member, and resets their MFA; the last admin is kept', async () => {
    const team = freshOrganization();
    const mate = newEmail('mate');
    const mateMember = team.addMember(mate);
    // An authenticator app and a phone, set up with the project secret (as a support tool would).
    const { secret } = await stytch().totps.create({ organization_id: team.id, member_id: mateMember.member_id });
    const { session_token } = emulator().admin.createSession({ member_id: mateMember.member_id });
    await stytch().totps.authenticate({ organization_id: team.id, member_id: mateMember.member_id, session_token, code: totp(secret, emulator().clock.now()) });
    await stytch().organizations.members.update({ organization_id: team.id, member_id: mateMember.member_id, mfa_phone_number: '+15555550142' });
    const page = await fresh();
    await signIn(page, team.slug, team.adminEmail);
    await page.goto(example.url + '/members');
    expect(await row(page, mate).locator('[data-testid=member-mfa]').textContent()).toMatch(/phone \+1\*+0142/);

    await manage(page, mate, 'roles-form', (form) => form.locator('input[name=roles][value=documents_editor]').check());
    expect(new URL(page.url()).searchParams.get('status')).toBe('roles_saved');
    expect(await row(page, mate).locator('[data-testid=member-roles]').textContent()).toContain('documents_editor');

    expect(await row(page, mate).locator('[data-testid=member-mfa]').textContent()).toContain('authenticator app');
    await manage(page, mate, 'reset-phone');
    expect(new URL(page.url()).searchParams.get('status')).toBe('mfa_reset');
    await manage(page, mate, 'reset-totp');
    expect(new URL(page.url()).searchParams.get('status')).toBe('mfa_reset');
    expect(await row(page, mate).locator('[data-testid=member-mfa]').textContent()).toContain('none');

    // Deactivated members leave the default list; the "deactivated" filter shows them.
    await manage(page, mate, 'deactivate');
    expect(new URL(page.url()).searchParams.get('status')).toBe('deactivated');
    expect(await row(page, mate).count()).toBe(0);
    await page.selectOption('[data-testid=member-search] select[name=show]', 'deleted');
    await Promise.all([page.waitForURL('**/members?*show=deleted*'), page.click('[data-testid=member-search] button[type=submit]')]);
    expect(await row(page, mate).getAttribute('data-status')).toBe('deleted');
    await manage(page, mate, 'reactivate');
    expect(new URL(page.url()).searchParams.get('status')).toBe('reactivated');
    expect(await row(page, mate).getAttribute('data-status')).toBe('active');

    // An invitation can be revoked before it is accepted.
    const invitee = newEmail('revoked');
    await page.fill('[data-testid=invite-form] input[name=email_address]', invitee);
    await Promise.all([page.waitForURL('**/members?status=invited'), page.click('[data-testid=invite-form] button[type=submit]')]);
    await manage(page, invitee, 'remove-member');
    expect(new URL(page.url()).searchParams.get('status')).toBe('removed');
    expect(await row(page, invitee).count()).toBe(0);

    // The only admin cannot deactivate themselves: a message on the page, and they stay active.
    await manage(page, team.adminEmail, 'deactivate');
    expect(new URL(page.url()).searchParams.get('error')).toBe('last_admin');
    expect(await page.textContent('[data-testid=error-banner]')).toContain('last active admin');
    expect(await row(page, team.adminEmail).getAttribute('data-status')).toBe('active');
  });

  it('a read-only member sees the members without any control, and a post anyway gets a readable 403', async () => {
    const team = freshOrganization();
    const page = await memberPage(team, 'viewer', ['members_viewer']);
    await page.goto(example.url + '/members');
    expect(await row(page, team.adminEmail).count()).toBe(1);
    expect(await page.locator('[data-testid=invite-form]').count()).toBe(0);
    expect(await page.locator('[data-testid=member-actions]').count()).toBe(0);
    expect(await page.locator('[data-testid=read-only]').isVisible()).toBe(true);
    await shot(page, 'admin-members-read-only');

    // A plain HTML form post to the admin route anyway: back on the page with the reason.
    await Promise.all([
      page.waitForURL('**/members?error=*'),
      // (A script string: this test is compiled without the DOM types.)
      page.evaluate(`(() => {
        const form = document.createElement('form');
        form.method = 'post';
        form.action = '/api/org/members/invite';
        for (const [name, value] of [['email_address', 'planted@example.com'], ['return_to', '/members']]) {
          const input = document.createElement('input');
          input.name = name;
          input.value = value;
          form.append(input);
        }
        document.body.append(form);
        form.submit();
      })()`),
    ]);
    expect(new URL(page.url()).searchParams.get('error')).toBe('permission_denied');
    expect(await page.textContent('[data-testid=error-banner]')).toContain('Your roles do not allow this.');
    // The same as JSON, as a script would see it: 403 with the code, the permission and a message.
    const answer = await page.evaluate(async () => {
      const res = await fetch('/api/org/members/invite', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ email_address: 'planted@example.com' }) });
      return { status: res.status, body: (await res.json()) as { error: { code: string; message: string; permission?: unknown } } };
    });
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('permission_denied');
    expect(answer.body.error.permission).toEqual({ resource_id: 'stytch.member', action: 'create' });
    expect(answer.body.error.message.length).toBeGreaterThan(0);
    expect(emulator().outbox.latest({ to: 'planted@example.com' })).toBeUndefined();

    // Without even `stytch.member:search`, the page itself is refused with the 403 page.
    const other = await memberPage(team, 'plain');
    const refused = await other.goto(example.url + '/members');
    expect(refused?.status()).toBe(403);
    expect(await other.textContent('[data-testid=error-code]')).toBe('permission_denied');
  });

  it('account page: recovery codes are shown once; a factor is removed with a fresh sign-in, an old one is sent to confirm first', async () => {
    const team = freshOrganization({ mfaRequired: true });
    const email = newEmail('totp');
    const member = team.addMember(email);
    const page = await fresh();
    await signIn(page, team.slug, email);
    // MFA is required here: enrol an authenticator app (the page shows the recovery codes once).
    await page.waitForURL('**/mfa**');
    await page.click('[data-testid=totp-create]');
    const secret = (await page.locator('[data-testid=totp-secret]').textContent())!.replace(/\s/g, '');
    const enrolmentCodes = (await page.locator('[data-testid=recovery-codes] li').allTextContents()).map((c) => c.trim());
    expect(enrolmentCodes.length).toBeGreaterThan(0);
    await page.fill('[data-testid=totp-form] input[name=code]', totp(secret, emulator().clock.now()));
    await Promise.all([page.waitForURL((url) => url.pathname !== '/mfa'), page.click('[data-testid=totp-form] button[type=submit]')]);

    // A phone as well (set with the project secret, as a support tool would).
    await stytch().organizations.members.update({ organization_id: team.id, member_id: member.member_id, mfa_phone_number: '+15555550177' });
    await page.goto(example.url + '/account');
    expect(await page.textContent('[data-testid=my-totp]')).toBe('set up');
    expect(await page.textContent('[data-testid=my-phone]')).toMatch(/\*+0177$/);
    // Recovery codes: shown on request...
    await page.click('[data-testid=show-recovery-codes] button');
    await page.locator('[data-testid=recovery-code-list]').waitFor();
    expect((await page.locator('[data-testid=recovery-code-list] li').allTextContents()).map((c) => c.trim())).toEqual(enrolmentCodes);
    await shot(page, 'account-security');
    // ...once: not in the page after a reload, and a second request needs a new factor.
    await page.reload();
    expect(await page.locator('[data-testid=recovery-code-list]').count()).toBe(0);
    expect(await page.content()).not.toContain(enrolmentCodes[0]!);
    await Promise.all([page.waitForURL('**/account?error=*'), page.click('[data-testid=show-recovery-codes] button')]);
    // (The routes answer the step-up code of stytchRoutes(): `step_up_required`.)
    expect(new URL(page.url()).searchParams.get('error')).toBe('step_up_required');
    expect(await page.locator('[data-testid=reverify-link]').getAttribute('href')).toBe('/login?return_to=%2Faccount');

    // The default method: text message instead of the app.
    await page.goto(example.url + '/account');
    await page.selectOption('[data-testid=default-mfa-form] select[name=default_mfa_method]', 'sms_otp');
    await Promise.all([page.waitForURL('**/account?status=factor_saved'), page.click('[data-testid=default-mfa-form] button[type=submit]')]);
    expect(await page.textContent('[data-testid=my-default-mfa]')).toBe('sms_otp');

    // Removing the phone within minutes of signing in works.
    await page.goto(example.url + '/account');
    await Promise.all([page.waitForURL('**/account?status=factor_saved'), page.click('[data-testid=remove-my-phone] button')]);
    expect(await page.textContent('[data-testid=my-phone]')).toBe('none');

    // Later, the same session must confirm it is the member first.
    emulator().clock.advance(10 * 60_000);
    await page.goto(example.url + '/account');
    await Promise.all([page.waitForURL('**/account?error=*'), page.click('[data-testid=remove-my-totp] button')]);
    expect(new URL(page.url()).searchParams.get('error')).toBe('step_up_required');
    expect(await page.locator('[data-testid=reverify]').isVisible()).toBe(true);
    expect(await page.textContent('[data-testid=my-totp]')).toBe('set up');

    // "Confirm it is you": sign in again (email, then the app's code) and come back here.
    await Promise.all([page.waitForURL('**/login?return_to=*'), page.click('[data-testid=reverify-link]')]);
    await page.fill('[data-testid=login-form] input[name=email_address]', email);
    await Promise.all([page.waitForURL('**/login?status=email_sent'), page.click('[data-testid=login-form] button[type=submit]')]);
    await page.goto(emulator().outbox.latest({ to: email, kind: 'discovery_magic_link' })!.link!);
    const join = page.locator(`[data-testid=join-org][data-org="${team.name}"]`);
    await Promise.all([page.waitForURL('**/mfa**'), join.click()]);
    await page.fill('[data-testid=totp-form] input[name=code]', totp(secret, emulator().clock.now()));
    await Promise.all([page.waitForURL('**/account'), page.click('[data-testid=totp-form] button[type=submit]')]);
    // Fresh again: replace the recovery codes (the new ones are shown, the old ones are gone).
    await page.click('[data-testid=rotate-recovery-codes] button');
    await page.locator('[data-testid=recovery-code-list]').waitFor();
    const rotated = (await page.locator('[data-testid=recovery-code-list] li').allTextContents()).map((c) => c.trim());
    expect(rotated).toHaveLength(enrolmentCodes.length);
    expect(rotated.filter((code) => enrolmentCodes.includes(code))).toEqual([]);
    await Promise.all([page.waitForURL('**/account?status=factor_saved'), page.click('[data-testid=remove-my-totp] button')]);
    expect(await page.textContent('[data-testid=my-totp]')).toBe('none');
  });

  it('"sign out everywhere" on the account page signs out another browser of the same member', async () => {
    const team = freshOrganization();
    const email = newEmail('everywhere');
    team.addMember(email);
    const laptop = await fresh();
    const phone = await fresh();
    await signIn(laptop, team.slug, email);
    await signIn(phone, team.slug, email);
    expect(path(phone)).toBe('/dashboard');

    await laptop.goto(example.url + '/account');
    expect(await laptop.locator('[data-testid=my-session]').count()).toBe(2);
    expect(await laptop.locator('[data-testid=my-session][data-current=true]').count()).toBe(1);
    await Promise.all([laptop.waitForURL('**/login**'), laptop.click('[data-testid=sign-out-everywhere] button')]);

    // Both browsers are signed out: protected pages send them to sign in.
    await phone.goto(example.url + '/dashboard');
    expect(path(phone)).toBe('/login');
    await laptop.goto(example.url + '/dashboard');
    expect(path(laptop)).toBe('/login');
  });

  it('an admin saves the organization settings, a renamer only the name; a member without the permission is refused the page', async () => {
    const team = freshOrganization();
    emulator().admin.setOrgPolicy(team.id, { roles: [{ role_id: 'namer', description: 'Renames the organization', permissions: [{ resource_id: 'stytch.organization', actions: ['update.info.name'] }] }] });
    const page = await fresh();
    await signIn(page, team.slug, team.adminEmail);
    await page.goto(example.url + '/admin/organization');
    const form = page.locator('[data-testid=organization-form]');
    expect(await form.locator('input[name=organization_slug]').inputValue()).toBe(team.slug);
    await shot(page, 'admin-organization');
    await form.locator('input[name=organization_name]').fill(`${team.name} Renamed`);
    await form.locator('input[name=email_allowed_domains]').fill('example.com, example.org');
    await form.locator('select[name=email_invites]').selectOption('RESTRICTED');
    await form.locator('select[name=mfa_methods]').selectOption('RESTRICTED');
    await form.locator('input[name=allowed_mfa_methods][value=totp]').check();
    await form.locator('select[name=auth_methods]').selectOption('RESTRICTED');
    for (const method of ['magic_link', 'password']) await form.locator(`input[name=allowed_auth_methods][value=${method}]`).check();
    await Promise.all([page.waitForURL('**/admin/organization?status=saved'), form.locator('button[type=submit]').click()]);
    expect(await page.textContent('[data-testid=notice]')).toBe('Settings saved.');
    expect(await form.locator('input[name=organization_name]').inputValue()).toBe(`${team.name} Renamed`);
    expect(await form.locator('input[name=email_allowed_domains]').inputValue()).toBe('example.com, example.org');

    const saved = emulator().admin.getOrganization(team.id)!;
    expect(saved.organization_name).toBe(`${team.name} Renamed`);
    expect(saved.email_allowed_domains).toEqual(['example.com', 'example.org']);
    expect(saved.email_invites).toBe('RESTRICTED');
    expect(saved.mfa_methods).toBe('RESTRICTED');
    expect(saved.allowed_mfa_methods).toEqual(['totp']);
    expect(saved.auth_methods).toBe('RESTRICTED');
    expect([...saved.allowed_auth_methods].sort()).toEqual(['magic_link', 'password']);

    // A custom role of this organization (set up with it, above) that may only rename it: the other
    // fields are read-only (and not sent), and the rename goes through.
    const renamer = await memberPage(team, 'namer', ['namer']);
    const opened = await renamer.goto(example.url + '/admin/organization');
    expect(opened?.status()).toBe(200);
    const limited = renamer.locator('[data-testid=organization-form]');
    expect(await limited.locator('input[name=organization_name]').isEnabled()).toBe(true);
    expect(await limited.locator('input[name=organization_slug]').isDisabled()).toBe(true);
    expect(await limited.locator('select[name=mfa_policy]').isDisabled()).toBe(true);
    await limited.locator('input[name=organization_name]').fill(`${team.name} Again`);
    await Promise.all([renamer.waitForURL('**/admin/organization?status=saved'), limited.locator('button[type=submit]').click()]);
    expect(emulator().admin.getOrganization(team.id)!.organization_name).toBe(`${team.name} Again`);
    expect(emulator().admin.getOrganization(team.id)!.email_invites).toBe('RESTRICTED');

    const other = await memberPage(team, 'viewer', ['members_viewer']);
    const refused = await other.goto(example.url + '/admin/organization');
    expect(refused?.status()).toBe(403);
  });

  it('the M2M page creates a client and shows its secret once, never again on reload', async () => {
    const team = freshOrganization();
    const page = await fresh();
    await signIn(page, team.slug, team.adminEmail);
    await page.goto(example.url + '/admin/m2m');
    expect(await page.locator('[data-testid=no-m2m-clients]').isVisible()).toBe(true);
    const create = page.locator('[data-testid=m2m-create-form]');
    await create.locator('input[name=client_name]').fill('Nightly export');
    await create.locator('input[name=scopes][value="read:documents"]').check();
    const [shown] = await Promise.all([page.waitForResponse((r) => r.url().includes('/admin/m2m?created=')), create.locator('button[type=submit]').click()]);
    expect(shown.headers()['cache-control']).toBe('no-store');
    const secret = (await page.textContent('[data-testid=m2m-secret]'))!.trim();
    const clientId = (await page.textContent('[data-testid=m2m-new-client-id]'))!.trim();
    expect(secret.length).toBeGreaterThan(20);
    await shot(page, 'admin-m2m');
    const listed = page.locator('[data-testid=m2m-client][data-name="Nightly export"]');
    expect(await listed.textContent()).toContain('read:documents');
    expect(await listed.textContent()).not.toContain(secret);

    // The secret is real: it gets an access token from the project's token URL.
    const token = await fetch(`${emulator().url}/v1/public/${encodeURIComponent(emulator().projectId)}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: 'read:documents' }),
    });
    expect(token.status).toBe(200);

    // Reload: the client is listed, its secret is gone for good.
    await page.reload();
    expect(await page.locator('[data-testid=m2m-secret]').count()).toBe(0);
    expect(await page.locator('[data-testid=m2m-secret-gone]').isVisible()).toBe(true);
    expect(await page.content()).not.toContain(secret);
    expect(await page.locator('[data-testid=m2m-client][data-name="Nightly export"]').count()).toBe(1);

    // No name or no scope: a message, no client.
    await page.goto(example.url + '/admin/m2m');
    await create.locator('input[name=client_name]').fill('No scopes');
    await Promise.all([page.waitForURL('**/admin/m2m?error=*'), create.locator('button[type=submit]').click()]);
    expect(await page.textContent('[data-testid=error-banner]')).toContain('Pick at least one');

    // Another organization's admin does not see this organization's clients; a member is refused.
    const other = freshOrganization();
    const elsewhere = await fresh();
    await signIn(elsewhere, other.slug, other.adminEmail);
    await elsewhere.goto(example.url + '/admin/m2m');
    expect(await elsewhere.locator('[data-testid=m2m-client]').count()).toBe(0);
    const member = await memberPage(team, 'plain');
    const refused = await member.goto(example.url + '/admin/m2m');
    expect(refused?.status()).toBe(403);
  });
});
