// Four projects: unit (pure logic), api (the server through inject, on PGlite or DATABASE_URL),
// components (compiled weapp pages under miniprogram-simulate) and e2e (the H5 build in chromium).
const tsJest = ['ts-jest', { tsconfig: { module: 'commonjs', jsx: 'react-jsx', esModuleInterop: true, isolatedModules: true }, diagnostics: false }]
// Every project opens a database, a compiled page or a browser somewhere, and the machine may be busy with another
// suite: none relies on jest's 5 s default (test/helpers/long-timeout.ts); a test that needs more says so itself.
const common = {
  rootDir: __dirname,
  setupFilesAfterEnv: ['<rootDir>/test/helpers/long-timeout.ts'],
  transform: { '^.+\\.tsx?$': tsJest },
  moduleNameMapper: { '^@/(.*)$': '<rootDir>/src/$1', '^@contract/(.*)$': '<rootDir>/types/$1' },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
}
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testEnvironment: 'node', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'api',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/api/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/db-global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/db-global-teardown.ts',
    },
    {
      ...common,
      displayName: 'components',
      testEnvironment: 'jsdom',
      testMatch: ['<rootDir>/test/components/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/db-global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/db-global-teardown.ts',
    },
  ],
}
