import type { Config } from 'jest';

/**
 * Nest 12 packages are ESM-only, so jest runs in native ESM mode
 * (node --experimental-vm-modules) with ts-jest transpiling each file on its own.
 * Three projects: unit specs beside the code, e2e/integration tests under test/.
 */
const aliases: Record<string, string> = {
  '^@app/([a-z]+)$': '<rootDir>/libs/$1/src',
  '^@app/([a-z]+)/(.*)$': '<rootDir>/libs/$1/src/$2',
  '^(\\.{1,2}/.*)\\.js$': '$1',
};

const base = {
  rootDir: '.',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: aliases,
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
};

const config: Config = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
  ],
  // a global option (ignored inside projects): e2e tests boot apps, databases and media servers
  testTimeout: 60000,
  // two files at a time on the 2-core CI machine (jest's default would be one): most e2e time is spent
  // waiting on PostgreSQL, Redis, ffmpeg and Chromium
  maxWorkers: 2,
};

export default config;
