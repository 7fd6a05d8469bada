// Jest runs the TypeScript sources directly as ES modules (swc strips the types; `tsc` checks them
// in `npm run typecheck`). Node's VM modules are enabled by the `test` script.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  // Sources import siblings as `./x.js` (NodeNext); in tests the `.ts` file is what exists.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/dist/', '<rootDir>/var/'],
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/var/'],
  testTimeout: 60_000,
  // Two cores on CI: integration tests start real servers, so keep the worker count small.
  maxWorkers: 2,
};
