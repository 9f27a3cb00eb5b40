import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { stytchRoutes } from '../../src/handlers/index.js';
import type { StytchRoutesOptions } from '../../src/handlers/index.js';
import { useEmulator } from '../helpers/emulator.js';
import { linkPath, loginWithMagicLink, seedMember, startApp } from './harness.js';

const emu = useEmulator();

function configCode(options: unknown): string | undefined {
  try {
    stytchRoutes(options as StytchRoutesOptions);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
}

describe('stytchRoutes() options', () => {
  it('requires a valid appUrl (no path trickery, no credentials, http(s) only)', () => {
    expect(configCode({})).toMatch(/appUrl/);
    expect(configCode(undefined)).toMatch(/appUrl/);
    expect(configCode({ appUrl: 'localhost:3000' })).toMatch(/appUrl/);
    expect(configCode({ appUrl: 'javascript:alert(1)' })).toMatch(/appUrl/);
    expect(configCode({ appUrl: 'https://user:pw@app.example.com' })).toMatch(/appUrl/);
    expect(configCode({ appUrl: 'https://app.example.com', allowedOrigins: ['*'] })).toMatch(/allowedOrigins/);
    expect(configCode({ appUrl: 'https://app.example.com/some/path' })).toBeUndefined();
  });

  it('refuses redirect options that leave the origin, naming the option', () => {
    expect(configCode({ appUrl: 'https://app.example.com', afterLoginUrl: '//evil.example' })).toMatch(/afterLoginUrl/);
    expect(configCode({ appUrl: 'https://app.example.com', loginUrl: 'https://evil.example/login' })).toMatch(/loginUrl/);
    expect(configCode({ appUrl: 'https://app.example.com', mfaUrl: '/\\evil' })).toMatch(/mfaUrl/);
    expect(configCode({ appUrl: 'https://app.example.com', discoveryUrl: 'select' })).toMatch(/discoveryUrl/);
    expect(configCode({ appUrl: 'https://app.example.com', afterLogoutUrl: 'javascript:alert(1)' })).toMatch(/afterLogoutUrl/);
    expect(configCode({ appUrl: 'https://app.example.com', afterLoginUrl: 'https://app.example.com/home' })).toBeUndefined();
  });

  it('refuses bad paths, clashing paths, a bad session duration and a disabled callback without callbackPath', () => {
    expect(configCode({ appUrl: 'https://a.example', paths: { logout: 'logout' } })).toMatch(/paths.logout/);
    expect(configCode({ appUrl: 'https://a.example', paths: { logout: '/x;y' } })).toMatch(/paths.logout/);
    expect(configCode({ appUrl: 'https://a.example', paths: { logout: '/same', emailUpdate: '/same' } })).toMatch(/both POST \/same/);
    expect(configCode({ appUrl: 'https://a.example', sessionDurationMinutes: 1 })).toMatch(/sessionDurationMinutes/);
    expect(configCode({ appUrl: 'https://a.example', paths: { callback: false } })).toMatch(/callbackPath/);
    expect(configCode({ appUrl: 'https://a.example', paths: { callback: false }, callbackPath: '/my/callback' })).toBeUndefined();
    expect(configCode({ appUrl: 'https://a.example', onAuthenticated: 'yes' })).toMatch(/onAuthenticated/);
  });

  it('never mutates the options object', () => {
    const options = Object.freeze({ appUrl: 'https://a.example', paths: Object.freeze({ logout: '/bye' }) });
    expect(() => stytchRoutes(options)).not.toThrow();
  });
});

describe('paths', () => {
  it('serves custom paths, passes disabled routes to the next handler, and puts the mount path in the emailed link', async () => {
    const app = await startApp(emu(), {
      mount: '/account/auth',
      routes: { paths: { loginEmail: '/start', logout: false, session: '' } },
    });
    try {
      const { org, email } = seedMember(emu());
      const browser = app.browser();
      const res = await browser.post('/account/auth/start', { json: { email_address: email, organization_id: org.organization_id } });
      expect(res.status).toBe(202);
      const link = emu().outbox.latest({ to: email })?.link ?? '';
      expect(link.startsWith(`${app.origin}/account/auth/callback?`)).toBe(true);
      expect((await browser.get(linkPath(link))).location).toBe('/dashboard');
      expect((await browser.post('/account/auth/logout')).status).toBe(404);
      expect((await browser.get('/account/auth/session')).status).toBe(404);
      expect((await browser.post('/account/auth/login/email', { json: {} })).status).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('uses callbackPath in the emailed link when given', async () => {
    const app = await startApp(emu(), { routes: { callbackPath: '/auth/callback' }, mount: '/auth' });
    try {
      const { org, email } = seedMember(emu());
      await app.browser().post('/auth/login/email', { json: { email_address: email, organization_id: org.organization_id } });
      expect(emu().outbox.latest({ to: email })?.link?.startsWith(`${app.origin}/auth/callback?`)).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('finds the mount path on Connect too', async () => {
    const app = await startApp(emu(), { framework: 'connect', mount: '/connect-auth' });
    try {
      const { org, email } = seedMember(emu());
      const browser = app.browser();
      await browser.post('/connect-auth/login/email', { json: { email_address: email, organization_id: org.organization_id } });
      const link = emu().outbox.latest({ to: email })?.link ?? '';
      expect(link.startsWith(`${app.origin}/connect-auth/callback?`)).toBe(true);
      expect((await browser.get(linkPath(link))).status).toBe(303);
    } finally {
      await app.close();
    }
  });

  it('works with pkce: false (links usable without a verifier) and still replaces sessions', async () => {
    const app = await startApp(emu(), { routes: { pkce: false } });
    try {
      const { org, email } = seedMember(emu());
      const browser = app.browser();
      const res = await loginWithMagicLink(emu(), browser, email, org.organization_id);
      expect(res.location).toBe('/dashboard');
      // The callback consumed the flow's cookie.
      const flows = [...browser.cookies.keys()].filter((name) => name.startsWith('stytch_flow_'));
      expect(flows).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('uses the __Host- prefix for its own cookies when stytchAuth() is configured with it', async () => {
    const app = await startApp(emu(), { auth: { cookies: { prefix: '__Host-' } } });
    try {
      const { org, email } = seedMember(emu());
      const browser = app.browser();
      await browser.post('/auth/login/email', { json: { email_address: email, organization_id: org.organization_id } });
      expect([...browser.cookies.keys()].filter((name) => name.startsWith('__Host-stytch_flow_'))).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});

describe('stytchRoutes() option names and inheritance', () => {
  it('refuses a misspelled option with a suggestion', () => {
    expect(configCode({ appUrl: 'https://app.example.com', afterLoginURL: '/x' })).toBe('stytchRoutes(): unknown option "afterLoginURL". Did you mean "afterLoginUrl"?');
    expect(configCode({ appUrl: 'https://app.example.com', paths: { logut: '/out' } })).toBe('stytchRoutes(): unknown option "paths.logut". Did you mean "paths.logout"?');
  });

  it('refuses an "auth" option that is not a stytchAuth() middleware', () => {
    expect(configCode({ appUrl: 'https://app.example.com', auth: () => undefined })).toMatch(/option "auth" must be the middleware returned by stytchAuth\(\)/);
  });

  it("inherits the login page from stytchAuth(): a failed form post goes back to stytchAuth()'s loginUrl", async () => {
    const app = await startApp(emu(), { auth: { loginUrl: '/sign-in' } });
    try {
      const res = await app.browser().post('/auth/login/email', { form: { email_address: 'not-an-email' } });
      expect(res.status).toBe(303);
      expect(res.location).toBe('/sign-in?error=invalid_email');
    } finally {
      await app.close();
    }
  });
});
