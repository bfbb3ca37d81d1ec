// Lint is part of `npm test`: typescript-eslint's type-checked recommended rules on every
// TypeScript file (server, tests, scripts, browser pages). A rule switched off carries its
// reason on the same line.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.data/', 'devTools/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.json', './tsconfig.dev.json', './tsconfig.browser.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/require-await': 'off', // route handlers and feature hooks implement Promise-returning interfaces; `async` without `await` is the plainest way to do so
    },
  },
);
