// Lint rules. The import restriction keeps engine/ a pure library: the host
// (server/) performs I/O, the engine only computes. A wrong import fails `npm run check`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const forbiddenInEngine = {
  paths: [
    { name: 'express', message: 'engine/ is pure: no HTTP. The server hosts the engine.' },
    { name: 'knex', message: 'engine/ is pure: persistence lives in server/.' },
    { name: 'pg', message: 'engine/ is pure: persistence lives in server/.' },
    { name: '@electric-sql/pglite', message: 'engine/ is pure: persistence lives in server/.' },
    { name: 'fs', message: 'engine/ does no I/O.' },
    { name: 'node:fs', message: 'engine/ does no I/O.' },
    { name: 'fs/promises', message: 'engine/ does no I/O.' },
    { name: 'node:fs/promises', message: 'engine/ does no I/O.' },
  ],
  patterns: [
    { group: ['**/server/**', '../server', '../../server'], message: 'engine/ must not depend on server/.' },
    { group: ['knex/*', 'pg/*', 'express/*'], message: 'engine/ is pure.' },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'dist/**', 'modeler/dist/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', forbiddenInEngine],
      // The clock is injected: Date.now() and new Date() without arguments would make steps non-deterministic.
      'no-restricted-syntax': ['error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'engine/ reads no clock: use the injected clock.' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'engine/ reads no clock: use the injected clock.' },
        { selector: "CallExpression[callee.name='setTimeout']", message: 'engine/ schedules nothing itself: return a timer job.' },
      ],
    },
  },
);
