/**
 * A lockfile for the pack test's scratch app, cut from this checkout's own `package-lock.json`.
 *
 * `npm install --offline <tarball> express@^5` has to resolve version ranges, which needs each
 * package's registry document; `npm ci` (what CI runs) caches only the tarballs, so on a fresh
 * machine that install fails with ENOTCACHED. With a lockfile npm needs no registry document at
 * all: `npm ci --offline` takes every package by its integrity from the cache `npm ci` filled,
 * and the scratch app gets exactly the versions the test suite ran with.
 */

/** One entry of a v3 lockfile's `packages` map (only the fields read or copied here). */
export interface LockEntry {
  version?: string;
  integrity?: string;
  resolved?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  optional?: boolean;
  [field: string]: unknown;
}

/** A v3 lockfile, as npm writes it. */
export interface Lockfile {
  name?: string;
  version?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

/** The packed library as the scratch app installs it. */
export interface PackedDependency {
  /** The package's name (`stytch-b2b-express`). */
  readonly name: string;
  /** Its `package.json` from the tarball (dependencies and peers are read from it). */
  readonly manifest: LockEntry;
  /** The spec in the app's `package.json`, e.g. `file:../packs/x-0.1.0.tgz`. */
  readonly spec: string;
  /** The tarball's `sha512-…` integrity. */
  readonly integrity: string;
}

/** Where npm finds `name` from the package at `from` (`''` is the app): the nearest `node_modules`. */
export function resolveInstallPath(packages: Readonly<Record<string, LockEntry>>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base === '' ? '' : `${base}/`}node_modules/${name}`;
    if (packages[candidate] !== undefined) return candidate;
    if (base === '') return undefined;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent === -1 ? '' : base.slice(0, parent);
  }
}

/** How a package needs another: a dependency must be there; an optional one may be missing; an optional peer is not installed. */
type Need = 'required' | 'optional' | 'optional-peer';

/** What a package needs installed: its dependencies, optional dependencies and peers. */
function needsOf(entry: LockEntry): { name: string; need: Need }[] {
  const out: { name: string; need: Need }[] = [];
  for (const name of Object.keys(entry.dependencies ?? {})) out.push({ name, need: 'required' });
  for (const name of Object.keys(entry.optionalDependencies ?? {})) out.push({ name, need: 'optional' });
  for (const name of Object.keys(entry.peerDependencies ?? {})) out.push({ name, need: entry.peerDependenciesMeta?.[name]?.optional === true ? 'optional-peer' : 'required' });
  return out;
}

/** A copy of a root-lock entry for the scratch app: no dev/peer markers (everything is a production dependency there). */
function productionEntry(entry: LockEntry): LockEntry {
  const { dev: _dev, devOptional: _devOptional, peer: _peer, ...rest } = entry;
  return rest;
}

/**
 * The scratch app's `package.json` dependencies and lockfile: the packed library plus `extra`
 * packages (e.g. `express`) at the versions of the root lockfile, and everything they need at the
 * same install paths as in the root lockfile (so every package resolves to the same copy).
 * Throws when the root lockfile lacks a package that is not optional.
 */
export function scratchLockfile(root: Lockfile, packed: PackedDependency, extra: readonly string[]): { dependencies: Record<string, string>; lockfile: Lockfile } {
  const dependencies: Record<string, string> = { [packed.name]: packed.spec };
  const packages: Record<string, LockEntry> = {};
  const packedPath = `node_modules/${packed.name}`;
  const { dependencies: deps, peerDependencies, peerDependenciesMeta, version, license, engines, bin } = packed.manifest;
  const library: LockEntry = {
    version,
    resolved: packed.spec,
    integrity: packed.integrity,
    ...(license === undefined ? {} : { license }),
    ...(deps === undefined ? {} : { dependencies: deps }),
    ...(bin === undefined ? {} : { bin }),
    ...(engines === undefined ? {} : { engines }),
    ...(peerDependencies === undefined ? {} : { peerDependencies }),
    ...(peerDependenciesMeta === undefined ? {} : { peerDependenciesMeta }),
  };
  packages[packedPath] = library;
  const queue: { from: string; name: string; need: Need }[] = needsOf(library).map((n) => ({ from: packedPath, ...n }));
  for (const name of extra) {
    const entry = root.packages[`node_modules/${name}`];
    if (entry?.version === undefined) throw new Error(`package-lock.json has no node_modules/${name}`);
    dependencies[name] = entry.version;
    queue.push({ from: '', name, need: 'required' });
  }
  while (queue.length > 0) {
    const { from, name, need } = queue.shift()!;
    // Optional peers (express, redis for the library) are the app's choice: `extra` adds them.
    if (need === 'optional-peer') continue;
    const at = resolveInstallPath(root.packages, from, name);
    if (at === undefined) {
      if (need === 'optional') continue;
      throw new Error(`package-lock.json has no copy of ${name} for ${from === '' ? 'the app' : from}`);
    }
    if (packages[at] !== undefined) continue;
    packages[at] = productionEntry(root.packages[at]!);
    for (const n of needsOf(root.packages[at]!)) queue.push({ from: at, ...n });
  }
  const sorted = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    dependencies,
    lockfile: {
      name: 'scratch-app',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: { '': { name: 'scratch-app', version: '1.0.0', dependencies }, ...sorted },
    },
  };
}
