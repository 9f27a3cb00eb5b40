/**
 * The benchmark harness itself: a scenario server child really starts, serves, reports its CPU
 * over IPC, and the numbers flow through parsing, medians, ratios and rendering. No timing is
 * asserted (the load is tiny and the machine is shared), only that the plumbing is right.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startScenarioChild } from '../../bench/lib/child.js';
import type { ScenarioChild } from '../../bench/lib/child.js';
import { runLoad } from '../../bench/lib/load.js';
import { evaluateTargets, median, roundOrder, summarize, toRoundSample } from '../../bench/lib/stats.js';
import type { RoundSample } from '../../bench/lib/stats.js';
import { renderChart, renderTable } from '../../bench/lib/report.js';
import { summarizeProfile } from '../../bench/lib/profile.js';

const children: ScenarioChild[] = [];

afterAll(async () => {
  await Promise.all(children.map((child) => child.stop()));
});

function sample(scenario: string, requestsPerSecond: number, round = 0): RoundSample {
  return {
    scenario,
    round,
    requests: requestsPerSecond,
    durationSeconds: 1,
    requestsPerSecond,
    latencyP50Ms: 1,
    latencyP99Ms: 2,
    failures: 0,
    serverCpuMicrosPerRequest: 10,
    maxRssBytes: 50 * 2 ** 20,
    upstreamCallsPerRequest: 0,
    upstreamCpuMicrosPerRequest: 0,
    serverBusyPercent: 50,
    loadGeneratorBusyPercent: 50,
  };
}

describe('bench harness', () => {
  it('drives real scenario children with autocannon and turns their reports into a ratio', async () => {
    const samples: RoundSample[] = [];
    for (const id of ['bare-express', 'bare-http']) {
      const child = await startScenarioChild(id, {}, { label: id });
      children.push(child);
      await child.roundStart();
      const load = await runLoad({ port: child.port, connections: 2, durationSeconds: 1, cookies: ['a=1', 'a=2'] });
      const report = await child.roundEnd();
      expect(report.cpuUserMicros + report.cpuSystemMicros).toBeGreaterThan(0);
      expect(report.maxRssBytes).toBeGreaterThan(0);
      samples.push(toRoundSample({ scenario: id, round: 0, load, child: report, upstreamCalls: 0, loadGeneratorCpuMicros: 1 }));
    }
    for (const s of samples) {
      expect(s.requests).toBeGreaterThan(0);
      expect(s.failures).toBe(0);
      expect(Number.isFinite(s.requestsPerSecond)).toBe(true);
      expect(Number.isFinite(s.serverCpuMicrosPerRequest)).toBe(true);
    }
    const rows = summarize(samples, [{ id: 'bare-express', label: 'bare Express' }, { id: 'bare-http', label: 'bare node:http' }], 'bare-express');
    expect(rows.map((r) => r.id)).toEqual(['bare-express', 'bare-http']);
    expect(rows[0]!.ratioToBaseline).toBe(1);
    expect(rows[1]!.ratioToBaseline).toBeCloseTo(rows[1]!.requestsPerSecond / rows[0]!.requestsPerSecond);
    expect(renderTable(rows)).toContain('| bare node:http |');
  });

  it('takes the median of rounds and divides by the baseline median, and the best by the best', () => {
    const rows = summarize(
      [sample('base', 100, 0), sample('base', 300, 1), sample('base', 200, 2), sample('ours', 50, 0), sample('ours', 150, 1)],
      [{ id: 'base', label: 'base' }, { id: 'ours', label: 'ours' }, { id: 'absent', label: 'absent' }],
      'base',
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]!.requestsPerSecond).toBe(200);
    expect(rows[1]!.requestsPerSecond).toBe(100);
    expect(rows[1]!.ratioToBaseline).toBe(0.5);
    expect(rows[1]!.bestRatioToBaseline).toBe(0.5);
    expect(rows[0]!.bestRequestsPerSecond).toBe(300);
    expect(median([])).toBeNaN();
  });

  it('reports a missed target as missed and an unmeasured one as unknown', () => {
    const rows = summarize([sample('a', 100), sample('b', 91)], [{ id: 'a', label: 'a' }, { id: 'b', label: 'b' }], 'a');
    const [missed, met, unknown] = evaluateTargets(rows, [
      { numerator: 'b', denominator: 'a', min: 0.92, description: 'b ≥ 0.92 a' },
      { numerator: 'b', denominator: 'a', min: 0.9, description: 'b ≥ 0.9 a' },
      { numerator: 'c', denominator: 'a', min: 1, description: 'c ≥ a' },
    ]);
    expect(missed).toMatchObject({ met: false });
    expect(missed!.ratio).toBeCloseTo(0.91);
    expect(met).toMatchObject({ met: true });
    expect(unknown).toMatchObject({ met: undefined, ratio: undefined });
  });

  it('interleaves rounds forwards then backwards', () => {
    expect(roundOrder(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(roundOrder(['a', 'b', 'c'], 1)).toEqual(['c', 'b', 'a']);
  });

  it('draws one escaped bar per measured scenario', () => {
    const rows = summarize([sample('a', 100), sample('b', 50)], [{ id: 'a', label: 'bare <Express>' }, { id: 'b', label: 'ours & co' }], 'a');
    const svg = renderChart(rows, 'ratios');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('bare &lt;Express&gt;');
    expect(svg).toContain('ours &amp; co');
    expect(svg.match(/<rect /g)).toHaveLength(3); // background + two bars
    expect(renderChart(rows, "t", new Map([["b", 0.7]]))).toContain("stroke=\"#dc2626\"");
  });

  it('summarises a CPU profile by self time with repository-relative paths', () => {
    const root = '/somewhere/repo';
    const summary = summarizeProfile(
      {
        startTime: 0,
        endTime: 10,
        nodes: [
          { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 } },
          { id: 2, callFrame: { functionName: 'verify', url: `file://${root}/node_modules/jose/dist/verify.js`, lineNumber: 9 } },
          { id: 3, callFrame: { functionName: 'handle', url: `file://${root}/src/middleware/guard.ts`, lineNumber: 0 } },
        ],
        samples: [2, 2, 2, 3],
      },
      root,
    );
    expect(summary.totalSamples).toBe(4);
    expect(summary.functions[0]).toEqual({ name: 'verify node_modules/jose/dist/verify.js:10', selfPercent: 75 });
    expect(summary.packages.map((p) => p.name)).toEqual(['jose', 'src/middleware']);
    expect(JSON.stringify(summary)).not.toContain(root);
  });
});
