/**
 * The layering rules of eslint.config.js fail on what they are meant to catch: a deliberate import
 * cycle, a pure core importing the Express edge, and a value import from the library into the
 * emulator. Probe files are written under src/ (where the rules apply), linted with the project's
 * own config, and removed again.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const probe = `__lint_probe_${process.pid}__`;
const created: string[] = [];

function write(relative: string, text: string): string {
  const file = join(root, relative);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  created.push(file);
  return file;
}

let results: Map<string, string[]>;

beforeAll(async () => {
  const files = [
    write(`src/${probe}/a.ts`, `import { b } from './b.js';\nexport const a = (): number => b() + 1;\n`),
    write(`src/${probe}/b.ts`, `import { a } from './a.js';\nexport const b = (): number => (a.length > 5 ? 0 : 1);\n`),
    write(`src/session/${probe}.ts`, `import { answerError } from '../middleware/respond.js';\nexport const probe = answerError;\n`),
    write(`src/emulator/${probe}.ts`, `import { StytchApiError } from '../errors.js';\nexport const probe = StytchApiError;\n`),
  ];
  const eslint = new ESLint({ cwd: root });
  const linted = await eslint.lintFiles(files);
  results = new Map(linted.map((r) => [r.filePath, r.messages.map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`)]));
}, 120_000);

afterAll(() => {
  rmSync(join(root, 'src', probe), { recursive: true, force: true });
  for (const file of created) rmSync(file, { force: true });
});

const messagesOf = (relative: string): string[] => results.get(join(root, relative)) ?? [];

describe('the lint rules that keep the layers', () => {
  it('fail on an import cycle, on both files of it', () => {
    for (const side of ['a', 'b']) {
      expect(messagesOf(`src/${probe}/${side}.ts`)).toContainEqual(expect.stringMatching(/^import-x\/no-cycle: Dependency cycle detected/));
    }
  });

  it('fail when a pure core imports the Express edge', () => {
    expect(messagesOf(`src/session/${probe}.ts`)).toContainEqual(expect.stringMatching(/^import-x\/no-restricted-paths: .*session\/ is a pure core/));
  });

  it('fail when the emulator imports a value from the library', () => {
    expect(messagesOf(`src/emulator/${probe}.ts`)).toContainEqual(expect.stringMatching(/^@typescript-eslint\/no-restricted-imports: .*imports only types/));
  });
});
