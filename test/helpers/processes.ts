/**
 * Child processes of tests. A test starts them in their own process group (`detached: true`,
 * through {@link spawnGroup}) and stops the whole group with {@link killTree}: `tsx` and `npm`
 * run the real program as a child of their own, and killing only the wrapper leaves it running.
 * test/global-setup.ts fails the run when any process started during it is still alive at the end.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** True while a process group with this id has a live member. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Spawn `command` as the leader of a new process group. */
export function spawnGroup(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  return spawn(command, args, { ...options, detached: true });
}

/** Send `signal` to the child's whole process group (ignored when it is gone). */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Stop the child's whole process group: SIGTERM, then SIGKILL after `graceMs`. Resolves once no
 * member of the group is left.
 */
export async function killTree(child: ChildProcess, graceMs = 5_000): Promise<void> {
  const pgid = child.pid;
  if (pgid === undefined) return;
  signalGroup(child, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  if (groupAlive(pgid)) signalGroup(child, 'SIGKILL');
  while (groupAlive(pgid)) await new Promise((resolve) => setTimeout(resolve, 20));
}
