/**
 * The SSO and OAuth start routes and the organization login-methods route, end to end against
 * the emulator: start route → Stytch's public start URL → the emulator's IdP page → the callback.
 */
import { describe, expect, it } from 'vitest';
import { TEST_IDP_CERTIFICATE } from '../../src/emulator/sso-metadata.js';
import { stytchRoutes } from '../../src/handlers/index.js';
import { stytchAuth } from '../../src/middleware/stytch-auth.js';
import type { CookieJarClient } from '../helpers/cookie-jar.js';
import { useEmulator } from '../helpers/emulator.js';
import { linkPath, resetEmulatorBeforeEach, routeCalls, seedMember, startApp, uniqueEmail, useStytchClient, useTestApp } from './harness.js';

const PUBLIC_TOKEN = 'public-token-test-flows-start-routes';
const emu = useEmulator({ publicToken: PUBLIC_TOKEN });
const app = useTestApp(emu, {
  routes: {
    publicToken: PUBLIC_TOKEN,
    oauth: { google: { customScopes: ['https://www.googleapis.com/auth/calendar.readonly'], providerParams: { prompt: 'select_account' } } },
  },
});
/** The same routes without `?flow=` on the callback URL (projects that match redirect URLs exactly). */
const bare = useTestApp(emu, { routes: { publicToken: PUBLIC_TOKEN, flowParam: false } });
resetEmulatorBeforeEach(emu);

const stytch = useStytchClient(emu);

/** An organization with an active SAML connection (the emulator's test IdP) and a member. */
async function ssoOrg() {
  const seeded = seedMember(emu());
  const created = await stytch().sso.saml.createConnection({ organization_id: seeded.org.organization_id, display_name: 'Okta', identity_provider: 'okta' });
  const connectionId = created.connection?.connection_id ?? '';
  await stytch().sso.saml.updateConnection({
    organization_id: seeded.org.organization_id,
    connection_id: connectionId,
    idp_entity_id: 'https://idp.example/entity',
    idp_sso_url: 'https://idp.example/sso',
    x509_certificate: TEST_IDP_CERTIFICATE,
    attribute_mapping: { email: 'email', full_name: 'name' },
  });
  return { ...seeded, connectionId };
}

/** Follow a start route's 303 to the emulator, submit its IdP page, and return the app path Stytch sent the browser to. */
async function throughIdp(browser: CookieJarClient, startPath: string, form: Record<string, string>, origin = app.origin): Promise<string> {
  const start = await browser.get(startPath);
  expect(start.status, start.text).toBe(303);
  const stytchUrl = start.location ?? '';
  expect(stytchUrl.startsWith(emu().url)).toBe(true);
  const page = await fetch(stytchUrl, { redirect: 'manual' });
  const html = await page.text();
  expect(page.status, html).toBe(200);
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';
  const done = await fetch(new URL(action.replace(/&amp;/g, '&'), stytchUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
  });
  expect(done.status, await done.clone().text()).toBe(303);
  const back = new URL(done.headers.get('location') ?? '');
  expect(back.origin).toBe(origin);
  return back.pathname + back.search;
}

describe('GET /sso/start', () => {
  it('redirects to the public SSO start URL with the callback, the flow id and a PKCE challenge, and the IdP round trip signs the member in', async () => {
    const { org, email, member, connectionId } = await ssoOrg();
    const browser = app.browser();
    const start = await browser.get(`/auth/sso/start?slug=${org.organization_slug}&return_to=${encodeURIComponent('/reports?q=1')}`);
    expect(start.status).toBe(303);
    const url = new URL(start.location ?? '');
    expect(url.pathname).toBe('/v1/public/sso/start');
    expect(url.searchParams.get('connection_id')).toBe(connectionId);
    expect(url.searchParams.get('public_token')).toBe(PUBLIC_TOKEN);
    expect(url.searchParams.get('pkce_code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const redirect = new URL(url.searchParams.get('login_redirect_url') ?? '');
    expect(`${redirect.origin}${redirect.pathname}`).toBe(`${app.origin}/auth/callback`);
    expect(redirect.searchParams.get('flow')).toMatch(/^p[A-Za-z0-9_-]{22}$/);
    expect(browser.cookie(`stytch_flow_${redirect.searchParams.get('flow')}`)).toBeDefined();

    const back = await throughIdp(browser, `/auth/sso/start?organization_id=${org.organization_id}&return_to=${encodeURIComponent('/reports?q=1')}`, { email_address: email, name: 'Member' });
    expect(new URL(back, app.origin).searchParams.get('stytch_token_type')).toBe('sso');
    const done = await browser.get(back);
    expect(done.status).toBe(303);
    expect(done.location).toBe('/reports?q=1');
    expect((await browser.get('/auth/session')).body.memberId).toBe(member.member_id);
  });

  it('with flowParam: false, the callback URL goes to Stytch bare and the IdP round trip still finds its flow', async () => {
    const { org, email, member } = await ssoOrg();
    const browser = bare.browser();
    const start = await browser.get(`/auth/sso/start?organization_id=${org.organization_id}`);
    expect(start.status).toBe(303);
    expect(new URL(start.location ?? '').searchParams.get('login_redirect_url')).toBe(`${bare.origin}/auth/callback`);
    const back = await throughIdp(browser, `/auth/sso/start?organization_id=${org.organization_id}&return_to=${encodeURIComponent('/reports')}`, { email_address: email, name: 'Member' }, bare.origin);
    expect(back).not.toContain('flow=');
    const done = await browser.get(back);
    expect(done.status).toBe(303);
    expect(done.location).toBe('/reports');
    expect((await browser.get('/auth/session')).body.memberId).toBe(member.member_id);
    // The first start's flow is still pending; only the one that came back was consumed.
    expect([...browser.cookies.keys()].filter((name) => name.startsWith('stytch_flow_'))).toHaveLength(1);
  });

  it('an SSO callback opened in another browser is refused with 0 upstream calls', async () => {
    const { org, email } = await ssoOrg();
    const back = await throughIdp(app.browser(), `/auth/sso/start?organization_id=${org.organization_id}`, { email_address: email });
    emu().calls.clear();
    const res = await app.browser().get(back);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('pkce_verifier_missing');
    expect(routeCalls(emu())).toEqual([]);
  });

  it('answers the choice when the organization has several connections and no default: JSON, or a page for navigations', async () => {
    const { org, connectionId: first } = await ssoOrg();
    const second = (await stytch().sso.saml.createConnection({ organization_id: org.organization_id, display_name: 'Entra <ID>', identity_provider: 'microsoft-entra' })).connection?.connection_id ?? '';
    await stytch().sso.saml.updateConnection({
      organization_id: org.organization_id,
      connection_id: second,
      idp_entity_id: 'https://idp2.example/entity',
      idp_sso_url: 'https://idp2.example/sso',
      x509_certificate: TEST_IDP_CERTIFICATE,
      attribute_mapping: { email: 'email', full_name: 'name' },
    });
    await stytch().organizations.update({ organization_id: org.organization_id, sso_default_connection_id: '' });
    const res = await app.browser().get(`/auth/sso/start?slug=${org.organization_slug}&return_to=/home`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('choose_connection');
    expect(res.body.connections.map((c: { connectionId: string }) => c.connectionId)).toEqual([first, second]);
    expect(res.body.connections[0].startUrl).toBe(`/auth/sso/start?organization_id=${org.organization_id}&connection_id=${first}&return_to=%2Fhome`);
    // Each choice is a working start.
    expect(new URL((await app.browser().get(res.body.connections[1].startUrl)).location ?? '').searchParams.get('connection_id')).toBe(second);
    const page = await app.browser().get(`/auth/sso/start?slug=${org.organization_slug}`, { headers: { 'sec-fetch-mode': 'navigate' } });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toContain('Entra &#60;ID&#62;');
  });

  it('refuses bad input with a typed 4xx and no redirect to Stytch', async () => {
    const { org, connectionId } = await ssoOrg();
    const bare = seedMember(emu()).org;
    const cases: [string, number, string][] = [
      ['/auth/sso/start', 400, 'invalid_organization'],
      [`/auth/sso/start?organization_id=${org.organization_id}&slug=${org.organization_slug}`, 400, 'invalid_organization'],
      ['/auth/sso/start?slug=%3Cscript%3E', 400, 'invalid_organization'],
      ['/auth/sso/start?slug=no-such-org-anywhere', 404, 'organization_not_found'],
      ['/auth/sso/start?organization_id=organization-test-00000000-0000-4000-8000-000000000000', 404, 'organization_not_found'],
      [`/auth/sso/start?organization_id=${org.organization_id}&connection_id=bad%20id`, 400, 'invalid_connection_id'],
      [`/auth/sso/start?organization_id=${org.organization_id}&connection_id=saml-connection-test-elsewhere`, 404, 'sso_connection_not_found'],
      [`/auth/sso/start?organization_id=${org.organization_id}&return_to=${encodeURIComponent('//evil.example')}`, 400, 'invalid_return_to'],
      [`/auth/sso/start?organization_id=${org.organization_id}&return_to=${encodeURIComponent('https://evil.example/')}`, 400, 'invalid_return_to'],
      [`/auth/sso/start?organization_id=${org.organization_id}&connection_id=${connectionId}&connection_id=${connectionId}`, 400, 'invalid_query'],
      [`/auth/sso/start?organization_id=${bare.organization_id}`, 404, 'sso_not_configured'],
    ];
    for (const [path, status, code] of cases) {
      const browser = app.browser();
      const res = await browser.get(path);
      expect([path, res.status, res.body?.error?.code]).toEqual([path, status, code]);
      expect([...browser.cookies.keys()].some((n) => n.startsWith('stytch_flow_'))).toBe(false);
    }
    const nav = await app.browser().get('/auth/sso/start?slug=no-such-org-anywhere', { headers: { 'sec-fetch-mode': 'navigate' } });
    expect(nav.status).toBe(303);
    expect(nav.location).toBe('/login?error=organization_not_found');
  });
});

describe('GET /oauth/start and /oauth/discovery/start', () => {
  it('signs a member in with Google into the named organization, passing the configured scopes and provider parameters', async () => {
    const { org, email, member } = seedMember(emu());
    const browser = app.browser();
    const start = await browser.get(`/auth/oauth/start?provider=google&slug=${org.organization_slug}`);
    const url = new URL(start.location ?? '');
    expect(url.pathname).toBe('/v1/b2b/public/oauth/google/start');
    expect(url.searchParams.get('organization_id')).toBe(org.organization_id);
    expect(url.searchParams.get('custom_scopes')).toBe('https://www.googleapis.com/auth/calendar.readonly');
    expect(url.searchParams.get('provider_prompt')).toBe('select_account');
    expect(url.searchParams.get('pkce_code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const back = await throughIdp(browser, `/auth/oauth/start?provider=google&organization_id=${org.organization_id}`, { email_address: email, email_verified: 'true' });
    const done = await browser.get(back);
    expect(done.location).toBe('/dashboard');
    expect((await browser.get('/auth/session')).body.memberId).toBe(member.member_id);
  });

  it('an OAuth token for another organization on an OAuth flow is refused by the organization binding', async () => {
    const mine = seedMember(emu());
    const other = seedMember(emu());
    const browser = app.browser();
    const start = await browser.get(`/auth/oauth/start?provider=google&organization_id=${mine.org.organization_id}`);
    const flow = new URL(new URL(start.location ?? '').searchParams.get('login_redirect_url') ?? '').searchParams.get('flow');
    const token = emu().admin.issueOAuthToken({ email_address: other.email, organization_id: other.org.organization_id });
    const res = await browser.get(`/auth/callback?stytch_token_type=oauth&token=${encodeURIComponent(token)}&flow=${flow}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('login_flow_mismatch');
    expect(browser.cookie('stytch_session')).toBeUndefined();
  });

  it('a discovery OAuth login lands on the organization picker with an IST', async () => {
    const email = uniqueEmail('disco');
    seedMember(emu(), { email });
    const browser = app.browser();
    const back = await throughIdp(browser, '/auth/oauth/discovery/start?provider=microsoft&return_to=/after', { email_address: email, email_verified: 'true' });
    expect(new URL(back, app.origin).searchParams.get('stytch_token_type')).toBe('discovery_oauth');
    const done = await browser.get(back);
    expect(done.location).toBe('/select-org');
    expect(browser.cookie('stytch_intermediate_session_token')).toBeDefined();
    expect(browser.cookie('stytch_return_to')).toBeDefined();
  });

  it('GitHub (unverified email) continues to an emailed link, which finishes the login in this browser', async () => {
    const org = emu().admin.createOrganization({ organization_name: 'JIT GitHub', organization_slug: `jit-gh-${Date.now().toString(36)}`, email_allowed_domains: ['example.com'], email_jit_provisioning: 'RESTRICTED' });
    const email = uniqueEmail('octo');
    const browser = app.browser();
    const back = await throughIdp(browser, `/auth/oauth/start?provider=github&organization_id=${org.organization_id}&return_to=/welcome`, { email_address: email });
    const step = await browser.get(back);
    expect(step.status).toBe(303);
    expect(step.location).toBe('/login?status=email_sent&step=verify_email');
    expect(browser.cookie('stytch_session')).toBeUndefined();
    expect(browser.cookie('stytch_intermediate_session_token')).toBeDefined();
    const link = linkPath(emu().outbox.latest({ to: email })?.link);
    const done = await browser.get(link);
    expect(done.status).toBe(303);
    expect(done.location).toBe('/welcome');
    const me = await browser.get('/auth/session');
    expect(me.status).toBe(200);
    expect(me.body.organizationId).toBe(org.organization_id);
    expect(browser.cookie('stytch_intermediate_session_token')).toBeUndefined();
  });

  it('refuses an unknown provider, an unknown organization and a forged return_to with typed 4xx', async () => {
    const { org } = seedMember(emu());
    const cases: [string, number, string][] = [
      [`/auth/oauth/start?provider=facebook&organization_id=${org.organization_id}`, 400, 'invalid_oauth_provider'],
      [`/auth/oauth/start?organization_id=${org.organization_id}`, 400, 'invalid_oauth_provider'],
      ['/auth/oauth/start?provider=google', 400, 'invalid_organization'],
      ['/auth/oauth/start?provider=google&slug=nobody-has-this-slug', 404, 'organization_not_found'],
      [`/auth/oauth/start?provider=google&organization_id=${org.organization_id}&return_to=%2F%5Cevil.example`, 400, 'invalid_return_to'],
      ['/auth/oauth/discovery/start?provider=__proto__', 400, 'invalid_oauth_provider'],
      ['/auth/oauth/discovery/start?provider=slack&return_to=javascript:alert(1)', 400, 'invalid_return_to'],
    ];
    for (const [path, status, code] of cases) {
      const res = await app.browser().get(path);
      expect([path, res.status, res.body?.error?.code]).toEqual([path, status, code]);
    }
  });
});

describe('start routes when Stytch fails', () => {
  it('an outage during the organization lookup is 503, with no flow cookie and no redirect', async () => {
    emu().faults.next('POST /v1/b2b/organizations/search', { status: 503 });
    const browser = app.browser();
    const res = await browser.get('/auth/sso/start?slug=any-slug-at-all');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('upstream_unavailable');
    expect(res.location).toBeUndefined();
    expect(browser.cookies.size).toBe(0);
    expect(emu().calls.count('POST /v1/b2b/organizations/search')).toBe(1);
  });

  it('a discovery link for another address on a discovery flow id is refused by the address binding (even with pkce off)', async () => {
    const loose = await startApp(emu(), { routes: { pkce: false, env: {} } });
    try {
      const browser = loose.browser();
      const mine = uniqueEmail('mine');
      expect((await browser.post('/auth/login/email', { json: { email_address: mine } })).status).toBe(202);
      const flow = new URL(linkPath(emu().outbox.latest({ to: mine, kind: 'discovery_magic_link' })?.link), loose.origin).searchParams.get('flow') ?? '';
      expect(flow).toMatch(/^n/);
      const other = uniqueEmail('other');
      await loose.browser().post('/auth/login/email', { json: { email_address: other } });
      const link = new URL(linkPath(emu().outbox.latest({ to: other, kind: 'discovery_magic_link' })?.link), loose.origin);
      link.searchParams.set('flow', flow);
      const res = await browser.get(link.pathname + link.search);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('login_flow_mismatch');
      expect(browser.cookie('stytch_intermediate_session_token')).toBeUndefined();
    } finally {
      await loose.close();
    }
  });
});

describe('GET /organizations/login-methods', () => {
  it('lists what an organization allows, with start URLs for the mounted start routes', async () => {
    const { org, connectionId } = await ssoOrg();
    const res = await app.browser().get(`/auth/organizations/login-methods?slug=${org.organization_slug}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ organizationId: org.organization_id, organizationSlug: org.organization_slug, magicLink: true, password: true });
    expect(res.body.sso).toEqual([
      { connectionId, displayName: 'Okta', identityProvider: 'okta', isDefault: true, startUrl: `/auth/sso/start?organization_id=${org.organization_id}&connection_id=${connectionId}` },
    ]);
    expect(res.body.oauth.map((o: { provider: string }) => o.provider)).toEqual(['google', 'microsoft', 'github', 'slack', 'hubspot']);
  });

  it('follows RESTRICTED auth methods', async () => {
    const org = emu().admin.createOrganization({ organization_name: 'Only Google', organization_slug: `only-g-${Date.now().toString(36)}`, auth_methods: 'RESTRICTED', allowed_auth_methods: ['google_oauth'] });
    const res = await app.browser().get(`/auth/organizations/login-methods?organization_id=${org.organization_id}`);
    expect(res.body).toMatchObject({ magicLink: false, emailOtp: false, password: false, sso: [] });
    expect(res.body.oauth).toEqual([{ provider: 'google', startUrl: `/auth/oauth/start?provider=google&organization_id=${org.organization_id}` }]);
  });

  it('is 404 for an unknown slug and 400 without one', async () => {
    expect((await app.browser().get('/auth/organizations/login-methods?slug=missing-org-slug')).status).toBe(404);
    expect((await app.browser().get('/auth/organizations/login-methods')).body.error.code).toBe('invalid_organization');
  });
});

describe('public token and mounting', () => {
  it('without a public token the start routes are not mounted; naming one in paths is a ConfigError', async () => {
    const plain = await startApp(emu(), { routes: { env: {} } });
    try {
      expect((await plain.browser().get('/auth/sso/start?slug=x1')).status).toBe(404);
      // The login-methods route needs no public token.
      expect((await plain.browser().get('/auth/organizations/login-methods?slug=missing-org-slug')).body.error.code).toBe('organization_not_found');
    } finally {
      await plain.close();
    }
    expect(() => stytchRoutes({ appUrl: 'http://127.0.0.1:1', env: {}, paths: { ssoStart: '/sso/go' } })).toThrow(/publicToken/);
    expect(() => stytchRoutes({ appUrl: 'http://127.0.0.1:1', env: {}, publicToken: 'secret-live-oops' })).toThrow(/public token/);
  });

  it('reads STYTCH_PUBLIC_TOKEN from the given environment once, and each start route can be disabled', async () => {
    const fromEnv = await startApp(emu(), { routes: { env: { STYTCH_PUBLIC_TOKEN: PUBLIC_TOKEN }, paths: { oauthStart: false } } });
    try {
      const { org } = seedMember(emu());
      const sso = await fromEnv.browser().get(`/auth/sso/start?organization_id=${org.organization_id}`);
      expect(sso.body.error.code).toBe('sso_not_configured');
      expect((await fromEnv.browser().get(`/auth/oauth/start?provider=google&organization_id=${org.organization_id}`)).status).toBe(404);
      const disco = await fromEnv.browser().get('/auth/oauth/discovery/start?provider=google');
      expect(new URL(disco.location ?? '').searchParams.get('public_token')).toBe(PUBLIC_TOKEN);
    } finally {
      await fromEnv.close();
    }
  });

  it('the option names are checked like the others', () => {
    const auth = stytchAuth({ client: stytch(), loginUrl: '/login' });
    try {
      expect(() => stytchRoutes({ auth, appUrl: 'http://127.0.0.1:1', env: {}, oauth: { google: { scopes: ['x'] } } } as never)).toThrow(/scopes/);
      expect(() => stytchRoutes({ auth, appUrl: 'http://127.0.0.1:1', env: {}, ssoCustomScopes: ['has space'] })).toThrow(/ssoCustomScopes/);
    } finally {
      void auth.close();
    }
  });
});
