// The import rules of src/, checked by `npm run lint` (dependency-cruiser): no import cycle, and
// no import from a lower layer to a higher one. A cycle or an import running up the layers means
// a module can no longer be read, tested or replaced on its own; the lint keeps it so, not review.
//
// LAYERS lists the layers from the bottom up, each as a pattern of the files it holds (paths
// from the repository's root). A file may import its own layer and the layers below it; a rule
// per pair forbids every import from a layer to one above it. A file that no pattern names is in
// no layer (a stage today: the stage folders will each become a layer of their own).
// __tests__/unit/import-rules.test.ts shows each rule firing on a small tree of its own.

/** Helpers that every stage may use; they know no stage. */
const SHARED = [
  'about',
  'defaults',
  'errors',
  'file-search',
  'hash',
  'log',
  'network-limits',
  'output-folder',
  'pool',
  'private-files',
  'process',
  'redact',
  'reserved-names',
  'secrets',
  'settle',
  'stop',
  'tree-links',
  'workspace',
  'workspace-file',
];

const LAYERS = [
  { name: 'shared', path: `^src/(${SHARED.join('|')})[.]ts$` },
  // the vocabulary: the shapes every stage takes and returns
  { name: 'model', path: '^src/model[.]ts$' },
  // the stages, in pipeline order (inputs, plan, source, toolchain, build, verify, package,
  // publish, report) join here as their folders come
  { name: 'conductor', path: '^src/pipeline[.]ts$' },
  // what runs the action or the local command: nothing imports them
  { name: 'entry', path: '^src/(main|cli|cli-entry|index)[.]ts$' },
];

const layerRules = LAYERS.flatMap((lower, index) =>
  LAYERS.slice(index + 1).map((higher) => ({
    name: `layer-${lower.name}-not-to-${higher.name}`,
    comment: `${lower.name} is below ${higher.name} in the layers of src/ (.dependency-cruiser.cjs): move what both need down, do not import up.`,
    severity: 'error',
    from: { path: lower.path },
    to: { path: higher.path },
  })),
);

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
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // type-only imports count: a cycle of types is still a cycle a reader must untangle
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
