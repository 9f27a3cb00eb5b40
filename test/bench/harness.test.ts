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
import { renderChart, renderControl, renderTable } from '../../bench/lib/report.js';
import { CONTROL_ID, TARGETS, withReferences } from '../../bench/lib/scenarios.js';
import { summarizeProfile } from '../../bench/lib/profile.js';

const children: ScenarioChild[] = [];

afterAll(async () => {
  await Promise.all(children.map((child) => child.stop()));
});

function sample(scenario: string, requestsPerSecond: number, round = 0, eventLoopMicros?: number): RoundSample {
  return {
    serverEventLoopCpuMicrosPerRequest: eventLoopMicros,
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

  it('runs bare Express with every selection, and the control with ours-rbac, so their ratios come from one run', () => {
    expect(withReferences(['ours-rbac']).map((s) => s.id)).toEqual(['bare-express', CONTROL_ID, 'ours-rbac']);
    // Peers a target compares with are not bare scenarios: they run only when asked for.
    expect(withReferences(['ours-cold']).map((s) => s.id)).toEqual(['bare-express', 'ours-cold']);
    expect(withReferences([CONTROL_ID, 'bare-express']).map((s) => s.id)).toEqual(['bare-express', CONTROL_ID]);
  });

  it('reports the control comparison: ratios to the right reference, event-loop time added, verdicts', () => {
    const rows = summarize(
      [sample('bare-express', 1000, 0, 40), sample(CONTROL_ID, 930, 0, 43), sample('ours-rbac', 912, 0, 45.5), sample('ours-cold', 520, 0, 70)],
      withReferences(['ours-rbac', 'ours-cold']),
      'bare-express',
    );
    const table = renderControl(rows, evaluateTargets(rows, TARGETS));
    const lines = table.split('\n');
    expect(lines).toHaveLength(5); // header, rule, three rows
    expect(lines[2]).toBe('| control: bare Express + 2 no-op middlewares | 930 | 43.0 | bare Express | 0.930 | 3.0 | — | — |');
    expect(lines[3]).toBe('| ours: warm JWT + requirePermission | 912 | 45.5 | control: bare Express + 2 no-op middlewares | 0.981 | 2.5 | ≥ 0.97 | met |');
    expect(lines[4]).toBe('| ours: cold JWT (distinct tokens) | 520 | 70.0 | bare Express | 0.520 | 30.0 | ≥ 0.51 | met |');
    // Without the control, the warm row has no reference and no verdict.
    const alone = summarize([sample('bare-express', 1000), sample('ours-rbac', 900)], withReferences(['ours-rbac']), 'bare-express');
    expect(renderControl(alone, evaluateTargets(alone, TARGETS)).split('\n')[2]).toBe('| ours: warm JWT + requirePermission | 900 | n/a | control-2mw | n/a | n/a | ≥ 0.97 | — |');
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
          { id: 4, callFrame: { functionName: 'next', url: 'file:///elsewhere/checkout/node_modules/router/index.js', lineNumber: 188 } },
        ],
        samples: [2, 2, 2, 3, 2, 2, 4],
      },
      root,
    );
    expect(summary.totalSamples).toBe(7);
    expect(summary.functions[0]).toEqual({ name: 'verify node_modules/jose/dist/verify.js:10', selfPercent: (5 / 7) * 100 });
    expect(summary.packages.map((p) => p.name)).toEqual(['jose', 'src/middleware', 'router']);
    // A linked node_modules outside the repository loses its absolute prefix too.
    expect(summary.functions.map((f) => f.name)).toContain('next node_modules/router/index.js:189');
    expect(JSON.stringify(summary)).not.toContain(root);
    expect(JSON.stringify(summary)).not.toContain('/elsewhere');
  });
});
