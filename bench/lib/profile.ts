/**
 * Summarises a V8 `.cpuprofile` (written by `node --cpu-prof`) into the functions and packages
 * that spent the most self time, with paths made relative to the repository (the results file
 * must not contain this machine's absolute paths).
 */

interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

interface CpuProfile {
  readonly nodes: readonly CpuProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
}

/** One line of the summary. */
export interface ProfileEntry {
  readonly name: string;
  readonly selfPercent: number;
}

/** Top functions and top packages by self time (percent of busy samples, idle excluded). */
export interface ProfileSummary {
  /** Busy samples (idle excluded). */
  readonly totalSamples: number;
  readonly functions: ProfileEntry[];
  readonly packages: ProfileEntry[];
}

function relativeUrl(url: string, root: string): string {
  let path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  if (root && path.startsWith(root)) path = path.slice(root.length).replace(/^\/+/, '');
  // node_modules may be a link to another checkout, outside root: keep only the part from it on.
  const modules = path.indexOf('/node_modules/');
  if (path.startsWith('/') && modules >= 0) path = path.slice(modules + 1);
  return path;
}

function packageOf(path: string, functionName: string): string {
  if (!path) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? path);
  }
  if (path.startsWith('node:')) return 'node (core)';
  const top = path.split('/');
  return top.length > 1 ? `${top[0]}/${top[1]}` : path;
}

function topEntries(weights: Map<string, number>, total: number, limit: number): ProfileEntry[] {
  return [...weights.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, hits]) => ({ name, selfPercent: (hits / total) * 100 }));
}

/** Summarises a parsed `.cpuprofile`. `root` is stripped from file URLs. */
export function summarizeProfile(profile: CpuProfile, root: string, limit = 25): ProfileSummary {
  const hitsById = new Map<number, number>();
  if (profile.samples && profile.samples.length > 0) {
    for (const id of profile.samples) hitsById.set(id, (hitsById.get(id) ?? 0) + 1);
  } else {
    for (const node of profile.nodes) hitsById.set(node.id, node.hitCount ?? 0);
  }
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = hitsById.get(node.id) ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    // Idle time is the process waiting for I/O: percentages are of the time it was busy.
    if (hits === 0 || functionName === '(idle)') continue;
    const path = relativeUrl(url, root);
    const name = `${functionName || '(anonymous)'}${path ? ` ${path}:${lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + hits);
    const pkg = packageOf(path, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + hits);
    total += hits;
  }
  return { totalSamples: total, functions: topEntries(byFunction, total || 1, limit), packages: topEntries(byPackage, total || 1, 15) };
}

/** The summary as markdown. */
export function renderProfile(scenario: string, summary: ProfileSummary): string {
  const line = (e: ProfileEntry): string => `| ${e.selfPercent.toFixed(1)}% | \`${e.name.replace(/\|/g, '\\|')}\` |`;
  return [
    `# CPU profile of \`${scenario}\` (server child main thread, ${summary.totalSamples} busy samples; % of busy time)`,
    '',
    '## Self time by package',
    '',
    '| self | package |',
    '| ---: | --- |',
    ...summary.packages.map(line),
    '',
    '## Top functions by self time',
    '',
    '| self | function |',
    '| ---: | --- |',
    ...summary.functions.map(line),
    '',
  ].join('\n');
}
