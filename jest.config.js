/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
    // ESM-only dependencies of fastify's inject (cookie 2). Node loads them with require(esm); jest's module
    // system needs them compiled to CommonJS first.
    '^.+/node_modules/cookie/.+\\.js$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Provider modules are large; a worker per core keeps memory predictable on 2-core CI.
  maxWorkers: '100%',
  // Tests skipped because a system tool (rhino, terraform) is missing are named in the closing summary.
  reporters: ['default', '<rootDir>/test/tool-reporter.js'],
};
