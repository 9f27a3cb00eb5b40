/**
 * A fleet for `fleet.test.ts`: `node:cluster` workers, each its own process with its own Redis
 * connection (one `redisStore` each) and its own ephemeral port on 127.0.0.1, so the test's proxy
 * can put them all behind one port and still pick a worker. Configured through its environment.
 *
 * Prints `{"workers":[{"id":1,"port":...},...]}` once the first FLEET_WORKERS workers listen;
 * on the stdin line `add` forks one more and prints `{"added":{"id":4,"port":...}}`. Stops its
 * workers on SIGTERM or when its parent goes away (stdin closes).
 */
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

if (cluster.isPrimary) {
  const initial = Number(process.env.FLEET_WORKERS ?? '3');
  const ready: { id: number; port: number }[] = [];
  const fork = (onReady: (entry: { id: number; port: number }) => void) => {
    const worker = cluster.fork();
    worker.on('message', (msg: { type?: string; port?: number }) => {
      if (msg.type === 'ready' && typeof msg.port === 'number') onReady({ id: worker.id, port: msg.port });
    });
  };
  for (let i = 0; i < initial; i++) {
    fork((entry) => {
      ready.push(entry);
      if (ready.length === initial) process.stdout.write(JSON.stringify({ workers: ready.sort((a, b) => a.id - b.id) }) + '\n');
    });
  }
  let input = '';
  process.stdin.on('data', (chunk: Buffer) => {
    input += chunk.toString();
    let newline: number;
    while ((newline = input.indexOf('\n')) !== -1) {
      const line = input.slice(0, newline).trim();
      input = input.slice(newline + 1);
      if (line === 'add') fork((entry) => process.stdout.write(JSON.stringify({ added: entry }) + '\n'));
    }
  });
  const stop = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    setTimeout(() => process.exit(0), 300).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
  cluster.on('exit', (worker, code) => {
    if (code !== 0 && code !== null) process.stderr.write(`worker ${worker.id} exited with code ${code}\n`);
  });
} else {
  const express = (await import('express')).default;
  const { StytchB2BClient } = await import('../../src/client/index.js');
  const { getStytchAuth, redisStore, requireAuth, stytchAuth, stytchRoutes } = await import('../../src/index.js');
  const env = process.env;
  const store = redisStore({ url: env.FLEET_REDIS_URL ?? '', prefix: env.FLEET_PREFIX ?? 'fleet:' });
  // A worker that starts late loads the revocations already published before it serves anyone.
  await store.ready();
  const client = new StytchB2BClient({ projectId: env.FLEET_PROJECT_ID, secret: env.FLEET_SECRET, baseUrl: env.FLEET_STYTCH_URL, env: {} });
  const auth = stytchAuth({ client, store, loginUrl: '/login', mfaUrl: '/mfa' });
  const app = express();
  app.use(auth);
  app.use(
    '/auth',
    stytchRoutes({ auth, appUrl: env.FLEET_APP_URL ?? '', afterLoginUrl: '/api/me', limits: { codeAttempts: { max: Number(env.FLEET_CODE_LIMIT ?? '5'), windowSeconds: 600 } } }),
  );
  app.get('/api/me', requireAuth(), (req, res) => {
    const a = getStytchAuth(req);
    res.json({ memberId: a.isAuthenticated ? a.memberId : undefined });
  });
  const id = String(cluster.worker?.id ?? 0);
  const server = createServer((req, res) => {
    res.setHeader('X-Served-By', id);
    app(req, res);
  });
  server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
    process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port });
  });
  process.once('disconnect', () => {
    server.closeAllConnections();
    server.close(() => void store.close().finally(() => process.exit(0)));
  });
}
