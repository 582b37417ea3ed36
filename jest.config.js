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
    // ESM-only dependencies of fastify's inject (cookie 2), and the `import('node-fetch')` of the Google HTTP
    // clients (teeny-request, gaxios) with node-fetch's own ESM dependencies. Node loads them with require(esm) and
    // native dynamic import; jest's module
    // system needs them compiled to CommonJS first.
    '^.+/node_modules/(cookie|node-fetch|fetch-blob|formdata-polyfill|data-uri-to-buffer|teeny-request|gaxios|node-domexception)/.+\\.js$':
      [
        '@swc/jest',
        { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } },
      ],
  },
  transformIgnorePatterns: [
    '/node_modules/(?!(?:.*/node_modules/)?(?:cookie|node-fetch|fetch-blob|formdata-polyfill|data-uri-to-buffer|teeny-request|gaxios|node-domexception)/)',
  ],
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Provider modules are large; a worker per core keeps memory predictable on 2-core CI.
  maxWorkers: '100%',
  // Tests skipped because a system tool (rhino, terraform) is missing are named in the closing summary.
  reporters: ['default', '<rootDir>/test/tool-reporter.js'],
};
