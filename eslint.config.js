// ESLint flat config: a few rules that catch real bugs in async, promise-heavy code.
// Formatting is Prettier's job (`prettier --check` in npm run lint), not ESLint's. The import
// rules: no cycle is dependency-cruiser's (.dependency-cruiser.cjs), the floors of src/ are eslint/layers.js's.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import layers from './eslint/layers.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', '.bench/**', 'bench/fixture/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      // the tsconfig's own program: typescript-eslint's project service (one program per file's
      // project, found file by file) took 6 s more of the 20 that ESLint takes here
      parserOptions: { project: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // a promise nobody awaits loses its error, and a run can end before its work does
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test() and describe() are awaited by the runner itself
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
      // an async callback where a plain one is expected: its rejection goes nowhere
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // a new union member (a target OS, a publish mode) must be handled everywhere it is switched on
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // throw only Errors: messageOf() and the error paths rely on .message
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-control-regex': 'off', // the input checks match control characters on purpose
      // Errors are rewritten on purpose to drop text that may hold a secret (a URL's password, a
      // config line, git's quote of either): a `cause` would carry that text along.
      'preserve-caught-error': 'off',
    },
  },
  {
    // the floors of src/ (eslint/layers.js): imports go down, and into a folder only through its index
    files: ['src/**/*.ts'],
    plugins: { layers },
    rules: { 'layers/import-direction': 'error' },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
    languageOptions: { globals: { ...globals.node } },
  },
);
