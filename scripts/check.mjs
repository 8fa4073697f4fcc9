// The checks before the tests (`npm test`, `npm run test:all`): what `npm run typecheck` and
// `npm run lint` run, read from package.json, two at a time. One after another they left a core
// idle for most of their 38 s: ESLint and tsc each use one.
// Each check's output is printed whole when it ends, so two checks' lines never mix; the run fails
// if any check does, after all have ended.
//
//   node scripts/check.mjs
import { spawn } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const scripts = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts;

/**
 * The commands of a script: `a x && b y`, each a package's bin and its arguments. The bin is run
 * with this Node (Node 24), not by its #! line, which finds whatever `node` is first on PATH.
 */
function commandsOf(name) {
  return scripts[name].split(' && ').map((command) => {
    if (/["'`$|;<>\\]/.test(command)) throw new Error(`scripts/check.mjs runs plain commands; package.json's ${name} has: ${command}`);
    const [bin, ...args] = command.trim().split(/\s+/);
    return { name: bin, args: [realpathSync(path.join(root, 'node_modules', '.bin', bin)), ...args] };
  });
}

// ESLint, the longest, first: the other lane takes the rest meanwhile
const queue = [...commandsOf('lint'), ...commandsOf('typecheck')];

/** Runs one check to its end; its output, stdout and stderr as they came, is printed then. */
function run(check) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, check.args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    const finish = (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(`${code === 0 ? '✔' : '✖'} ${check.name} (${seconds} s${code === 0 ? '' : `, exit ${code}`})\n`);
      if (output.length > 0) process.stdout.write(Buffer.concat(output));
      resolve(code);
    };
    child.on('error', (error) => {
      output.push(Buffer.from(`${error.message}\n`));
      finish(1);
    });
    child.on('close', (code, signal) => finish(code ?? (signal === null ? 1 : 128)));
  });
}

const codes = [];
const lane = async () => {
  for (let check = queue.shift(); check !== undefined; check = queue.shift()) codes.push(await run(check));
};
await Promise.all([lane(), lane()]);
process.exitCode = codes.find((code) => code !== 0) ?? 0;
