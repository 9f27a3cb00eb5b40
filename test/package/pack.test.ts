/**
 * The package as a new user gets it: a fresh copy of the checkout (tracked and new files, nothing
 * git ignores, so no `dist/`) is packed with `npm pack`, whose `prepare` script builds it; the
 * tarball is installed into a scratch app in a temporary folder with `npm ci --offline` from a
 * lockfile cut from this checkout's own (every dependency comes from the npm cache that `npm ci`
 * filled, at the version the suite ran with); then the README's
 * "Use it in your own app" example runs there, as written, against the emulator.
 *
 * The copy's build tools (tsup, TypeScript) come from this checkout's node_modules through a
 * symlink; the scratch app's node_modules is a real, offline npm install.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { CookieJarClient } from '../helpers/cookie-jar.js';
import { killTree, spawnGroup } from '../helpers/processes.js';
import { scratchLockfile, type LockEntry, type Lockfile } from './scratch-lockfile.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The README's complete example: the `js` block that starts with `// server.mjs`. */
function readmeExample(readme: string): string {
  const block = /```js\n(\/\/ server\.mjs[\s\S]*?)```/.exec(readme)?.[1];
  if (block === undefined) throw new Error('README.md has no ```js block starting with "// server.mjs"');
  return block;
}

/** npm's environment for the children: this process's, without what `npm test` set for itself. */
function npmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('npm_') && key !== 'npm_config_cache') continue;
    if (key.startsWith('STYTCH_')) continue;
    env[key] = value;
  }
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

describe('the packed package', { timeout: 300_000 }, () => {
  let work: string;
  let tarball: string;
  let packedFiles: string[];
  let app: string;
  let emulator: Emulator | undefined;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'stytch-pack-'));
    // A fresh clone: what git tracks or would add, never what it ignores (dist/, node_modules/).
    const clone = join(work, 'clone');
    const { stdout } = await run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    for (const file of stdout.split('\0')) {
      if (file === '' || file === 'node_modules' || file.startsWith('node_modules/') || !existsSync(join(ROOT, file))) continue;
      mkdirSync(dirname(join(clone, file)), { recursive: true });
      cpSync(join(ROOT, file), join(clone, file));
    }
    expect(existsSync(join(clone, 'dist'))).toBe(false);
    symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');

    const packs = join(work, 'packs');
    mkdirSync(packs);
    const packed = await run('npm', ['pack', '--json', '--pack-destination', packs], { cwd: clone, env: npmEnv(), maxBuffer: 16 * 1024 * 1024 });
    // The prepare build prints to stdout first; the report is the JSON array that starts a line.
    const report = JSON.parse(packed.stdout.slice(packed.stdout.search(/^\[\s*(\{|\])/m))) as { filename: string; files: { path: string }[] }[];
    tarball = join(packs, report[0]!.filename);
    packedFiles = report[0]!.files.map((f) => f.path);

    app = join(work, 'app');
    mkdirSync(app);
    // The library and express at the versions this checkout's lockfile holds, installed with
    // `npm ci --offline`: a dependency missing from the npm cache fails here instead of being
    // downloaded, and no registry document is needed (see scratch-lockfile.ts).
    const rootLock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as Lockfile;
    const manifest = JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8')) as LockEntry & { name: string };
    const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    const scratch = scratchLockfile(rootLock, { name: manifest.name, manifest, spec: `file:../packs/${report[0]!.filename}`, integrity }, ['express']);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', version: '1.0.0', private: true, type: 'module', dependencies: scratch.dependencies }, null, 2));
    writeFileSync(join(app, 'package-lock.json'), JSON.stringify(scratch.lockfile, null, 2));
    await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: app, env: npmEnv(), maxBuffer: 16 * 1024 * 1024 });
    writeFileSync(join(app, 'server.mjs'), readmeExample(README));
    // Building, packing and installing take a while on a loaded machine.
  }, 300_000);

  afterAll(async () => {
    if (child) await killTree(child);
    await emulator?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 30_000);

  it('contains the build, its types, the CLI, the README and the docs it links to, and no sources or tests', () => {
    for (const file of ['package.json', 'README.md', 'docs/admin-routes.md', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts', 'dist/emulator/index.js', 'dist/emulator/cli.js']) {
      expect(packedFiles, file).toContain(file);
    }
    expect(packedFiles.filter((f) => f.startsWith('src/') || f.startsWith('test/') || f.startsWith('examples/'))).toEqual([]);
  });

  it('loads in the scratch app through import and require', async () => {
    const esm = await run(process.execPath, ['--input-type=module', '-e', "import { stytchAuth } from 'stytch-b2b-express'; import { startEmulator } from 'stytch-b2b-express/emulator'; console.log(typeof stytchAuth, typeof startEmulator)"], { cwd: app });
    expect(esm.stdout.trim()).toBe('function function');
    const cjs = await run(process.execPath, ['-e', "console.log(typeof require('stytch-b2b-express').stytchRoutes)"], { cwd: app });
    expect(cjs.stdout.trim()).toBe('function');
  });

  it('installs the emulator CLI, whose help lists every flag', async () => {
    const { stdout } = await run(join(app, 'node_modules', '.bin', 'stytch-b2b-emulator'), ['--help'], { cwd: app });
    for (const flag of ['--port', '--project-id', '--secret', '--quiet']) expect(stdout).toContain(flag);
  });

  it("runs the README's example against the emulator: sign-in link, organization picker, dashboard, sign-out", async () => {
    emulator = await startEmulator({ quiet: true });
    const org = emulator.admin.createOrganization({ organization_name: 'Acme Corp', organization_slug: 'acme' });
    emulator.admin.createMember(org.organization_id, { email_address: 'ada@example.com', name: 'Ada' });
    const port = await freePort();
    const appUrl = `http://127.0.0.1:${port}`;
    const proc = spawnGroup(process.execPath, ['server.mjs'], {
      cwd: app,
      env: npmEnv({ STYTCH_PROJECT_ID: emulator.projectId, STYTCH_SECRET: emulator.secret, STYTCH_BASE_URL: emulator.url, PORT: String(port), APP_URL: appUrl }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the example did not start:\n' + output)), 30_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.includes(`Listening on ${appUrl}`)) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the example exited with ${code}:\n${output}`));
      });
    });

    const browser = new CookieJarClient(appUrl);
    const navigate = { accept: 'text/html', 'sec-fetch-mode': 'navigate' };
    const guarded = await browser.get('/dashboard', { headers: navigate });
    expect(guarded.status).toBe(303);
    expect(guarded.location).toBe('/login?return_to=%2Fdashboard');
    expect((await browser.get('/login', { headers: navigate })).text).toContain('action="/auth/login/email"');

    const sent = await browser.post('/auth/login/email', { form: { email_address: 'ada@example.com', return_to: '' } });
    expect(sent.status).toBe(303);
    expect(sent.location).toBe('/login?status=email_sent');
    expect((await browser.get(sent.location!, { headers: navigate })).text).toContain('10 minutes');

    const link = emulator.outbox.list().find((m) => m.to === 'ada@example.com')?.link;
    expect(link).toMatch(new RegExp(`^${appUrl}/auth/callback\\?`));
    const callback = await browser.get(link!, { headers: navigate });
    expect(callback.status).toBe(303);
    expect(callback.location).toBe('/select-org');
    expect((await browser.get('/select-org', { headers: navigate })).text).toContain("fetch('/auth/discovery/organizations')");

    const listed = await browser.get('/auth/discovery/organizations', { headers: { accept: 'application/json' } });
    expect(listed.status).toBe(200);
    expect(listed.body.organizations).toEqual([expect.objectContaining({ organizationId: org.organization_id, organizationName: 'Acme Corp' })]);

    const entered = await browser.post('/auth/discovery/exchange', { form: { organization_id: org.organization_id } });
    expect(entered.status).toBe(303);
    expect(entered.location).toBe('/dashboard');
    const dashboard = await browser.get('/dashboard', { headers: navigate });
    expect(dashboard.status).toBe(200);
    expect(dashboard.text).toContain('<code>acme</code>');

    const out = await browser.post('/auth/logout', { form: {} });
    expect(out.status).toBe(303);
    expect(out.location).toBe('/login');
    expect((await browser.get('/dashboard', { headers: navigate })).status).toBe(303);
    // Nothing went wrong on the way: no error and no stack in the app's output.
    expect(output).not.toContain('Error');
  });
});
