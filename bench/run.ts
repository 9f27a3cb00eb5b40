/**
 * `npm run bench` — throughput, latency, CPU and memory of stytch-b2b-express against bare
 * Express and against the usual alternatives, all on this machine, in one run.
 *
 * Every server runs in its own child process on 127.0.0.1 (port 0); the emulator runs in another.
 * autocannon drives them from this process (no worker threads), scenario rounds are interleaved
 * (A B C, C B A, ...) so machine drift cancels, and each server child reports its own CPU time.
 *
 * Flags: --quick (under two minutes), --only a,b (scenario ids; bare Express is always added as
 * the baseline, and the control with ours-rbac), --profile <id> (V8 CPU profile of that scenario's server), --no-memory,
 * --rounds N, --seconds S, --no-write.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem, type as osType } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { forkChild, startScenarioChild } from './lib/child.js';
import type { BenchChild, EmulatorInfo, ScenarioChild } from './lib/child.js';
import { runLoad } from './lib/load.js';
import { BASELINE_ID, SCENARIOS, TARGETS, findScenario, withReferences } from './lib/scenarios.js';
import type { CredentialKind, Scenario } from './lib/scenarios.js';
import { evaluateTargets, roundOrder, summarize, toRoundSample } from './lib/stats.js';
import type { ChildRoundReport, RoundSample } from './lib/stats.js';
import { renderChart, renderControl, renderMemory, renderResultsFile, renderTable, renderTargets } from './lib/report.js';
import type { MachineInfo, MemoryCheckpoint, MemoryReport, RunSettings } from './lib/report.js';
import { renderProfile, summarizeProfile } from './lib/profile.js';
import type { ProfileSummary } from './lib/profile.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'bench', 'results');

/** Stytch session JWTs live five minutes (spec 3.1); pools are re-minted before they get close. */
const JWT_LIFETIME_MS = 300_000;
const JWT_SAFETY_MS = 20_000;
const JWT_COOKIE = 'stytch_session_jwt';
const TOKEN_COOKIE = 'stytch_session';

interface Args {
  quick: boolean;
  only: string[] | undefined;
  profile: string | undefined;
  memory: boolean;
  rounds: number | undefined;
  seconds: number | undefined;
  write: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { quick: false, only: undefined, profile: undefined, memory: true, rounds: undefined, seconds: undefined, write: true };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--quick') args.quick = true;
    else if (flag === '--only') args.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (flag === '--profile') args.profile = value();
    else if (flag === '--no-memory') args.memory = false;
    else if (flag === '--rounds') args.rounds = Number(value());
    else if (flag === '--seconds') args.seconds = Number(value());
    else if (flag === '--no-write') args.write = false;
    else throw new Error(`unknown flag '${flag}' (known: --quick --only --profile --no-memory --rounds --seconds --no-write)`);
  }
  return args;
}

/**
 * Our verified-token cache holds 10 000 entries by default; the cold-JWT pool must be larger so a
 * pool rotating in order can never be served from it (each token is evicted before it comes back).
 */
const DEFAULT_VERIFIED_CACHE_SIZE = 10_000;

function settingsFor(args: Args): RunSettings & { memoryTokens: number; opaquePoolSize: number } {
  const base = args.quick
    ? { mode: 'quick' as const, connections: 50, warmupSeconds: 1, roundSeconds: 2, rounds: 2, jwtPoolSize: DEFAULT_VERIFIED_CACHE_SIZE + 2_000, memoryTokens: DEFAULT_VERIFIED_CACHE_SIZE + 2_000, opaquePoolSize: 500 }
    : { mode: 'full' as const, connections: 50, warmupSeconds: 2, roundSeconds: 6, rounds: 5, jwtPoolSize: 3 * DEFAULT_VERIFIED_CACHE_SIZE, memoryTokens: 100_000, opaquePoolSize: 2_000 };
  return { ...base, rounds: args.rounds ?? base.rounds, roundSeconds: args.seconds ?? base.roundSeconds };
}

function packageVersion(name: string): string {
  try {
    const json = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string };
    return json.version ?? '?';
  } catch {
    return 'not installed';
  }
}

function machineInfo(loadAtStart: number): MachineInfo {
  const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  const packages: Record<string, string> = { [own.name]: own.version };
  for (const name of ['express', 'stytch', 'express-jwt', 'jwks-rsa', 'jsonwebtoken', 'jose', 'undici', 'lru-cache', 'autocannon', 'tsx']) packages[name] = packageVersion(name);
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    totalMemoryGiB: totalmem() / 1024 ** 3,
    os: `${osType()} ${release()}`,
    node: process.version,
    packages,
    date: new Date().toISOString(),
    loadAverage: { start: loadAtStart, end: loadavg()[0] ?? Number.NaN },
  };
}

/**
 * The credentials the load generator sends, minted by the emulator child and kept fresh: a JWT
 * pool is re-minted whenever it would expire before the next measurement ends.
 */
class Credentials {
  private warmJwt = '';
  private m2mToken = '';
  private opaqueToken = '';
  private pool: string[] = [];
  private opaquePool: string[] = [];
  private mintedAt = 0;
  /**
   * Rotation position in the pool, one per scenario, kept across its warm-up and rounds: a
   * scenario sees a token again only after the whole pool, which is larger than any cache.
   */
  private readonly cursors = new Map<string, { next: number }>();

  constructor(
    private readonly emulator: BenchChild | undefined,
    readonly poolSize: number,
  ) {}

  /** Real sessions for the distinct-opaque-token scenarios (sessions live a day: minted once). */
  async ensureOpaquePool(count: number): Promise<void> {
    if (!this.emulator || this.opaquePool.length >= count) return;
    this.opaquePool = await this.emulator.call<string[]>('opaque-pool', { count });
  }

  /** Makes sure every credential stays valid for `seconds` more seconds. */
  async ensureFresh(seconds: number, needPool: boolean): Promise<void> {
    if (!this.emulator) return;
    const expiresSoon = Date.now() + seconds * 1000 + JWT_SAFETY_MS > this.mintedAt + JWT_LIFETIME_MS;
    if (!expiresSoon && (!needPool || this.pool.length > 0)) return;
    const startedAt = Date.now();
    const session = await this.emulator.call<{ session_token: string; session_jwt: string }>('session');
    this.warmJwt = session.session_jwt;
    this.m2mToken = await this.emulator.call<string>('m2m-token');
    // The opaque session lives a day; keep the first one so the server sees one steady token.
    this.opaqueToken ||= session.session_token;
    if (needPool || this.pool.length > 0) {
      const pool: string[] = [];
      while (pool.length < this.poolSize) pool.push(...(await this.emulator.call<string[]>('mint-jwts', { count: Math.min(10_000, this.poolSize - pool.length) })));
      this.pool = pool;
      this.cursors.clear();
      log(`  minted ${pool.length.toLocaleString('en-US')} distinct JWTs in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    }
    this.mintedAt = startedAt;
  }

  /** The pool rotation position of one scenario. */
  cursor(scenarioId: string): { next: number } {
    let cursor = this.cursors.get(scenarioId);
    if (!cursor) this.cursors.set(scenarioId, (cursor = { next: 0 }));
    return cursor;
  }

  /** Cookie header values for a credential kind. */
  cookies(kind: CredentialKind): string[] {
    if (!this.emulator) return [`${JWT_COOKIE}=${'x'.repeat(900)}`];
    if (kind === 'warm-jwt') return [`${JWT_COOKIE}=${this.warmJwt}`];
    if (kind === 'warm-m2m') return [`Bearer ${this.m2mToken}`];
    if (kind === 'opaque') return [`${TOKEN_COOKIE}=${this.opaqueToken}`];
    if (kind === 'opaque-pool') return this.opaquePool.map((token) => `${TOKEN_COOKIE}=${token}`);
    return this.pool.map((jwt) => `${JWT_COOKIE}=${jwt}`);
  }
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** The request header a scenario's credential travels in. */
function headerOf(scenario: Scenario): 'cookie' | 'authorization' {
  return scenario.credential === 'warm-m2m' ? 'authorization' : 'cookie';
}

/** One request without and one with a credential: proves the route answers and the guard guards. */
async function preflight(scenario: Scenario, child: ScenarioChild, cookie: string): Promise<void> {
  const url = `http://127.0.0.1:${child.port}/data`;
  if (scenario.requiresAuth) {
    const anonymous = await fetch(url);
    await anonymous.arrayBuffer();
    if (anonymous.status !== 401) throw new Error(`without a credential it answered ${anonymous.status}, expected 401`);
  }
  const signedIn = await fetch(url, { headers: { [headerOf(scenario)]: cookie } });
  const body = await signedIn.text();
  if (signedIn.status !== 200 || body !== '{"ok":true}') throw new Error(`with a credential it answered ${signedIn.status} ${body.slice(0, 200)}`);
}

async function measure(
  scenario: Scenario,
  child: ScenarioChild,
  emulator: BenchChild | undefined,
  credentials: Credentials,
  options: { seconds: number; connections: number; round: number },
): Promise<{ sample: RoundSample; stats: Record<string, number> }> {
  await credentials.ensureFresh(options.seconds, scenario.credential === 'jwt-pool');
  await emulator?.call('round-start');
  await child.roundStart();
  const rotates = scenario.credential === 'jwt-pool' || scenario.credential === 'opaque-pool';
  const generatorCpu = process.cpuUsage();
  const load = await runLoad({
    port: child.port,
    connections: options.connections,
    durationSeconds: options.seconds,
    cookies: credentials.cookies(scenario.credential),
    header: headerOf(scenario),
    ...(rotates ? { cursor: credentials.cursor(scenario.id) } : {}),
  });
  const generatorUsed = process.cpuUsage(generatorCpu);
  const report = await child.roundEnd();
  const upstream = emulator ? await emulator.call<ChildRoundReport & { calls: number }>('round-end') : undefined;
  const sample = toRoundSample({
    scenario: scenario.id,
    round: options.round,
    load,
    child: report,
    upstreamCalls: upstream?.calls ?? 0,
    loadGeneratorCpuMicros: generatorUsed.user + generatorUsed.system,
    ...(upstream ? { upstreamCpuMicros: upstream.cpuUserMicros + upstream.cpuSystemMicros } : {}),
  });
  return { sample, stats: report.stats ?? {} };
}

async function memoryScenario(emulator: BenchChild, credentials: Credentials, tokens: number, connections: number): Promise<MemoryReport> {
  const child = await startScenarioChild('ours-memory', { emulator: await emulator.call<EmulatorInfo>('info') }, { label: 'ours-memory', nodeFlags: ['--expose-gc'] });
  try {
    let cookies: string[];
    if (tokens <= credentials.poolSize) {
      // Quick mode: the cold-JWT pool is already minted and as large as needed.
      await credentials.ensureFresh(60, true);
      cookies = credentials.cookies('jwt-pool').slice(0, tokens);
    } else {
      const started = Date.now();
      const pool: string[] = [];
      while (pool.length < tokens) pool.push(...(await emulator.call<string[]>('mint-jwts', { count: Math.min(10_000, tokens - pool.length) })));
      log(`  minted ${tokens.toLocaleString('en-US')} distinct JWTs in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      cookies = pool.map((jwt) => `${JWT_COOKIE}=${jwt}`);
    }
    await preflight(findScenario('ours-warm'), child, cookies[0]!);
    await child.call('gc');
    const before = await child.stats();
    // Four legs, with a GC and a reading after each: a bounded cache shows a plateau, a leak a slope.
    const checkpoints: MemoryCheckpoint[] = [];
    let sent = 0;
    let failures = 0;
    for (let leg = 1; leg <= 4; leg++) {
      const until = Math.round((tokens * leg) / 4);
      const load = await runLoad({ port: child.port, connections, amount: until - sent, cookies: cookies.slice(sent, until) });
      failures += load.non2xx + load.errors + load.timeouts;
      sent = until;
      await child.call('gc');
      const reading = await child.stats();
      checkpoints.push({
        requests: sent,
        rssBytes: reading.rssBytes ?? Number.NaN,
        heapUsedBytes: reading.heapUsedBytes ?? Number.NaN,
        heapTotalBytes: reading.heapTotalBytes ?? Number.NaN,
        externalBytes: reading.externalBytes ?? Number.NaN,
        ...(reading.verifiedCacheSize === undefined ? {} : { verifiedCacheEntries: reading.verifiedCacheSize }),
      });
    }
    const { rssBytes: rssAfter, heapUsedBytes: heapAfter, maxRssBytes, heapTotalBytes: _total, externalBytes: _external, ...metrics } = await child.stats();
    return {
      tokens,
      requests: sent,
      failures,
      rssBeforeBytes: before.rssBytes ?? Number.NaN,
      rssAfterBytes: rssAfter ?? Number.NaN,
      heapUsedBeforeBytes: before.heapUsedBytes ?? Number.NaN,
      heapUsedAfterBytes: heapAfter ?? Number.NaN,
      peakRssBytes: maxRssBytes ?? Number.NaN,
      checkpoints,
      metrics,
    };
  } finally {
    await child.stop();
  }
}

/**
 * The server's main-thread profile. Under tsx, Node also profiles the module-loader thread, which
 * is idle once the app is loaded; the busiest profile is the one that served the requests.
 */
function busiestProfile(dir: string): ProfileSummary | undefined {
  let best: ProfileSummary | undefined;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const summary = summarizeProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')), ROOT.replace(/\/$/, ''));
    if (!best || summary.totalSamples > best.totalSamples) best = summary;
  }
  return best;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const settings = settingsFor(args);
  // `memory` is a pseudo-scenario id for --only: the 100k-token memory run.
  const wanted = new Set(args.profile ? [args.profile] : (args.only ?? SCENARIOS.map((s) => s.id)).filter((id) => id !== 'memory'));
  for (const id of wanted) findScenario(id);
  const selected = withReferences(wanted);
  const runMemory = args.memory && !args.profile && (args.only === undefined || args.only.includes('memory'));
  const needsEmulator = selected.some((s) => s.group !== 'bare') || runMemory;
  const startedAt = Date.now();
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  log(`stytch-b2b-express bench (${settings.mode}): ${selected.map((s) => s.id).join(', ')}${runMemory ? ', memory' : ''}`);
  log('note: autocannon runs in this process without workers and shares the CPU with the servers.');
  if (loadAtStart > cpus().length / 2) log(`warning: load average ${loadAtStart.toFixed(1)} on ${cpus().length} cores; other work will add noise to the numbers.`);

  const children = new Map<string, ScenarioChild>();
  let emulator: BenchChild | undefined;
  const profileDir = args.profile ? mkdtempSync(join(tmpdir(), 'bench-profile-')) : undefined;
  const skipped: { id: string; reason: string }[] = [];
  try {
    let emulatorInfo: EmulatorInfo | undefined;
    if (needsEmulator) {
      emulator = await forkChild('emulator', { label: 'emulator' });
      emulatorInfo = await emulator.call<EmulatorInfo>('start');
      log(`emulator child up (pid ${String(emulator.pid)})`);
    }
    const credentials = new Credentials(emulator, settings.jwtPoolSize);
    await credentials.ensureFresh(60, selected.some((s) => s.credential === 'jwt-pool'));
    if (selected.some((s) => s.credential === 'opaque-pool')) await credentials.ensureOpaquePool(settings.opaquePoolSize);

    for (const scenario of selected) {
      try {
        const child = await startScenarioChild(
          scenario.file,
          emulatorInfo ? { emulator: emulatorInfo } : {},
          { label: scenario.id, ...(profileDir && scenario.id === args.profile ? { cpuProfileDir: profileDir } : {}) },
        );
        children.set(scenario.id, child);
        await preflight(scenario, child, credentials.cookies(scenario.credential)[0]!);
      } catch (error) {
        const reason = (error as Error).message.split('\n')[0] ?? 'failed to start';
        skipped.push({ id: scenario.id, reason });
        log(`  SKIP ${scenario.id}: ${reason}`);
        await children.get(scenario.id)?.stop();
        children.delete(scenario.id);
      }
    }
    const running = selected.filter((s) => children.has(s.id));
    if (!children.has(BASELINE_ID)) throw new Error('the bare Express baseline did not start; nothing to compare with');

    log(`warm-up: ${settings.warmupSeconds} s each`);
    for (const scenario of running) {
      await measure(scenario, children.get(scenario.id)!, emulator, credentials, { seconds: settings.warmupSeconds, connections: settings.connections, round: -1 });
    }

    const samples: RoundSample[] = [];
    const lastStats = new Map<string, Record<string, number>>();
    for (let round = 0; round < settings.rounds; round++) {
      for (const scenario of roundOrder(running, round)) {
        const { sample, stats } = await measure(scenario, children.get(scenario.id)!, emulator, credentials, {
          seconds: settings.roundSeconds,
          connections: settings.connections,
          round,
        });
        samples.push(sample);
        lastStats.set(scenario.id, stats);
        const extra = Object.entries(stats).map(([k, v]) => ` ${k}=${v}`).join('');
        log(
          `  round ${round + 1}/${settings.rounds} ${scenario.id.padEnd(14)} ${Math.round(sample.requestsPerSecond).toString().padStart(6)} req/s  p99 ${sample.latencyP99Ms} ms  ${sample.serverCpuMicrosPerRequest.toFixed(0)} µs/req (event loop ${sample.serverEventLoopCpuMicrosPerRequest?.toFixed(0) ?? 'n/a'})  server ${sample.serverBusyPercent.toFixed(0)}%  load gen ${sample.loadGeneratorBusyPercent.toFixed(0)}%  failed ${sample.failures}${extra}`,
        );
      }
    }

    let memory: MemoryReport | undefined;
    if (runMemory && emulator) {
      log(`memory: ${settings.memoryTokens.toLocaleString('en-US')} distinct tokens through one process`);
      try {
        memory = await memoryScenario(emulator, credentials, settings.memoryTokens, settings.connections);
      } catch (error) {
        log(`  SKIP memory: ${(error as Error).message.split('\n')[0] ?? ''}`);
      }
    }

    for (const child of children.values()) await child.stop();
    children.clear();

    const summaries = summarize(samples, running, BASELINE_ID);
    const targets = evaluateTargets(summaries, TARGETS);
    log('');
    log(renderTable(summaries));
    log('');
    log(renderTargets(targets));
    log('');
    log('Control: the cost of two Express middlewares');
    log(renderControl(summaries, targets));
    if (memory) log(`\n${renderMemory(memory)}`);
    for (const { id, reason } of skipped) log(`skipped ${id}: ${reason}`);
    for (const [id, stats] of lastStats) if (Object.keys(stats).length > 0) log(`counters ${id}: ${JSON.stringify(stats)}`);
    log(`total time ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);

    if (args.profile && profileDir) {
      const summary = busiestProfile(profileDir);
      if (summary) {
        const markdown = renderProfile(args.profile, summary);
        log('');
        log(markdown);
        if (args.write) writeFileSync(join(RESULTS, `profile-${args.profile}.md`), markdown);
      } else log('no CPU profile was written (did the child exit cleanly?)');
    } else if (args.write && !args.only) {
      const machine = machineInfo(loadAtStart);
      const notesFile = join(RESULTS, 'notes.md');
      const skippedNotes = skipped.length > 0 ? `\n\n## Skipped in this run\n\n${skipped.map((s) => `- \`${s.id}\`: ${s.reason}`).join('\n')}` : '';
      const notes = (existsSync(notesFile) ? readFileSync(notesFile, 'utf8') : '') + skippedNotes;
      const name = settings.mode === 'quick' ? 'quick' : 'latest';
      const groups = new Map(SCENARIOS.map((s) => [s.id, s.group]));
      writeFileSync(join(RESULTS, `${name}.md`), renderResultsFile({ machine, settings, summaries, targets, ...(memory ? { memory } : {}), notes }));
      writeFileSync(
        join(RESULTS, settings.mode === 'quick' ? 'quick-chart.svg' : 'chart.svg'),
        renderChart(
          summaries.map((s) => ({ ...s, group: groups.get(s.id) })),
          `req/s relative to bare Express (${machine.cores} cores, ${settings.mode} run)`,
          new Map(TARGETS.filter((t) => t.denominator === BASELINE_ID).map((t) => [t.numerator, t.min])),
        ),
      );
      log(`wrote bench/results/${name}.md`);
    }
  } finally {
    for (const child of children.values()) await child.stop();
    await emulator?.stop();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
