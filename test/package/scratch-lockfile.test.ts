import { describe, expect, it } from 'vitest';
import { resolveInstallPath, scratchLockfile, type Lockfile } from './scratch-lockfile.js';

const root: Lockfile = {
  lockfileVersion: 3,
  packages: {
    '': { name: 'root', version: '1.0.0' },
    'node_modules/express': { version: '5.3.0', integrity: 'sha512-e', dev: true, dependencies: { cookie: '^0.7.1', debug: '^4' } },
    'node_modules/express/node_modules/cookie': { version: '0.7.2', integrity: 'sha512-c07', dev: true },
    'node_modules/cookie': { version: '1.1.0', integrity: 'sha512-c1' },
    'node_modules/debug': { version: '4.4.0', integrity: 'sha512-d', dependencies: { ms: '^2' }, optionalDependencies: { 'supports-color': '*' } },
    'node_modules/ms': { version: '2.1.3', integrity: 'sha512-ms' },
    'node_modules/@scope/tool': { version: '1.0.0', integrity: 'sha512-t', dev: true },
    'node_modules/redis': { version: '6.0.0', integrity: 'sha512-r', dev: true },
  },
};
const packed = {
  name: 'lib',
  spec: 'file:../packs/lib-0.1.0.tgz',
  integrity: 'sha512-lib',
  manifest: { version: '0.1.0', dependencies: { cookie: '^1.1.0' }, peerDependencies: { express: '^5', redis: '^6' }, peerDependenciesMeta: { express: { optional: true }, redis: { optional: true } } },
};

describe('scratch lockfile', () => {
  it('resolves a package from the nearest node_modules, scoped names included', () => {
    expect(resolveInstallPath(root.packages, 'node_modules/express', 'cookie')).toBe('node_modules/express/node_modules/cookie');
    expect(resolveInstallPath(root.packages, 'node_modules/express', 'debug')).toBe('node_modules/debug');
    expect(resolveInstallPath(root.packages, 'node_modules/@scope/tool', 'cookie')).toBe('node_modules/cookie');
    expect(resolveInstallPath(root.packages, '', 'nothing')).toBeUndefined();
  });

  it('takes the library, the extra packages and what they need at their install paths, without dev markers or optional peers', () => {
    const { dependencies, lockfile } = scratchLockfile(root, packed, ['express']);
    expect(dependencies).toEqual({ lib: 'file:../packs/lib-0.1.0.tgz', express: '5.3.0' });
    expect(Object.keys(lockfile.packages)).toEqual([
      '',
      'node_modules/cookie',
      'node_modules/debug',
      'node_modules/express',
      'node_modules/express/node_modules/cookie',
      'node_modules/lib',
      'node_modules/ms',
    ]);
    expect(lockfile.packages['']).toEqual({ name: 'scratch-app', version: '1.0.0', dependencies });
    expect(lockfile.packages['node_modules/express']!.dev).toBeUndefined();
    expect(lockfile.packages['node_modules/lib']).toMatchObject({ version: '0.1.0', resolved: packed.spec, integrity: 'sha512-lib', dependencies: { cookie: '^1.1.0' } });
  });

  it('refuses a lockfile that lacks a required package', () => {
    const packages = Object.fromEntries(Object.entries(root.packages).filter(([path]) => path !== 'node_modules/ms'));
    const broken: Lockfile = { ...root, packages };
    expect(() => scratchLockfile(broken, packed, ['express'])).toThrow(/no copy of ms for node_modules\/debug/);
    expect(() => scratchLockfile(root, packed, ['koa'])).toThrow(/no node_modules\/koa/);
  });
});
