/**
 * `npm run screenshots`: refresh the README's pictures in docs/screenshots/ by running the
 * example app's browser tests with SCREENSHOTS_DIR set (a plain `npm test` writes them to a
 * temporary folder instead). Needs Chromium, like the browser tests.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const vitest = fileURLToPath(new URL('../node_modules/.bin/vitest', import.meta.url));
const result = spawnSync(vitest, ['run', 'test/e2e/example-app.test.ts', 'test/e2e/sso-oauth.test.ts', 'test/e2e/admin-pages.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, SCREENSHOTS_DIR: 'docs/screenshots', REQUIRE_BROWSER: '1' },
});
process.exit(result.status ?? 1);
