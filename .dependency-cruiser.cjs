// The import rules of src/, checked by `npm run lint` (dependency-cruiser): no import cycle, and no
// import of a file that is not there. A cycle means a module can no longer be read, tested or
// replaced on its own; the lint keeps it so, not review.
//
// The floors of src/ (which folder may import which) are the lint's other half: the ESLint rule
// in eslint/layers.js, which also sends every import into another folder through its index.
// __tests__/unit/import-rules.test.ts shows each rule here firing on a small tree of its own.

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle: move the piece both sides need down into a module they both import (the model, or a shared helper).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      // tsc finds these too; here it proves the cruiser sees every edge between our own files
      comment: 'A relative import that resolves to no file.',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true, path: '^[.]' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // type-only imports count: a cycle of types is still a cycle a reader must untangle
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
