/**
 * A real redis-server for tests: Debian's package, on a free loopback port, no persistence,
 * stopped afterwards. Without redis-server the tests skip, unless REQUIRE_REDIS=1 (CI), where
 * they fail instead.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BINARY = 'redis-server';

/** True when redis-server can be started here. */
export const hasRedisServer = spawnSync(BINARY, ['--version'], { stdio: 'ignore' }).status === 0;
/** CI sets REQUIRE_REDIS=1: a missing redis-server is then a failure, not a skip. */
export const requireRedis = process.env.REQUIRE_REDIS === '1';
/** Skip Redis tests only when redis-server is missing and CI did not require it. */
export const skipRedis = !hasRedisServer && !requireRedis;
if (skipRedis) console.log('SKIPPED: Redis tests (redis-server not installed; CI sets REQUIRE_REDIS=1).');

const running = new Set<ChildProcess>();
// A crashed test run must not leave a server behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** One redis-server process, restartable on the same port. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** True while the process runs. */
  readonly running: boolean;
  /** SIGKILL the server (an outage) and wait for it to be gone. */
  kill(): Promise<void>;
  /** Start it again on the same port (empty: no persistence). */
  restart(): Promise<void>;
  /** Send one command on a fresh connection and resolve with the raw reply (for DEBUG SLEEP, FLUSHALL...). */
  send(...args: string[]): Promise<string>;
  /** Stop for good and remove its directory. */
  stop(): Promise<void>;
}

/** Start redis-server on a free 127.0.0.1 port and wait until it answers PING. */
export async function startRedisServer(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'redis-test-'));
  let port = await freePort();
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      const proc = spawn(
        BINARY,
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--enable-debug-command', 'local', '--loglevel', 'warning'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      running.add(proc);
      proc.once('exit', () => running.delete(proc));
      let output = '';
      // Not installed (REQUIRE_REDIS=1 without the package): a clear failure, not a crash.
      proc.once('error', (error) => {
        output += String(error);
        running.delete(proc);
      });
      proc.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      proc.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const ok = await waitForPing(port, proc, 10_000);
      if (ok) {
        child = proc;
        return;
      }
      proc.kill('SIGKILL');
      if (proc.pid === undefined) throw new Error(`redis-server could not be started (REQUIRE_REDIS=1 needs Debian's redis-server package): ${output.slice(0, 300)}`);
      // The port was taken between probing and binding: pick another (first start only).
      if (attempt >= 3 || child !== undefined) throw new Error(`redis-server did not start: ${output.slice(0, 500)}`);
      port = await freePort();
    }
  };
  await launch();

  const kill = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null) return;
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGKILL');
    await gone;
  };

  return {
    get port() {
      return port;
    },
    get url() {
      return `redis://127.0.0.1:${port}`;
    },
    get running() {
      return child !== undefined && child.exitCode === null;
    },
    kill,
    restart: async () => {
      await kill();
      await launch();
    },
    send: (...args: string[]) => sendRaw(port, args),
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPing(port: number, proc: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || !running.has(proc)) return false;
    try {
      if ((await sendRaw(port, ['PING'], 500)).startsWith('+PONG')) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

/** One RESP command on its own connection; resolves with the first reply line(s). */
function sendRaw(port: number, args: string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('redis command timed out'));
    }, timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.endsWith('\r\n')) {
        clearTimeout(timer);
        socket.end();
        resolve(reply);
      }
    });
    socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  });
}
