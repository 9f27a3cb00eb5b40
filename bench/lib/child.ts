/**
 * Parent side of a bench child process: forks a TypeScript file under tsx with an IPC channel,
 * waits for it to come up, and offers typed calls (start, round start/end, stop).
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRpcClient, waitForHello } from './rpc.js';
import type { ChildRoundReport } from './stats.js';

/** Directory of the scenario server files. */
export const SERVERS_DIR = fileURLToPath(new URL('../servers/', import.meta.url));

/** A running child. */
export interface BenchChild {
  readonly label: string;
  readonly pid: number | undefined;
  call<T>(op: string, args?: unknown, timeoutMs?: number): Promise<T>;
  /** The last lines the child wrote to stdout/stderr (for error messages). */
  output(): string;
  /** Asks the child to exit cleanly (so a CPU profile is written), then kills it if it does not. */
  stop(): Promise<void>;
}

/** Options for {@link forkChild}. */
export interface ForkOptions {
  readonly label: string;
  /** Write a V8 CPU profile (`--cpu-prof`) of the child into this directory. */
  readonly cpuProfileDir?: string;
  /** Extra Node flags for the child (for example `--expose-gc`). */
  readonly nodeFlags?: readonly string[];
}

/**
 * Forks `bench/servers/<file>.ts` under tsx and resolves once its IPC handlers are installed.
 * stdout and stderr are captured (the last 40 lines are kept) instead of mixed into the table.
 */
export async function forkChild(file: string, options: ForkOptions): Promise<BenchChild> {
  const execArgv = ['--import', 'tsx', ...(options.nodeFlags ?? [])];
  if (options.cpuProfileDir) execArgv.push('--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir);
  const child: ChildProcess = fork(`${SERVERS_DIR}${file}.ts`, [], {
    execArgv,
    // Production mode, as the servers would run in a deployment (Express skips some dev work).
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const tail: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) tail.push(line);
    if (tail.length > 40) tail.splice(0, tail.length - 40);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForHello(child, options.label);
  } catch (error) {
    child.kill();
    throw new Error(`${(error as Error).message}\n${tail.join('\n')}`);
  }
  const call = createRpcClient(child, options.label);
  return {
    label: options.label,
    pid: child.pid,
    call,
    output: () => tail.join('\n'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await call('stop', undefined, 10_000).catch(() => undefined);
      const timer = setTimeout(() => child.kill(), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Connection details of the emulator child (the secret stays inside the bench processes). */
export interface EmulatorInfo {
  readonly url: string;
  readonly projectId: string;
  readonly secret: string;
  readonly jwksUrl: string;
  readonly issuer: string;
  readonly organizationId: string;
  readonly memberId: string;
  /** Resource and action the benchmark member may perform (for the RBAC scenarios). */
  readonly permission: { readonly resourceId: string; readonly action: string };
}

/** What a scenario server receives when started. */
export interface ScenarioStartArgs {
  readonly emulator?: EmulatorInfo;
}

/** A started scenario server. */
export interface ScenarioChild extends BenchChild {
  readonly port: number;
  roundStart(): Promise<void>;
  roundEnd(): Promise<ChildRoundReport>;
  stats(): Promise<Record<string, number>>;
}

/** Forks a scenario server and starts it listening on 127.0.0.1:0. */
export async function startScenarioChild(file: string, args: ScenarioStartArgs, options: ForkOptions): Promise<ScenarioChild> {
  const child = await forkChild(file, options);
  let port: number;
  try {
    ({ port } = await child.call<{ port: number }>('start', args, 60_000));
  } catch (error) {
    await child.stop();
    throw new Error(`${(error as Error).message}\n${child.output()}`);
  }
  return {
    ...child,
    port,
    roundStart: () => child.call<void>('round-start'),
    roundEnd: () => child.call<ChildRoundReport>('round-end'),
    stats: () => child.call<Record<string, number>>('stats'),
  };
}
