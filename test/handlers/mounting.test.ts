import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import connect from 'connect';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { StytchB2BClient } from '../../src/client/index.js';
import { csrfProtection, safeReturnTo, stytchRoutes } from '../../src/index.js';
import { stytchAuth } from '../../src/middleware/stytch-auth.js';
import { CookieJarClient } from '../helpers/cookie-jar.js';
import { useEmulator } from '../helpers/emulator.js';
import { listenOnLoopback } from '../helpers/listen.js';

const emu = useEmulator();

async function serve(handler: Parameters<typeof createServer>[1]) {
  const server = createServer(handler);
  await listenOnLoopback(server);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('mounting', () => {
  it('is exported from the package root and mounts on Express 5 and Connect without casts', async () => {
    expect(typeof safeReturnTo).toBe('function');
    const client = new StytchB2BClient({ projectId: emu().projectId, secret: emu().secret, baseUrl: emu().url, env: {} });
    const auth = stytchAuth({ client });
    const app = express();
    app.use(auth);
    app.use('/auth', stytchRoutes({ appUrl: 'http://127.0.0.1' }));
    app.post('/api/x', csrfProtection({ appUrl: 'http://127.0.0.1' }), (_req, res) => {
      res.end('ok');
    });
    const capp = connect();
    capp.use(auth);
    capp.use('/auth', stytchRoutes({ appUrl: 'http://127.0.0.1' }));
    const a = await serve(app);
    const c = await serve(capp);
    try {
      expect((await new CookieJarClient(a.url).get('/auth/session')).status).toBe(401);
      expect((await new CookieJarClient(c.url).get('/auth/session')).status).toBe(401);
      expect((await new CookieJarClient(a.url).request('HEAD', '/auth/callback?stytch_token_type=discovery&token=abcdefghijk')).status).toBe(405);
    } finally {
      await a.close();
      await c.close();
      await client.close();
    }
  });

  it('reuses a body already parsed by express.json() or express.urlencoded() (Express 4 body-parser)', async () => {
    const client = new StytchB2BClient({ projectId: emu().projectId, secret: emu().secret, baseUrl: emu().url, env: {} });
    const org = emu().admin.createOrganization({ organization_name: 'Parsed' });
    const email = `parsed-${Date.now()}@example.com`;
    emu().admin.createMember(org.organization_id, { email_address: email, status: 'active' });
    let url = '';
    const app = express();
    app.use(express.json());
    app.use(express.urlencoded({ extended: false }));
    app.use(stytchAuth({ client }));
    app.use('/auth', (req, res, next) => stytchRoutes({ appUrl: url })(req, res, next));
    const a = await serve(app);
    url = a.url;
    try {
      const browser = new CookieJarClient(a.url);
      expect((await browser.post('/auth/login/email', { json: { email_address: email, organization_id: org.organization_id } })).status).toBe(202);
      const form = await browser.post('/auth/login/email', { form: { email_address: email, organization_id: org.organization_id } });
      expect(form.status).toBe(303);
      expect((await browser.post('/auth/login/email', { raw: 'x', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    } finally {
      await a.close();
      await client.close();
    }
  });

  it('answers 500 middleware_not_mounted (never runs a flow) when stytchAuth() is not mounted first, like the guards', async () => {
    const app = express();
    app.use('/auth', stytchRoutes({ appUrl: 'http://127.0.0.1' }));
    const a = await serve(app);
    try {
      const res = await new CookieJarClient(a.url).get('/auth/session');
      expect(res.status).toBe(500);
      expect(res.body.error.code).toBe('middleware_not_mounted');
    } finally {
      await a.close();
    }
  });
});
