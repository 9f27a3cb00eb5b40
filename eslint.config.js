import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/**
 * The layers of src/, enforced here so that a violation fails CI:
 * - no import cycles anywhere in src/ (type-only imports included);
 * - the pure cores (client/, session/, rbac/, store/) never import the edges (middleware/, handlers/);
 * - middleware/ never imports handlers/;
 * - production code never imports the emulator;
 * - the emulator imports only types from the library (checked by its own rule below).
 */
export const layerZones = [
  { target: './src/client', from: ['./src/middleware', './src/handlers', './src/emulator', './src/session', './src/rbac', './src/store'], message: 'client/ is a leaf: it knows nothing of sessions, RBAC, Express or the emulator.' },
  { target: './src/session', from: ['./src/middleware', './src/handlers', './src/emulator'], message: 'session/ is a pure core: it never imports the Express edges or the emulator.' },
  { target: './src/rbac', from: ['./src/middleware', './src/handlers', './src/emulator', './src/session'], message: 'rbac/ is a pure core: it never imports sessions, the Express edges or the emulator.' },
  { target: './src/store', from: ['./src/middleware', './src/handlers', './src/emulator'], message: 'store/ is a pure core: it never imports the Express edges or the emulator.' },
  { target: './src/middleware', from: ['./src/handlers', './src/emulator'], message: 'middleware/ never imports the routes or the emulator.' },
  { target: './src/handlers', from: ['./src/emulator'], message: 'Production code never imports the emulator.' },
  { target: ['./src/index.ts', './src/errors.ts', './src/option-names.ts'], from: ['./src/emulator'], message: 'Production code never imports the emulator.' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**', 'test/screenshots/**', '**/*.js', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts'],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
    },
  },
  // The emulator shares only types with the library: a value import from outside src/emulator fails.
  ...[
    ['src/emulator/*.ts', '../**'],
    ['src/emulator/*/*.ts', '../../**'],
  ].map(([files, outside]) => ({
    files: [files],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: [outside], allowTypeImports: true, message: 'The emulator imports only types from the library (use `import type`).' }] },
      ],
    },
  })),
  {
    files: ['test/**', 'bench/**', 'examples/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
