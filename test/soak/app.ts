/**
 * The application under soak: `stytchAuth()` + guards + `stytchRoutes()` on Express 5, talking to
 * the emulator. Shared by the single-process soak and the `node:cluster` workers, so both runs
 * exercise exactly the same wiring.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { StytchB2BClient } from '../../src/client/index.js';
import { getStytchAuth, policyFetchers, PolicyCache, redisStore, requireAuth, requirePermission, stytchAuth, stytchRoutes } from '../../src/index.js';
import type { StytchAuthMiddleware } from '../../src/index.js';

/** Where the app finds Stytch (the emulator) and how strict its deadlines are. */
export interface SoakAppConfig {
  stytchUrl: string;
  projectId: string;
  secret: string;
  /** Deadline of one Stytch call, in ms. */
  upstreamTimeoutMs: number;
  /** Revocation window: JWTs older than this are re-checked with Stytch. */
  maxTokenAgeSeconds: number;
  /** Fleet mode: revocations and limits shared on this Redis. */
  redisUrl?: string;
}

/** A running soak app. */
export interface SoakApp {
  url: string;
  auth: StytchAuthMiddleware;
  /** Counts of structured log events by name (tokens never reach the logger, names only). */
  events: Map<string, number>;
  /** Server-side answer times: what the deadline invariant is judged on (the load generator's own stalls excluded). */
  timing: ServerTiming;
  close(): Promise<void>;
}

/** Server-side answer times, from request arrival to the last byte handed to the socket. */
export interface ServerTiming {
  answered: number;
  maxMs: number;
  /** Answers slower than `deadlineMs`, with the path and status of the first few. */
  overDeadline: number;
  examples: string[];
  deadlineMs: number;
}

/** Event counting logger: cheap, bounded (one counter per event name). */
function countingLogger(events: Map<string, number>) {
  const sink = (obj: unknown, msg?: string): void => {
    const name = typeof msg === 'string' ? msg : typeof (obj as { event?: unknown })?.event === 'string' ? (obj as { event: string }).event : 'event';
    events.set(name, (events.get(name) ?? 0) + 1);
  };
  return { debug: () => undefined, info: sink, warn: sink, error: sink };
}

/**
 * Start the app on 127.0.0.1 (`port` 0 for an ephemeral port; in a cluster worker the primary
 * shares one listening handle between workers).
 */
export async function startSoakApp(config: SoakAppConfig, port = 0, deadlineMs = 4_000): Promise<SoakApp> {
  const events = new Map<string, number>();
  const timing: ServerTiming = { answered: 0, maxMs: 0, overDeadline: 0, examples: [], deadlineMs };
  const logger = countingLogger(events);
  const client = new StytchB2BClient({
    projectId: config.projectId,
    secret: config.secret,
    baseUrl: config.stytchUrl,
    env: {},
    timeoutMs: config.upstreamTimeoutMs,
    retry: { maxRetries: 1, baseDelayMs: 20 },
  });
  // A short policy TTL so policy outages during the soak really hit refreshes.
  const policyCache = new PolicyCache({ ...policyFetchers(client), ttlMs: 3_000, staleIfErrorMs: 60_000, logger });
  const store = config.redisUrl === undefined ? undefined : redisStore({ url: config.redisUrl, prefix: 'soak:', logger });
  await store?.ready();
  const auth = stytchAuth({
    client,
    logger,
    ...(store === undefined ? {} : { store }),
    maxTokenAgeSeconds: config.maxTokenAgeSeconds,
    networkTimeoutMs: config.upstreamTimeoutMs,
    jwks: { timeoutMs: config.upstreamTimeoutMs, cooldownMs: 1_000, maxAgeMs: 5_000, staleIfErrorMs: 10 * 60_000 },
    circuitBreaker: { failureThreshold: 5, coolOffMs: 1_000 },
    rbac: { policyCache },
  });

  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      const ms = performance.now() - started;
      timing.answered++;
      if (ms > timing.maxMs) timing.maxMs = ms;
      if (ms > deadlineMs) {
        timing.overDeadline++;
        if (timing.examples.length < 5) timing.examples.push(`${req.method} ${req.path} ${res.statusCode} in ${Math.round(ms)} ms`);
      }
    });
    next();
  });
  app.use(auth);
  let appUrl = '';
  // stytchRoutes needs the app's origin, known once the server listens: build it lazily.
  let routes: ReturnType<typeof stytchRoutes> | undefined;
  app.use('/auth', (req, res, next) => {
    // Each simulated login member signs in again every few seconds with the same address.
    routes ??= stytchRoutes({ auth, appUrl, afterLoginUrl: '/api/me', discoveryUrl: '/select-org', limits: { emailSends: { max: 1_000, windowSeconds: 60 } } });
    routes(req, res, next);
  });
  app.get('/api/me', requireAuth(), (req, res) => {
    const a = getStytchAuth(req);
    if (!a.isAuthenticated) throw new Error('unreachable: requireAuth passed without identity');
    res.json({ memberId: a.memberId, organizationId: a.organizationId, sessionId: a.sessionId, verifiedBy: a.verifiedBy });
  });
  // Every member holds stytch.self:*; only stytch_admin holds stytch.member:*.
  app.get('/api/self', requirePermission('stytch.self', 'delete'), (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/api/admin', requirePermission('stytch.member', 'search'), (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/login', (_req, res) => {
    res.type('text').send('login page');
  });

  const server: Server = createServer(app);
  // Long-lived keep-alive connections from the load generator; generous but bounded timeouts.
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  appUrl = `http://127.0.0.1:${bound}`;
  return {
    url: appUrl,
    auth,
    events,
    timing,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await auth.close();
      await store?.close();
      await client.close();
    },
  };
}
