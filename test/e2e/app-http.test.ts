/**
 * The example app over plain HTTP (no browser): redirects, error pages, headers and escaping.
 * These run everywhere, including where Chromium is not installed.
 */
import { request, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExample, type RunningExample } from '../../examples/express-app/example.js';
import { escapeHtml, html } from '../../examples/express-app/views/html.js';
import { SLUG_PATTERN } from '../../examples/express-app/views/pages.js';
import { StytchB2BClient } from '../../src/client/index.js';

describe('the slug field', () => {
  // Browsers compile `pattern` as ^(?:pattern)$ with the v flag; an invalid one disables the check.
  const slug = new RegExp(`^(?:${SLUG_PATTERN})$`, 'v');

  it('has a pattern that compiles with the v flag, as browsers compile it', () => {
    expect(() => new RegExp(SLUG_PATTERN, 'v')).not.toThrow();
  });

  it('accepts what the routes accept as a slug and refuses the rest', () => {
    for (const ok of ['acme', 'a1', 'acme-corp', 'acme.corp', 'a_b~c', 'x'.repeat(128)]) expect(slug.test(ok), ok).toBe(true);
    for (const bad of ['a', 'Acme', 'acme corp', 'acme/corp', 'x'.repeat(129), '']) expect(slug.test(bad), bad).toBe(false);
  });
});

describe('html template tag', () => {
  it('escapes every interpolated string, including quotes and backticks', () => {
    expect(html`<p title="${'"><script>'}">${"<img src=x onerror='a'>`"}</p>`.toString()).toBe(
      '<p title="&quot;&gt;&lt;script&gt;">&lt;img src=x onerror=&#39;a&#39;&gt;&#96;</p>',
    );
  });

  it('keeps nested templates as markup and joins arrays', () => {
    const items = ['a&b', 'c'].map((t) => html`<li>${t}</li>`);
    expect(html`<ul>${items}</ul>`.toString()).toBe('<ul><li>a&amp;b</li><li>c</li></ul>');
  });

  it('renders null, undefined and false as nothing', () => {
    expect(html`${null}${undefined}${false}${0}`.toString()).toBe('0');
    expect(escapeHtml('plain')).toBe('plain');
  });
});

describe('example app over HTTP', () => {
  let example: RunningExample;
  beforeAll(async () => {
    example = await startExample({ port: 0, env: {} });
  });
  afterAll(async () => {
    await example?.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(example.url + path, { redirect: 'manual', headers });

  it('sends a signed-out browser from a protected page to sign-in with a return_to', async () => {
    // node:http rather than fetch: fetch always sends its own `Sec-Fetch-Mode: cors`.
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      request(example.url + '/documents?tab=mine', { headers: { accept: 'text/html', 'sec-fetch-mode': 'navigate' } }, resolve).on('error', reject).end();
    });
    res.resume();
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login?return_to=' + encodeURIComponent('/documents?tab=mine'));
  });

  it('answers a signed-out API call to a protected page with 401 JSON, not a redirect', async () => {
    const res = await get('/dashboard', { accept: 'application/json' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await res.json()).toMatchObject({ error: { code: 'unauthenticated' } });
  });

  it('puts the return_to of the login page into the form as an escaped value', async () => {
    const res = await get('/login?return_to=' + encodeURIComponent('/x?a="><script>alert(1)</script>'));
    const body = await res.text();
    expect(body).not.toContain('<script>alert(1)</script>');
    expect(body).toContain('value="/x?a=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it('shows an error code from the auth routes as text', async () => {
    const body = await (await get('/login?error=' + encodeURIComponent('<b>x</b>'))).text();
    expect(body).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(body).not.toContain('<b>x</b>');
  });

  it('serves pages with a strict Content-Security-Policy and no framework banner', async () => {
    const res = await get('/login');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
  });

  it('answers an unknown page with a 404 page', async () => {
    const res = await get('/nope');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('data-testid="error-page"');
  });

  it('serves a favicon, also at /favicon.ico', async () => {
    const page = await (await get('/login')).text();
    expect(page).toContain('<link rel="icon" href="/static/favicon.svg"');
    const legacy = await get('/favicon.ico');
    expect(legacy.status).toBe(301);
    const icon = await get(legacy.headers.get('location')!);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toContain('image/svg+xml');
  });

  it('says the sign-in link works for 10 minutes, as long as the login cookie lives', async () => {
    const body = await (await get('/login?status=email_sent')).text();
    expect(body).toContain('within 10 minutes');
    expect(body).not.toContain('hour');
  });

  it('puts the escaped slug pattern in the create-organization form, hidden until a sign-in is known to be pending', async () => {
    const body = await (await get('/select-org')).text();
    expect(body).toContain(`pattern="${SLUG_PATTERN}"`);
    expect(body).toContain('<div id="create-org" hidden>');
  });

  it('shows a human message for an error code, with the code', async () => {
    const body = await (await get('/login?error=unable_to_auth_magic_link')).text();
    expect(body).toContain('This sign-in link has already been used or has expired.');
    expect(body).toContain('<code class="muted">unable_to_auth_magic_link</code>');
  });

  it('refuses GET /auth/logout (a link must not sign anyone out)', async () => {
    expect((await get('/auth/logout')).status).toBe(405);
  });

  it('refuses a cross-origin post to its own routes with 403 csrf_rejected', async () => {
    const res = await fetch(example.url + '/documents', {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'title=x',
      redirect: 'manual',
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'csrf_rejected' } });
  });

  it('lists every email the emulator sent on the dev mailbox page, links included', async () => {
    const sent = await fetch(example.url + '/auth/login/email', {
      method: 'POST',
      headers: { origin: example.url, 'content-type': 'application/json' },
      body: JSON.stringify({ email_address: 'carol@example.com' }),
    });
    expect(sent.status).toBe(202);
    const body = await (await get('/dev/mailbox')).text();
    expect(body).toContain('data-to="carol@example.com" data-kind="discovery_magic_link"');
    expect(body).toContain(`href="${example.url}/auth/callback?`);
  });

  describe('/api/documents for members and M2M clients', () => {
    /** The README's curl flow: the dev tool creates a client (secret shown once), then the token endpoint. */
    async function m2mToken(scopes: string[]): Promise<string> {
      const created = await fetch(`${example.url}/dev/m2m-clients`, { method: 'POST', headers: { origin: example.url } });
      expect(created.status).toBe(201);
      const client = (await created.json()) as { client_id: string; client_secret: string; token_url: string };
      const res = await fetch(client.token_url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret, scope: scopes.join(' ') }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { access_token: string }).access_token;
    }
    const acme = () => example.seed!.organizations.acme.id;

    it('lets an M2M client with write:documents create a document and one with read:documents list it', async () => {
      const writer = await m2mToken(['write:documents']);
      const created = await fetch(`${example.url}/api/documents?organization_id=${acme()}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Nightly report' }),
      });
      expect(created.status).toBe(201);
      const reader = await m2mToken(['read:documents']);
      const listed = await get(`/api/documents?organization_id=${acme()}`, { authorization: `Bearer ${reader}` });
      expect(listed.status).toBe(200);
      expect(((await listed.json()) as { documents: { title: string }[] }).documents.map((d) => d.title)).toContain('Nightly report');
    });

    it('refuses a read-only client on create with 403 insufficient_scope, and a member-only page to any M2M token', async () => {
      const reader = await m2mToken(['read:documents']);
      const refused = await fetch(`${example.url}/api/documents?organization_id=${acme()}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${reader}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'x' }),
      });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="write:documents"');
      const page = await get('/dashboard', { authorization: `Bearer ${reader}`, accept: 'application/json' });
      expect(page.status).toBe(401);
      expect(await page.json()).toMatchObject({ error: { code: 'token_type_not_accepted' } });
    });

    /** A client made for one organization (as the /admin/m2m page records it) and a token of it. */
    async function organizationToken(organizationId: string, scopes: string[]): Promise<{ token: string; clientId: string }> {
      const emulator = example.emulator!;
      const made = emulator.admin.createM2MClient({ scopes, client_name: 'Org integration', trusted_metadata: { organization_id: organizationId } });
      const res = await fetch(`${emulator.url}/v1/public/${emulator.projectId}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: made.client_id, client_secret: made.client_secret }),
      });
      expect(res.status).toBe(200);
      return { token: ((await res.json()) as { access_token: string }).access_token, clientId: made.client_id };
    }
    const globex = () => example.seed!.organizations.globex.id;

    it("keeps an organization's M2M client in that organization: its own documents without naming it, 403 for another", async () => {
      const { token } = await organizationToken(acme(), ['read:documents', 'write:documents']);
      const created = await fetch(`${example.url}/api/documents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Acme integration note' }),
      });
      expect(created.status).toBe(201);
      const own = await get('/api/documents', { authorization: `Bearer ${token}` });
      expect(own.status).toBe(200);
      expect(((await own.json()) as { documents: { title: string }[] }).documents.map((d) => d.title)).toContain('Acme integration note');
      expect((await get(`/api/documents?organization_id=${acme()}`, { authorization: `Bearer ${token}` })).status).toBe(200);
      const other = await get(`/api/documents?organization_id=${globex()}`, { authorization: `Bearer ${token}` });
      expect(other.status).toBe(403);
      expect(await other.json()).toMatchObject({ error: { code: 'tenancy_mismatch' } });
      const project = await m2mToken(['read:documents']);
      const unnamed = await get('/api/documents', { authorization: `Bearer ${project}` });
      expect(unnamed.status).toBe(400);
      expect(await unnamed.json()).toMatchObject({ error: { code: 'organization_required' } });
    });

    it("stops serving a deleted client's tokens, which still verify until they expire", async () => {
      const { token, clientId } = await organizationToken(globex(), ['read:documents']);
      const emulator = example.emulator!;
      const api = new StytchB2BClient({ projectId: emulator.projectId, secret: emulator.secret, baseUrl: emulator.url, env: {} });
      try {
        await api.m2m.clients.delete({ client_id: clientId });
      } finally {
        await api.close();
      }
      const res = await get('/api/documents', { authorization: `Bearer ${token}` });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: 'm2m_client_not_found' } });
    });

    it('serves a member their own organization with their session JWT', async () => {
      const emulator = example.emulator!;
      const carol = emulator.admin.createMember(acme(), { email_address: `api-${Date.now()}@example.com` });
      const { session_jwt } = emulator.admin.createSession({ member_id: carol.member_id });
      const res = await get('/api/documents', { authorization: `Bearer ${session_jwt}` });
      expect(res.status).toBe(200);
      expect(await res.json()).toHaveProperty('documents');
    });
  });
});
