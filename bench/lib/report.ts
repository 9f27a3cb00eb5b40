/**
 * Rendering: the console/markdown table, the results file and the SVG bar chart of the ratios.
 * Pure string builders; `bench/run.ts` writes them to disk.
 */
import { CONTROL_COMPARISONS } from './scenarios.js';
import type { ScenarioSummary, TargetResult } from './stats.js';

/** Machine and software facts recorded with every run. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly totalMemoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly packages: Readonly<Record<string, string>>;
  readonly date: string;
  /** 1-minute load average when the run started and when it ended (other work on the machine). */
  readonly loadAverage: { readonly start: number; readonly end: number };
}

/** How the run was configured (printed so a reader can reproduce it). */
export interface RunSettings {
  readonly mode: 'quick' | 'full';
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly roundSeconds: number;
  readonly rounds: number;
  readonly jwtPoolSize: number;
}

/** Memory of the server child after a forced GC, part-way through the memory scenario. */
export interface MemoryCheckpoint {
  readonly requests: number;
  readonly rssBytes: number;
  /** Live JavaScript objects. */
  readonly heapUsedBytes: number;
  /** Heap space V8 keeps reserved (it does not shrink right after a peak). */
  readonly heapTotalBytes: number;
  /** Memory outside the JS heap held by JS objects (Buffers, native handles). */
  readonly externalBytes: number;
  /** Entries in the verified-token cache (`middleware.metrics().verifiedCacheSize`), when exposed. */
  readonly verifiedCacheEntries?: number;
}

/** The memory scenario's outcome. */
export interface MemoryReport {
  readonly tokens: number;
  readonly requests: number;
  readonly failures: number;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  readonly heapUsedBeforeBytes: number;
  readonly heapUsedAfterBytes: number;
  readonly peakRssBytes: number;
  /** Readings after a forced GC at each quarter of the run. */
  readonly checkpoints: readonly MemoryCheckpoint[];
  /** Counters read from `middleware.metrics()` (cache size, hits ...), when it exposes them. */
  readonly metrics: Readonly<Record<string, number>>;
}

const MIB = 1024 * 1024;

function fixed(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
}

function thousands(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}

/** The results table as GitHub markdown (also readable as plain text in a terminal). */
export function renderTable(summaries: readonly ScenarioSummary[]): string {
  const header = ['scenario', 'req/s (median)', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'event-loop CPU µs/req', 'server busy %', 'load gen busy %', 'peak RSS MiB', 'emulator calls/req', 'emulator CPU µs/req', 'failed', 'ratio to bare Express', 'best-round ratio'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const row of summaries) {
    lines.push(
      `| ${[
        row.label,
        thousands(row.requestsPerSecond),
        fixed(row.latencyP50Ms, 1),
        fixed(row.latencyP99Ms, 1),
        fixed(row.serverCpuMicrosPerRequest, 0),
        fixed(row.serverEventLoopCpuMicrosPerRequest, 0),
        fixed(row.serverBusyPercent, 0),
        fixed(row.loadGeneratorBusyPercent, 0),
        fixed(row.peakRssBytes / MIB, 0),
        fixed(row.upstreamCallsPerRequest, 2),
        fixed(row.upstreamCpuMicrosPerRequest, 0),
        String(row.failures),
        fixed(row.ratioToBaseline, 2),
        fixed(row.bestRatioToBaseline, 2),
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/** The targets as a markdown list with a verdict each. */
export function renderTargets(results: readonly TargetResult[]): string {
  return results
    .map(({ target, ratio, bestRatio, met }) => {
      const verdict = met === undefined ? 'not measured' : met ? 'met' : 'MISSED';
      return `- ${target.description}: measured ${fixed(ratio, 2)} (best rounds ${fixed(bestRatio, 2)}) → **${verdict}**`;
    })
    .join('\n');
}

/**
 * The control comparison as a markdown table: the control against bare Express, warm JWT +
 * `requirePermission` against the control, cold JWT against bare Express, each with its event-loop
 * CPU per request and, for the two ours rows, how much event-loop time it adds to what it is
 * compared with. Rows whose scenario did not run are left out; a ratio whose reference did not
 * run is `n/a`.
 */
export function renderControl(summaries: readonly ScenarioSummary[], targets: readonly TargetResult[]): string {
  const byId = new Map(summaries.map((s) => [s.id, s]));
  const header = ['scenario', 'req/s (median)', 'event-loop CPU µs/req', 'compared with', 'ratio', 'event-loop µs/req added', 'target', 'verdict'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 || i === 3 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const { id, against } of CONTROL_COMPARISONS) {
    const row = byId.get(id);
    if (row === undefined) continue;
    const reference = byId.get(against);
    const ratio = reference !== undefined && reference.requestsPerSecond > 0 ? row.requestsPerSecond / reference.requestsPerSecond : undefined;
    const added =
      row.serverEventLoopCpuMicrosPerRequest === undefined || reference?.serverEventLoopCpuMicrosPerRequest === undefined
        ? undefined
        : row.serverEventLoopCpuMicrosPerRequest - reference.serverEventLoopCpuMicrosPerRequest;
    const target = targets.find((t) => t.target.numerator === id && t.target.denominator === against);
    const verdict = target?.met === undefined ? '—' : target.met ? 'met' : 'MISSED';
    lines.push(
      `| ${[
        row.label,
        thousands(row.requestsPerSecond),
        fixed(row.serverEventLoopCpuMicrosPerRequest, 1),
        reference?.label ?? against,
        fixed(ratio, 3),
        fixed(added, 1),
        target === undefined ? '—' : `≥ ${target.target.min}`,
        verdict,
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/** The memory scenario as a markdown paragraph. */
export function renderMemory(memory: MemoryReport): string {
  const metrics = Object.entries(memory.metrics)
    .map(([key, value]) => `${key}=${thousands(value)}`)
    .join(', ');
  return [
    `${thousands(memory.requests)} requests carrying ${thousands(memory.tokens)} distinct valid JWTs through one \`stytchAuth()\` process (${memory.failures} failed).`,
    '',
    `- RSS: ${fixed(memory.rssBeforeBytes / MIB, 1)} MiB before → ${fixed(memory.rssAfterBytes / MIB, 1)} MiB after (growth ${fixed((memory.rssAfterBytes - memory.rssBeforeBytes) / MIB, 1)} MiB; peak ${fixed(memory.peakRssBytes / MIB, 1)} MiB)`,
    `- heap used: ${fixed(memory.heapUsedBeforeBytes / MIB, 1)} MiB → ${fixed(memory.heapUsedAfterBytes / MIB, 1)} MiB (after a forced GC)`,
    `- middleware metrics after the run: ${metrics || 'not exposed'}`,
    '',
    '| requests so far | verified-token cache entries | RSS MiB | heap used MiB (after GC) | heap reserved MiB | external MiB |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...memory.checkpoints.map(
      (c) =>
        `| ${thousands(c.requests)} | ${c.verifiedCacheEntries === undefined ? 'n/a' : thousands(c.verifiedCacheEntries)} | ${fixed(c.rssBytes / MIB, 1)} | ${fixed(c.heapUsedBytes / MIB, 1)} | ${fixed(c.heapTotalBytes / MIB, 1)} | ${fixed(c.externalBytes / MIB, 1)} |`,
    ),
  ].join('\n');
}

/** The whole results file. `notes` is free markdown (caveats, profiling findings). */
export function renderResultsFile(input: {
  machine: MachineInfo;
  settings: RunSettings;
  summaries: readonly ScenarioSummary[];
  targets: readonly TargetResult[];
  memory?: MemoryReport;
  notes: string;
}): string {
  const { machine, settings } = input;
  const packages = Object.entries(machine.packages)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  return [
    '# Benchmark results (`npm run bench`)',
    '',
    `Run: ${machine.date}, mode **${settings.mode}**: ${settings.connections} connections, ${settings.warmupSeconds} s warm-up per scenario, ${settings.rounds} interleaved rounds of ${settings.roundSeconds} s, cold-JWT pool of ${thousands(settings.jwtPoolSize)} distinct tokens.`,
    '',
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${fixed(machine.totalMemoryGiB, 1)} GiB RAM, ${machine.os}, Node ${machine.node}. Load average (1 min) ${fixed(machine.loadAverage.start, 2)} at the start, ${fixed(machine.loadAverage.end, 2)} at the end.`,
    '',
    `Packages: ${packages}.`,
    '',
    '## Results',
    '',
    renderTable(input.summaries),
    '',
    '![ratio to bare Express](chart.svg)',
    '',
    '## Targets',
    '',
    renderTargets(input.targets),
    '',
    '## Control: the cost of two Express middlewares',
    '',
    renderControl(input.summaries, input.targets),
    '',
    ...(input.memory ? [`## Memory: ${thousands(input.memory.tokens)} distinct tokens`, '', renderMemory(input.memory), ''] : []),
    input.notes.trim(),
    '',
  ].join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A horizontal bar chart of each scenario's ratio to bare Express, as a standalone SVG string.
 * Bars are coloured by group; a dashed line marks 1.0 (the bare Express ceiling). The axis stops
 * at 1.5 so the interesting range stays readable: a longer bar (bare node:http) is cut with a
 * zig-zag and keeps its value as text. `targets` (scenario id → minimum ratio) draws a red tick.
 */
export function renderChart(
  summaries: readonly (ScenarioSummary & { group?: string })[],
  title: string,
  targets: ReadonlyMap<string, number> = new Map(),
): string {
  const rows = summaries.filter((s) => s.ratioToBaseline !== undefined && Number.isFinite(s.ratioToBaseline));
  const longest = Math.max(10, ...rows.map((r) => r.label.length));
  const labelWidth = Math.ceil(longest * 7.2) + 20;
  const chartWidth = 420;
  const rowHeight = 26;
  const top = 44;
  const width = labelWidth + chartWidth + 90;
  const height = top + rows.length * rowHeight + 52;
  const axisMax = Math.min(1.5, Math.max(1.2, ...rows.map((r) => r.ratioToBaseline!)));
  const x = (ratio: number): number => labelWidth + (Math.min(ratio, axisMax) / axisMax) * chartWidth;
  const colour = (group: string | undefined): string => (group === 'ours' ? '#2563eb' : group === 'peer' ? '#9ca3af' : '#10b981');
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(title)}</text>`,
  ];
  rows.forEach((row, i) => {
    const y = top + i * rowHeight;
    const ratio = row.ratioToBaseline!;
    const end = x(ratio);
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${escapeXml(row.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 3}" width="${(end - labelWidth).toFixed(1)}" height="${rowHeight - 8}" fill="${colour(row.group)}"/>`,
    );
    if (ratio > axisMax) {
      // Zig-zag cut: the bar continues beyond the axis.
      parts.push(`<path d="M${(end - 10).toFixed(1)} ${y + 3} l6 9 l-6 9 h8 l6 -9 l-6 -9 z" fill="#ffffff"/>`);
    }
    const target = targets.get(row.id);
    const tick = target === undefined ? undefined : x(target);
    if (tick !== undefined) {
      parts.push(`<line x1="${tick.toFixed(1)}" y1="${y + 1}" x2="${tick.toFixed(1)}" y2="${y + rowHeight - 3}" stroke="#dc2626" stroke-width="2"/>`);
    }
    // The value goes after the bar, or after the target tick when the bar stops short of it.
    parts.push(`<text x="${(Math.max(end, tick ?? end) + 6).toFixed(1)}" y="${y + 16}">${ratio.toFixed(2)}</text>`);
  });
  const one = x(1).toFixed(1);
  const bottom = top + rows.length * rowHeight;
  parts.push(
    `<line x1="${one}" y1="${top - 4}" x2="${one}" y2="${bottom}" stroke="#111827" stroke-dasharray="4 3"/>`,
    `<text x="${one}" y="${bottom + 18}" text-anchor="middle">1.0 = bare Express req/s</text>`,
    `<text x="${labelWidth}" y="${bottom + 40}" fill="#6b7280">blue: stytch-b2b-express · grey: alternatives · green: bare servers · red tick: target</text>`,
    '</svg>',
    '',
  );
  return parts.join('\n');
}
