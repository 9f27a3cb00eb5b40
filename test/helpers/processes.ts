/**
 * Child processes of tests: started in their own process group (`detached: true`), so stopping
 * one stops everything it started too (`tsx` runs the real program as its own child). Every
 * group started through {@link spawnGroup} is recorded in a file that the run's global teardown
 * (test/global-teardown.ts) checks: a group still alive at the end fails the run.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { appendFileSync } from 'node:fs';

/** File listing the process groups tests started (one pid a line); set by the global setup. */
export const GROUPS_FILE_ENV = 'STYTCH_TEST_PROCESS_GROUPS';

/** True while a process group with this id has a live member. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Spawn `command` as the leader of a new process group, and record the group. */
export function spawnGroup(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  const file = process.env[GROUPS_FILE_ENV];
  if (file && child.pid !== undefined) appendFileSync(file, `${child.pid}\n`);
  return child;
}

/**
 * Stop the child's whole process group: SIGTERM, then SIGKILL after `graceMs`; resolves once no
 * member of the group is left.
 */
export async function killTree(child: ChildProcess, graceMs = 5_000): Promise<void> {
  const pgid = child.pid;
  if (pgid === undefined) return;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pgid, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  if (groupAlive(pgid)) signal('SIGKILL');
  while (groupAlive(pgid)) await new Promise((resolve) => setTimeout(resolve, 20));
}
