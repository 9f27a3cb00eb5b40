/**
 * Pure numbers: turning autocannon results and child CPU reports into per-round samples, and
 * rounds into one summary row per scenario (medians, ratios to the baseline, targets).
 *
 * Nothing here touches the network or the clock, so it is unit-tested directly.
 */
import type { Target } from './scenarios.js';

/** The fields of an autocannon result this harness reads. */
export interface AutocannonResultLike {
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly requests: { readonly total: number };
  readonly latency: { readonly p50: number; readonly p99: number };
}

/** What a server child reports for one round (deltas of `process.cpuUsage()`, and memory). */
export interface ChildRoundReport {
  readonly cpuUserMicros: number;
  readonly cpuSystemMicros: number;
  /**
   * CPU time of the child's event-loop (main) thread alone, user + system, when the platform tells
   * (Linux `/proc/thread-self/stat`, 10 ms ticks). The rest of `cpu*Micros` ran on other threads:
   * libuv's pool (asynchronous crypto) and V8's helpers (GC).
   */
  readonly eventLoopCpuMicros?: number;
  readonly rssBytes: number;
  /** Peak resident set size of the child so far (`process.resourceUsage().maxRSS`, in bytes). */
  readonly maxRssBytes: number;
  /** Scenario-specific counters (for example the verified-token cache size). */
  readonly stats?: Readonly<Record<string, number>>;
}

/** One measured round of one scenario. */
export interface RoundSample {
  readonly scenario: string;
  readonly round: number;
  readonly requests: number;
  readonly durationSeconds: number;
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Responses that were not 2xx plus socket errors and timeouts: must be 0 for a valid run. */
  readonly failures: number;
  readonly serverCpuMicrosPerRequest: number;
  /** The event-loop thread's share of it (the thread that limits requests/s); undefined when unknown. */
  readonly serverEventLoopCpuMicrosPerRequest?: number | undefined;
  readonly maxRssBytes: number;
  /** Calls the emulator received during the round, per request (0 for purely local paths). */
  readonly upstreamCallsPerRequest: number;
  /** CPU time the emulator process spent during the round, per request (the upstream's share). */
  readonly upstreamCpuMicrosPerRequest: number;
  /** Share of one core the server child used during the round (100 = one core fully busy). */
  readonly serverBusyPercent: number;
  /** Share of one core the load generator (this process) used during the round. */
  readonly loadGeneratorBusyPercent: number;
}

/** The table row of one scenario. */
export interface ScenarioSummary {
  readonly id: string;
  readonly label: string;
  readonly rounds: number;
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly serverCpuMicrosPerRequest: number;
  /** Median over rounds of the event-loop thread's CPU per request; undefined when unknown. */
  readonly serverEventLoopCpuMicrosPerRequest?: number | undefined;
  readonly peakRssBytes: number;
  readonly failures: number;
  readonly upstreamCallsPerRequest: number;
  readonly upstreamCpuMicrosPerRequest: number;
  readonly serverBusyPercent: number;
  readonly loadGeneratorBusyPercent: number;
  /** requests/s divided by the baseline's requests/s; undefined when the baseline was not run. */
  readonly ratioToBaseline: number | undefined;
  /** The best round's requests/s (interference on a shared machine only ever slows a round down). */
  readonly bestRequestsPerSecond: number;
  /** Best round over the baseline's best round. */
  readonly bestRatioToBaseline: number | undefined;
}

/** Median of a non-empty list (mean of the two middle values for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Combines one autocannon result with the server child's CPU report into a round sample.
 *
 * Requests/s is completed requests over the measured duration (autocannon's own `duration`, in
 * seconds), which counts the partial last second that the per-second average would drop.
 */
export function toRoundSample(input: {
  scenario: string;
  round: number;
  load: AutocannonResultLike;
  child: ChildRoundReport;
  upstreamCalls: number;
  /** Emulator CPU during the round (user + system), when an emulator ran. */
  upstreamCpuMicros?: number;
  /** The load generator's own CPU during the round (user + system). */
  loadGeneratorCpuMicros?: number;
}): RoundSample {
  const { load, child } = input;
  const requests = load.requests.total;
  const duration = load.duration > 0 ? load.duration : Number.NaN;
  const perRequest = (total: number): number => (requests > 0 ? total / requests : Number.NaN);
  return {
    scenario: input.scenario,
    round: input.round,
    requests,
    durationSeconds: load.duration,
    requestsPerSecond: requests / duration,
    latencyP50Ms: load.latency.p50,
    latencyP99Ms: load.latency.p99,
    failures: load.non2xx + load.errors + load.timeouts,
    serverCpuMicrosPerRequest: perRequest(child.cpuUserMicros + child.cpuSystemMicros),
    serverEventLoopCpuMicrosPerRequest: child.eventLoopCpuMicros === undefined ? undefined : perRequest(child.eventLoopCpuMicros),
    maxRssBytes: child.maxRssBytes,
    upstreamCallsPerRequest: perRequest(input.upstreamCalls),
    upstreamCpuMicrosPerRequest: perRequest(input.upstreamCpuMicros ?? 0),
    serverBusyPercent: ((child.cpuUserMicros + child.cpuSystemMicros) / (duration * 1e6)) * 100,
    loadGeneratorBusyPercent: ((input.loadGeneratorCpuMicros ?? Number.NaN) / (duration * 1e6)) * 100,
  };
}

/**
 * One row per scenario (in the order given): medians over rounds, peak RSS over rounds, failures
 * summed, and each scenario's median requests/s divided by the baseline's median requests/s.
 */
export function summarize(
  samples: readonly RoundSample[],
  scenarios: readonly { id: string; label: string }[],
  baselineId: string,
): ScenarioSummary[] {
  const rows = scenarios
    .map((scenario) => {
      const mine = samples.filter((s) => s.scenario === scenario.id);
      if (mine.length === 0) return undefined;
      return {
        id: scenario.id,
        label: scenario.label,
        rounds: mine.length,
        requestsPerSecond: median(mine.map((s) => s.requestsPerSecond)),
        bestRequestsPerSecond: Math.max(...mine.map((s) => s.requestsPerSecond)),
        latencyP50Ms: median(mine.map((s) => s.latencyP50Ms)),
        latencyP99Ms: median(mine.map((s) => s.latencyP99Ms)),
        serverCpuMicrosPerRequest: median(mine.map((s) => s.serverCpuMicrosPerRequest)),
        serverEventLoopCpuMicrosPerRequest: mine.every((s) => s.serverEventLoopCpuMicrosPerRequest !== undefined)
          ? median(mine.map((s) => s.serverEventLoopCpuMicrosPerRequest!))
          : undefined,
        peakRssBytes: Math.max(...mine.map((s) => s.maxRssBytes)),
        failures: mine.reduce((sum, s) => sum + s.failures, 0),
        upstreamCallsPerRequest: median(mine.map((s) => s.upstreamCallsPerRequest)),
        upstreamCpuMicrosPerRequest: median(mine.map((s) => s.upstreamCpuMicrosPerRequest)),
        serverBusyPercent: median(mine.map((s) => s.serverBusyPercent)),
        loadGeneratorBusyPercent: median(mine.map((s) => s.loadGeneratorBusyPercent)),
      };
    })
    .filter((row) => row !== undefined);
  const baseline = rows.find((row) => row.id === baselineId);
  const ratio = (value: number, base: number | undefined): number | undefined => (base !== undefined && base > 0 ? value / base : undefined);
  return rows.map((row) => ({
    ...row,
    ratioToBaseline: ratio(row.requestsPerSecond, baseline?.requestsPerSecond),
    bestRatioToBaseline: ratio(row.bestRequestsPerSecond, baseline?.bestRequestsPerSecond),
  }));
}

/** A target's outcome: the measured ratio (undefined when either side was not run). */
export interface TargetResult {
  readonly target: Target;
  /** Ratio of the medians: the verdict is decided on this. */
  readonly ratio: number | undefined;
  /** Ratio of the best rounds, shown next to it as a hint of the uncontended value. */
  readonly bestRatio: number | undefined;
  readonly met: boolean | undefined;
}

/** Checks each target against the summaries of one run. */
export function evaluateTargets(summaries: readonly ScenarioSummary[], targets: readonly Target[]): TargetResult[] {
  return targets.map((target) => {
    const top = summaries.find((s) => s.id === target.numerator);
    const bottom = summaries.find((s) => s.id === target.denominator);
    if (top === undefined || bottom === undefined || !(bottom.requestsPerSecond > 0)) return { target, ratio: undefined, bestRatio: undefined, met: undefined };
    const ratio = top.requestsPerSecond / bottom.requestsPerSecond;
    return { target, ratio, bestRatio: top.bestRequestsPerSecond / bottom.bestRequestsPerSecond, met: ratio >= target.min };
  });
}

/**
 * Round order for the interleaved schedule: A B C, then C B A, then A B C ...
 * Alternating direction means a slow drift of the machine (thermal, a background job) hits every
 * scenario both early and late in a round, so it cancels out of the medians.
 */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...items] : [...items].reverse();
}
