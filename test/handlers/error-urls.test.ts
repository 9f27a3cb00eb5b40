/**
 * `stytchRoutes({ errorUrls })`: a failed form post goes back to the page the action came from,
 * with `?error=<code>`, and the pending sign-in it did not use up stays valid.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { stytchRoutes } from '../../src/index.js';
import { useEmulator } from '../helpers/emulator.js';
import { loginWithDiscoveryLink, resetEmulatorBeforeEach, signInNewMember, uniqueEmail, useTestApp } from './harness.js';

const emu = useEmulator();
resetEmulatorBeforeEach(emu);
const app = useTestApp(emu, { routes: { errorUrls: { discoveryCreate: '/select-org', emailUpdate: '/account?tab=email' } } });

describe('per-route error pages', () => {
  it('sends a taken slug back to the organization picker, where the pending sign-in still works', async () => {
    emu().admin.createOrganization({ organization_name: 'Taken', organization_slug: 'taken' });
    const browser = app.browser();
    expect((await loginWithDiscoveryLink(emu(), browser, uniqueEmail('creator'))).location).toBe('/select-org');
    const refused = await browser.post('/auth/discovery/organizations', { form: { organization_name: 'Mine', organization_slug: 'taken' } });
    expect(refused.status).toBe(303);
    expect(refused.location).toBe('/select-org?error=organization_slug_already_used');
    const listed = await browser.get('/auth/discovery/organizations');
    expect(listed.status).toBe(200);
    const created = await browser.post('/auth/discovery/organizations', { form: { organization_name: 'Mine', organization_slug: 'mine' } });
    expect(created.location).toBe('/dashboard');
  });

  it('sends a refused email change back to the account page, keeping its query', async () => {
    const { browser } = await signInNewMember(emu(), app);
    const refused = await browser.post('/auth/email/update', { form: { email_address: 'not-an-email' } });
    expect(refused.status).toBe(303);
    expect(refused.location).toBe('/account?tab=email&error=invalid_email');
  });

  it('keeps the login page for routes without an error page of their own', async () => {
    const browser = app.browser();
    const refused = await browser.post('/auth/login/email', { form: { email_address: 'nope' } });
    expect(refused.location).toBe('/login?error=invalid_email');
  });

  it('refuses an error page that is not a same-origin path, and an unknown route name', () => {
    expect(() => stytchRoutes({ appUrl: 'https://app.example.com', errorUrls: { emailUpdate: 'https://evil.example/x' } })).toThrow(ConfigError);
    expect(() => stytchRoutes({ appUrl: 'https://app.example.com', errorUrls: { emailUpdate: '//evil.example' } })).toThrow(/errorUrls\.emailUpdate/);
    expect(() => stytchRoutes({ appUrl: 'https://app.example.com', errorUrls: { emailUpdat: '/account' } as never })).toThrow(/Did you mean "errorUrls\.emailUpdate"/);
  });
});
