// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

const KAFKAJS = { message: 'Only src/transport/kafkajs/ may import kafkajs.', paths: [{ name: 'kafkajs' }], patterns: ['kafkajs/*'] };
const OTEL = { message: 'Only src/otel/ (the rx-kafka-cluster/otel subpath) may import OpenTelemetry: the main entry must load without it.', paths: [], patterns: ['@opentelemetry/*'] };
/** no-restricted-imports for the given boundaries. */
const onlyIn = (...rules) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: rules.flatMap((r) => r.paths.map((p) => ({ ...p, message: r.message }))),
      patterns: rules.map((r) => ({ group: r.patterns, message: r.message })),
    },
  ],
});
const kafkajsOnlyInAdapter = onlyIn(KAFKAJS);

module.exports = tseslint.config(
  { ignores: ['dist/**', '.examples-build/**', 'node_modules/**', 'coverage/**', 'bench/.peers/**', 'bench/results/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      ...onlyIn(KAFKAJS, OTEL),
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
    // OpenTelemetry: the otel subpath, and the specs and examples that test and show it.
    files: ['src/otel/**', 'spec/**', 'examples/**'],
    rules: kafkajsOnlyInAdapter,
  },
  {
    // The kafkajs adapter is the one place kafkajs may be imported.
    files: ['src/transport/kafkajs/**'],
    rules: onlyIn(OTEL),
  },
  {
    // bench/ runs kafkajs and the OTel SDK as peer clients; it is not part of the library.
    files: ['bench/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
