// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

const kafkajsOnlyInAdapter = {
  'no-restricted-imports': ['error', { paths: [{ name: 'kafkajs', message: 'Only src/transport/kafkajs/ may import kafkajs.' }], patterns: [{ group: ['kafkajs/*'], message: 'Only src/transport/kafkajs/ may import kafkajs.' }] }],
};

module.exports = tseslint.config(
  { ignores: ['dist/**', '.examples-build/**', 'node_modules/**', 'coverage/**', 'bench/.peers/**', 'bench/results/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      ...kafkajsOnlyInAdapter,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly' } },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      ...kafkajsOnlyInAdapter,
    },
  },
  {
    // The kafkajs adapter is the one place kafkajs may be imported. bench/ runs kafkajs as a peer client it
    // installs itself; it is not part of the library.
    files: ['src/transport/kafkajs/**', 'bench/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
