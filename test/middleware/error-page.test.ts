import { afterEach, describe, expect, it } from 'vitest';
import type { ErrorPageRenderer } from '../../src/middleware/context.js';
import { requirePermission } from '../../src/middleware/require-permission.js';
import { requireAuth } from '../../src/middleware/require-auth.js';
import { stytchAuth } from '../../src/middleware/stytch-auth.js';
import { useEmulator } from '../helpers/emulator.js';
import { rawRequest, startGuardApp } from '../rbac/support.js';
import type { GuardApp } from '../rbac/support.js';

const emu = useEmulator();
const apps: GuardApp[] = [];
afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.close();
});

const NAVIGATION = { accept: 'text/html', 'sec-fetch-mode': 'navigate' };

async function appWithErrorPage(errorPage: ErrorPageRenderer) {
  const app = await startGuardApp(
    emu(),
    (a) => {
      a.get('/admin', requirePermission('stytch.member', 'delete'), (_req, res) => res.json({ ok: true }));
      a.get('/private', requireAuth(), (_req, res) => res.json({ ok: true }));
    },
    { auth: { errorPage } },
  );
  apps.push(app);
  return app;
}

function memberToken(): string {
  const org = emu().admin.createOrganization({ organization_name: 'Pages', organization_slug: `pages-${Math.random().toString(36).slice(2, 8)}` });
  const member = emu().admin.createMember(org.organization_id, { email_address: `m${Math.random().toString(36).slice(2, 8)}@pages.example` });
  return emu().admin.createSession({ member_id: member.member_id }).session_jwt;
}

describe('errorPage option', () => {
  it('renders a refused browser navigation with the app renderer and the refusal status', async () => {
    const app = await appWithErrorPage((_req, res, error) => {
      res.statusCode = error.status;
      res.setHeader('content-type', 'text/html');
      res.end(`<h1>Forbidden: ${error.code}</h1>`);
    });
    const response = await rawRequest(app.url, '/admin', { token: memberToken(), headers: NAVIGATION });
    expect(response.status).toBe(403);
    expect(response.headers['content-type']).toBe('text/html');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toBe('<h1>Forbidden: permission_denied</h1>');
  });

  it('keeps the JSON body for API calls', async () => {
    const app = await appWithErrorPage((_req, res) => res.end('<html>'));
    const response = await rawRequest(app.url, '/admin', { token: memberToken(), headers: { accept: 'application/json' } });
    expect(response.status).toBe(403);
    expect(response.json.error?.code).toBe('permission_denied');
  });

  it('falls back to the JSON body when the renderer throws before answering', async () => {
    const app = await appWithErrorPage(() => {
      throw new Error('template bug');
    });
    const response = await rawRequest(app.url, '/admin', { token: memberToken(), headers: NAVIGATION });
    expect(response.status).toBe(403);
    expect(response.json.error?.code).toBe('permission_denied');
    expect(response.body).not.toContain('template bug');
  });

  it('falls back to the JSON body when the renderer leaves the response open', async () => {
    const app = await appWithErrorPage(() => undefined);
    const response = await rawRequest(app.url, '/admin', { token: memberToken(), headers: NAVIGATION });
    expect(response.status).toBe(403);
    expect(response.json.error?.code).toBe('permission_denied');
  });

  it('renders a signed-out navigation when no loginUrl is configured', async () => {
    const app = await appWithErrorPage((_req, res, error) => {
      res.statusCode = error.status;
      res.end(`signed out: ${error.code}`);
    });
    const response = await rawRequest(app.url, '/private', { headers: NAVIGATION });
    expect(response.status).toBe(401);
    expect(response.body).toBe('signed out: unauthenticated');
  });

  it('is refused at construction when it is not a function', () => {
    expect(() => stytchAuth({ projectId: 'project-test-x', secret: 's', env: {}, errorPage: 'oops' as never })).toThrow(/errorPage/);
  });
});
