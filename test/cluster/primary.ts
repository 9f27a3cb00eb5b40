/**
 * Runs the example app under `node:cluster` with two workers, each on its own ephemeral port on
 * 127.0.0.1 (so a test can alternate between them through its own round-robin proxy).
 *
 * Started by `test/cluster/*.test.ts` as `node --import tsx test/cluster/primary.ts`; configured
 * through its environment (the emulator's URL and test credentials, and the public app URL, i.e.
 * the proxy). The primary prints one JSON line `{"workers":[{"id":1,"port":...},...]}` once both
 * workers listen, and stops them on SIGTERM or when its parent goes away.
 */
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const WORKERS = 2;

if (cluster.isPrimary) {
  const ready: { id: number; port: number }[] = [];
  for (let i = 0; i < WORKERS; i++) {
    const worker = cluster.fork();
    worker.on('message', (msg: { type?: string; port?: number }) => {
      if (msg.type !== 'ready' || typeof msg.port !== 'number') return;
      ready.push({ id: worker.id, port: msg.port });
      if (ready.length === WORKERS) process.stdout.write(JSON.stringify({ workers: ready.sort((a, b) => a.id - b.id) }) + '\n');
    });
  }
  const stop = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The test's process is our parent: when its stdin pipe closes, go away too (no orphans).
  process.stdin.on('end', stop);
  process.stdin.resume();
  cluster.on('exit', (worker, code) => {
    if (code !== 0 && code !== null) process.stderr.write(`worker ${worker.id} exited with code ${code}\n`);
  });
} else {
  const { StytchB2BClient } = await import('../../src/client/index.js');
  const { createApp } = await import('../../examples/express-app/app.js');
  const env = process.env;
  const client = new StytchB2BClient({ projectId: env.CLUSTER_PROJECT_ID, secret: env.CLUSTER_SECRET, baseUrl: env.CLUSTER_STYTCH_URL, env: {} });
  const app = createApp({ appUrl: env.CLUSTER_APP_URL ?? '', client });
  const id = String(cluster.worker?.id ?? 0);
  const server = createServer((req, res) => {
    // Which process answered: lets the test prove the flow really alternated.
    res.setHeader('X-Served-By', id);
    app(req, res);
  });
  // exclusive: each worker gets its own port instead of the primary's shared handle.
  server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
    process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port });
  });
  process.once('disconnect', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
