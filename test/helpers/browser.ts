/**
 * Browser test helper: playwright-core driving the system's Chromium (never a downloaded browser).
 *
 * `hasChromium` lets a suite skip cleanly where no browser is installed; with `REQUIRE_BROWSER=1`
 * (CI) a missing browser must be a failure instead, see {@link browserRequirement}.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/** Debian's Chromium; `CHROMIUM_PATH` overrides it (read, never written). */
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** True when the browser binary exists. */
export const hasChromium = existsSync(chromiumPath);

/** True when a missing browser must fail the run (CI sets `REQUIRE_BROWSER=1`). */
export const browserRequired = process.env.REQUIRE_BROWSER === '1';

/**
 * What to do about the browser: `'run'`, `'skip'` (logged once, plainly) or `'fail'`.
 */
export function browserRequirement(suite: string): 'run' | 'skip' | 'fail' {
  if (hasChromium) return 'run';
  if (browserRequired) return 'fail';
  console.log(`[${suite}] SKIPPED: no Chromium at ${chromiumPath}. Install it (apt-get install chromium) or set CHROMIUM_PATH; set REQUIRE_BROWSER=1 to make this a failure.`);
  return 'skip';
}

// Chromium flags for a quiet, hermetic headless run: no sandbox (containers), no GPU, no QUIC,
// and no background traffic (updates, sync, component downloads) to any host.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A launched browser with a fresh temporary profile. */
export interface TestBrowser {
  context: BrowserContext;
  /** The first tab. */
  page: Page;
  /** Closes the browser and deletes the temporary profile. */
  close(): Promise<void>;
}

/**
 * Launch headless Chromium with a fresh `--user-data-dir` (Playwright passes the directory as
 * that flag for a persistent context).
 *
 * @example
 * const browser = await launchBrowser();
 * await browser.page.goto(url);
 * await browser.close();
 */
export async function launchBrowser(options: { viewport?: { width: number; height: number }; actionTimeoutMs?: number } = {}): Promise<TestBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'stytch-e2e-profile-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: ARGS,
      viewport: options.viewport ?? { width: 1100, height: 800 },
      timeout: 30_000,
    });
  } catch (err) {
    await rm(profile, { recursive: true, force: true });
    throw err;
  }
  // Short action timeouts: a missing element fails the step that needed it, well inside the test timeout.
  context.setDefaultTimeout(options.actionTimeoutMs ?? 10_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Full-page screenshots for the enclosing describe block: into `SCREENSHOTS_DIR` (relative to the
 * checkout; set by scripts/screenshots.ts, read, never written) when set, else into a temporary
 * folder removed after the block.
 */
export function useScreenshots(): (page: Page, name: string) => Promise<Buffer> {
  const wanted = process.env.SCREENSHOTS_DIR;
  let dir = '';
  beforeAll(() => {
    dir = wanted ? resolve(ROOT, wanted) : mkdtempSync(join(tmpdir(), 'stytch-e2e-shots-'));
    mkdirSync(dir, { recursive: true });
  });
  afterAll(() => {
    if (!wanted && dir) rmSync(dir, { recursive: true, force: true });
  });
  return (page, name) => page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}
