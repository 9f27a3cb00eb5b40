/**
 * RBAC guard test harness: an Express (5 or 4) app on 127.0.0.1:0 with `stytchAuth()` wired to
 * the emulator and a caller-supplied set of routes, plus a raw HTTP helper that sends the path
 * exactly as given (no URL normalisation by the client), for path-normalisation cases.
 */
import { createServer, request } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { StytchB2BClient } from '../../src/client/client.js';
import type { Emulator } from '../../src/emulator/index.js';
import type { StytchAuthOptions } from '../../src/middleware/options.js';
import { stytchAuth } from '../../src/middleware/stytch-auth.js';
import type { StytchAuthMiddleware } from '../../src/middleware/stytch-auth.js';
import { listenOnLoopback } from '../helpers/listen.js';

const require = createRequire(import.meta.url);
const express4 = require('express4') as typeof express;

export type Framework = 'express5' | 'express4';

export interface GuardApp {
  url: string;
  auth: StytchAuthMiddleware;
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export interface RawResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
  json: { error?: { code?: string; message?: string } } & Record<string, unknown>;
}

/** Start an app whose routes are added by `routes(app)` after `stytchAuth()`. */
export async function startGuardApp(
  emu: Emulator,
  routes: (app: express.Express) => void,
  options: { framework?: Framework; auth?: Partial<StytchAuthOptions> } = {},
): Promise<GuardApp> {
  const logs: Record<string, unknown>[] = [];
  const sink = (obj: Record<string, unknown>) => logs.push(obj);
  const client = new StytchB2BClient({ projectId: emu.projectId, secret: emu.secret, baseUrl: emu.url, env: {}, retry: { maxRetries: 0 }, timeoutMs: 3000 });
  const auth = stytchAuth({ client, logger: { debug: sink, info: sink, warn: sink, error: sink }, now: () => emu.clock.now(), mfaUrl: '/mfa', ...options.auth });
  const app = options.framework === 'express4' ? express4() : express();
  app.use(auth as unknown as express.RequestHandler);
  routes(app);
  const server: Server = createServer(app as unknown as (req: IncomingMessage, res: ServerResponse) => void);
  await listenOnLoopback(server);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    auth,
    logs,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await client.close();
    },
  };
}

/** Send one request with the path exactly as given. */
export function rawRequest(baseUrl: string, path: string, init: { method?: string; token?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const headers: Record<string, string> = { ...init.headers };
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: init.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: RawResponse['json'] = {};
        try {
          json = JSON.parse(body) as RawResponse['json'];
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
