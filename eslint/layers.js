// The floors of src/, lowest first, and the one rule that keeps them: a module imports only from
// its own floor or the floors below it, and another folder only through that folder's index.js
// (its explicit list of exports). The order is the pipeline's: shared helpers and the model at
// the bottom, each stage on what the stages before it made, the conductors on top.
import path from 'node:path';

/** Floors by the first path segment under src/ (a folder, or a top-level file without `.ts`). */
export const FLOORS = [
  ['shared'],
  ['model'],
  ['plan'],
  ['inputs'],
  ['toolchain'],
  ['source'],
  ['verify'],
  ['build'],
  ['package'],
  ['publish'],
  ['report'],
  // the conductors of a run's steps: pipeline (the build half), dry-run, reading inputs, the plan
  ['run'],
  ['main', 'post-step', 'cli'],
  ['index'],
];

const floorOf = new Map(FLOORS.flatMap((names, rank) => names.map((name) => [name, rank])));

/** The first segment of `file` below `src`, or undefined outside src/. */
function unitOf(srcRoot, file) {
  const relative = path.relative(srcRoot, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  const [first, ...rest] = relative.split(path.sep);
  return { name: rest.length === 0 ? first.replace(/\.[cm]?[jt]s$/, '') : first, folder: rest.length > 0, rest };
}

/** @type {import('eslint').Rule.RuleModule} */
const importDirection = {
  meta: {
    type: 'problem',
    docs: { description: 'imports go down the floors of src/, and into another folder only through its index.js' },
    schema: [],
    messages: {
      upward:
        "'{{from}}' (floor {{fromRank}}) imports '{{to}}' (floor {{toRank}}), a higher floor: move the shared piece down (types to src/model.ts, helpers to src/shared/).",
      unknown: "'{{name}}' is on no floor: add it to FLOORS in eslint/layers.js.",
      private: "'{{to}}' is inside the folder '{{folder}}': import it through {{folder}}/index.js, which lists what the folder offers.",
    },
  },
  create(context) {
    const srcRoot = path.join(context.cwd, 'src');
    const self = unitOf(srcRoot, context.filename);
    if (self === undefined) return {};
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = path.resolve(path.dirname(context.filename), spec);
      const other = unitOf(srcRoot, target);
      if (other === undefined) return;
      for (const unit of [self, other]) {
        if (!floorOf.has(unit.name)) context.report({ node, messageId: 'unknown', data: { name: unit.name } });
      }
      const fromRank = floorOf.get(self.name);
      const toRank = floorOf.get(other.name);
      if (fromRank === undefined || toRank === undefined) return;
      const to = path.relative(srcRoot, target);
      if (toRank > fromRank) {
        context.report({ node, messageId: 'upward', data: { from: path.relative(srcRoot, context.filename), fromRank, to, toRank } });
      }
      if (other.folder && other.name !== self.name && other.rest.join('/') !== 'index.js') {
        context.report({ node, messageId: 'private', data: { to, folder: other.name } });
      }
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

export default { rules: { 'import-direction': importDirection } };
