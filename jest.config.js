// @ts-check
/** Two projects: `unit` (no broker, seconds) and `integration` (one real broker for the whole run). */
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
  ],
};
