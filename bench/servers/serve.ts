/**
 * Child side of a scenario server: builds the scenario's app when the harness says `start`,
 * listens on 127.0.0.1 port 0, and reports CPU time and memory per round over IPC.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveRpc } from '../lib/rpc.js';
import type { ScenarioStartArgs } from '../lib/child.js';
import type { ChildRoundReport } from '../lib/stats.js';

/** The body every scenario answers with, so the response bytes are the same everywhere. */
export const OK_BODY = { ok: true } as const;

/** The route every scenario serves. */
export const ROUTE = '/data';

/** What a scenario file builds. */
export interface ScenarioApp {
  readonly handler: RequestListener;
  /** Counters reported after each round (cache sizes, fallbacks to the network ...). */
  stats?(): Record<string, number>;
  close?(): Promise<void> | void;
}

/** Returns the emulator details or throws a clear error (every authenticated scenario needs them). */
export function requireEmulator(args: ScenarioStartArgs): NonNullable<ScenarioStartArgs['emulator']> {
  if (!args.emulator) throw new Error('this scenario needs the emulator, but the harness did not pass it');
  return args.emulator;
}

/**
 * Runs a scenario server child. Call once at the top level of a scenario file.
 *
 * @example
 * runScenario(() => ({ handler: (_req, res) => res.end('{}') }));
 */
export function runScenario(build: (args: ScenarioStartArgs) => ScenarioApp | Promise<ScenarioApp>): void {
  let server: Server | undefined;
  let app: ScenarioApp | undefined;
  let cpuAtStart = process.cpuUsage();
  let loopCpuAtStart = eventLoopCpuMicros();
  serveRpc({
    async start(args: ScenarioStartArgs) {
      app = await build(args);
      const created = createServer(app.handler);
      server = created;
      // Longer than any pause between rounds, so the load generator's connections are reused.
      created.keepAliveTimeout = 65_000;
      await new Promise<void>((resolve, reject) => {
        created.once('error', reject);
        created.listen(0, '127.0.0.1', () => resolve());
      });
      return { port: (created.address() as AddressInfo).port };
    },
    'round-start'() {
      cpuAtStart = process.cpuUsage();
      loopCpuAtStart = eventLoopCpuMicros();
    },
    'round-end'(): ChildRoundReport {
      const cpu = process.cpuUsage(cpuAtStart);
      const loopCpu = eventLoopCpuMicros();
      return {
        cpuUserMicros: cpu.user,
        cpuSystemMicros: cpu.system,
        ...(loopCpu === undefined || loopCpuAtStart === undefined ? {} : { eventLoopCpuMicros: loopCpu - loopCpuAtStart }),
        rssBytes: process.memoryUsage.rss(),
        maxRssBytes: process.resourceUsage().maxRSS * 1024,
        stats: app?.stats?.() ?? {},
      };
    },
    stats() {
      const memory = process.memoryUsage();
      return {
        ...(app?.stats?.() ?? {}),
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        heapTotalBytes: memory.heapTotal,
        externalBytes: memory.external,
        maxRssBytes: process.resourceUsage().maxRSS * 1024,
      };
    },
    gc() {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc) gc();
      return gc !== undefined;
    },
    async stop() {
      const closing = server;
      server = undefined;
      if (closing) {
        closing.closeAllConnections();
        await new Promise<void>((resolve) => closing.close(() => resolve()));
      }
      await app?.close?.();
      // Exit after the answer is flushed; a clean exit is what makes --cpu-prof write its file.
      setImmediate(() => process.exit(0));
    },
  });
}

/**
 * CPU time (user + system, µs) of the calling thread, here the event loop's, from Linux's
 * `/proc/thread-self/stat` (clock ticks of 10 ms: fine over a 6 s round); undefined elsewhere.
 * `process.cpuUsage()` counts every thread, so it cannot tell work moved off the event loop
 * (libuv's pool, GC helpers) from work on it, and only the latter limits requests/s.
 */
function eventLoopCpuMicros(): number | undefined {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10_000 : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the shared JSON body without a framework (for the node:http scenario). */
export function sendOk(res: ServerResponse): void {
  const body = JSON.stringify(OK_BODY);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
