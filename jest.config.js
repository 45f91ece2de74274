/** Jest runs the TypeScript sources as ES modules, transformed by SWC (no type checks: `npm run typecheck` does those). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'es6' },
      },
    ],
  },
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/helpers/setup.ts'],
  globalSetup: '<rootDir>/test/helpers/build-dist.mjs',
  testTimeout: 30000,
  // `npm run test:unit` runs with --coverage: the domain's line and branch coverage may only rise.
  collectCoverageFrom: ['lambdas/domain/**/*.ts', '!lambdas/domain/**/*.d.ts'],
  coverageReporters: ['text-summary', 'json-summary'],
  coverageThreshold: {
    // Measured with the whole suite: lines 94.46%, branches 85.21%.
    './lambdas/domain/': { lines: 94.3, branches: 85.0 },
  },
};
