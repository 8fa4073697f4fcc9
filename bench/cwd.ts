// Imported first by run.ts. The test helpers resolve their paths (dist/index.js, the
// download cache, the fixture configs) against the working directory when they load,
// so the repository root must be the working directory before they are evaluated.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(ROOT);
