/**
 * vitest global setup: marks this run in the environment that every worker, and every process a
 * test starts, inherits; at the end, any process still carrying the mark (a server, a browser, a
 * `tsx` child whose wrapper was killed) fails the run. It is listed, then killed, so it does not
 * outlive the run either. Linux only (it reads /proc); elsewhere the check is skipped.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const MARK = 'TEST_RUN_PROCESS_MARK';
let mark = '';

export function setup(): void {
  mark = `vitest-${process.pid}-${Date.now()}`;
  process.env[MARK] = mark;
}

/** Processes other than this one whose environment carries the mark: pid and command line. */
function marked(): { pid: number; command: string }[] {
  const found: { pid: number; command: string }[] = [];
  const needle = `${MARK}=${mark}\0`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'latin1').includes(needle)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue; // exited, not yet reaped
      found.push({ pid: Number(entry), command: readFileSync(`/proc/${entry}/cmdline`, 'latin1').replaceAll('\0', ' ').trim().slice(0, 160) });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

export async function teardown(): Promise<void> {
  if (mark === '' || !existsSync('/proc/self/environ')) return;
  // Processes told to stop a moment ago get a short grace period.
  let left = marked();
  for (let waited = 0; left.length > 0 && waited < 3_000; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = marked();
  }
  if (left.length === 0) return;
  console.error(`\n${left.length} process(es) started by the tests are still running after the run:`);
  for (const { pid, command } of left) {
    console.error(`  pid ${pid}: ${command}`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  console.error('Every test must stop what it starts (see test/helpers/processes.ts).');
  process.exitCode = 1;
}
