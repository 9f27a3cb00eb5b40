/**
 * Starts the example: the local Stytch emulator with demo data (default), or real Stytch when
 * `STYTCH_PROJECT_ID` and `STYTCH_SECRET` are set; then the app on 127.0.0.1.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StytchB2BClient } from '../../src/client/client.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { createApp } from './app.js';
import { seedEmulator, seedSso, type SeedResult } from './seed.js';

/** Options of {@link startExample}. */
export interface StartExampleOptions {
  /** TCP port on 127.0.0.1. Default 3000; tests pass 0. */
  port?: number;
  /**
   * Where `STYTCH_PROJECT_ID` / `STYTCH_SECRET` / `STYTCH_BASE_URL` are read from. Default
   * `process.env`. Tests pass `{}` to force emulator mode without touching the real environment.
   */
  env?: Record<string, string | undefined>;
  /** Emulator mode: epoch ms the emulator clock starts at (tests). Default: now. */
  startTime?: number;
}

/** A running example. */
export interface RunningExample {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  mode: 'emulator' | 'stytch';
  /** Emulator mode only. */
  emulator: Emulator | undefined;
  /** Emulator mode only: the seeded organizations and demo accounts. */
  seed: SeedResult | undefined;
  close(): Promise<void>;
}

/**
 * Start the example app (and, without Stytch credentials in `env`, an in-process emulator).
 *
 * @example
 * const example = await startExample({ port: 0, env: {} });
 * console.log(example.url, example.seed?.accounts);
 * await example.close();
 */
export async function startExample(options: StartExampleOptions = {}): Promise<RunningExample> {
  const env = options.env ?? process.env;
  const port = options.port ?? 3000;
  const server = createServer();
  // The app's own URL is part of its config (CSRF origin, magic-link redirect URLs). With a fixed
  // port it is known up front, and the server listens only once the app is attached. Port 0 (tests)
  // must bind to learn its port; requests that arrive before the app is ready then wait for it.
  let attach: (app: RequestListener) => void = (app) => server.on('request', app);
  let url: string;
  if (port === 0) {
    url = await listen(server, 0);
    attach = holdRequests(server);
  } else {
    url = `http://127.0.0.1:${port}`;
  }

  const useRealStytch = Boolean(env.STYTCH_PROJECT_ID && env.STYTCH_SECRET);
  let emulator: Emulator | undefined;
  let seed: SeedResult | undefined;
  let client: StytchB2BClient | undefined;
  let publicToken: string | undefined;
  try {
    if (useRealStytch) {
      client = new StytchB2BClient({ env });
      publicToken = env.STYTCH_PUBLIC_TOKEN;
    } else {
      const callback = `${url}/auth/callback`;
      emulator = await startEmulator({
        quiet: true,
        ...(options.startTime === undefined ? {} : { startTime: options.startTime }),
        redirectUrls: { login: callback, signup: callback, discovery: callback, invite: callback, resetPassword: callback },
        // One password per email across organizations: password sign-in works from the discovery login.
        passwords: { crossOrganization: true },
      });
      seed = seedEmulator(emulator);
      // An empty env: in emulator mode nothing is read from the real environment.
      client = new StytchB2BClient({ projectId: emulator.projectId, secret: emulator.secret, baseUrl: emulator.url, env: {} });
      publicToken = emulator.publicToken;
      // Acme's SAML connection goes through the same SSO calls an admin page uses.
      seed.sso = await seedSso(client, seed.organizations.acme.id);
    }
    const running = emulator;
    attach(
      createApp({
        appUrl: url,
        client,
        publicToken,
        ...(running ? { now: () => running.clock.now(), mailbox: running.outbox } : {}),
      }),
    );
    if (port !== 0) await listen(server, port);
  } catch (err) {
    await closeServer(server);
    await client?.close();
    if (emulator) await emulator.close();
    throw err;
  }

  const running = emulator;
  const stytch = client;
  return {
    url,
    mode: running ? 'emulator' : 'stytch',
    emulator: running,
    seed,
    async close() {
      await closeServer(server);
      await stytch.close();
      if (running) await running.close();
    },
  };
}

/** Requests wait until the returned `attach` is called; the app then answers them. */
function holdRequests(server: Server): (app: RequestListener) => void {
  const waiting: [IncomingMessage, ServerResponse][] = [];
  const hold = (req: IncomingMessage, res: ServerResponse) => void waiting.push([req, res]);
  server.on('request', hold);
  return (app) => {
    server.off('request', hold);
    server.on('request', app);
    for (const [req, res] of waiting.splice(0)) app(req, res);
  };
}

function listen(server: Server, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${address.port}`);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    // Browsers keep connections alive; do not wait for them to time out.
    server.closeAllConnections();
  });
}
