// @ts-check
/**
 * Projects: `unit` (no broker, seconds), `integration` (one real broker for the whole run) and `faults` (its own
 * 3-node cluster, started by the spec; member processes run the built library from dist/).
 */
const tsJest = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: tsJest,
      testMatch: ['<rootDir>/spec/unit/**/*.spec.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform: tsJest,
      testMatch: ['<rootDir>/spec/integration/**/*.spec.ts'],
      globalSetup: '<rootDir>/spec/integration/global-setup.js',
      globalTeardown: '<rootDir>/spec/integration/global-teardown.js',
      setupFilesAfterEnv: ['<rootDir>/spec/integration/setup-timeout.ts'],
    },
    {
      displayName: 'faults',
      testEnvironment: 'node',
      transform: tsJest,
      testMatch: ['<rootDir>/spec/faults/**/*.spec.ts'],
    },
  ],
};
