// Runs the test files (`npm test`: the developer loop; `npm run test:all`: everything, as CI
// runs it) in a temp folder of their own, then fails the run if a test left anything in it.
// A test's folder that outlives it fills the disk over a few runs: each end-to-end world holds a
// Go module and build cache and a tool cache, one to two gigabytes.
//
//   node scripts/test.mjs [--all] [file ...] [-- node --test options]
import { spawn } from 'node:child_process';
import { chmodSync, globSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Left out of `npm test`, run by `npm run test:all`: the first three build the real kt-connect
 * tree (minutes of Go per run on a 2-core machine), from the upstream tarball or the module proxy;
 * the small fixture keeps the real compiler, upx and archives in `npm test` (build.test.ts and
 * others). The last bundles src/ again to compare it with dist/.
 */
const SLOW_FILES = [
  '__tests__/e2e/module-proxy-real.test.ts',
  '__tests__/e2e/real-upstream.test.ts',
  '__tests__/e2e/upstream-tree.test.ts',
  // a minute of ncc: the loop checks dist/'s stamp instead (dist.test.ts)
  '__tests__/unit/dist-bundle.test.ts',
];

/**
 * Temp files that Node, tsx, Go and git make for themselves and remove (or keep on purpose as a
 * cache): reported when left, never counted against a test.
 */
const TOOL_FILES = [/^node-compile-cache$/, /^tsx-\d+$/, /^go-build\d+$/, /^go-link-\d+$/, /^go-tool-dist-\d+$/, /^git-[\w.-]+$/];

const args = process.argv.slice(2);
const separator = args.indexOf('--');
const ours = separator === -1 ? args : args.slice(0, separator);
const nodeOptions = separator === -1 ? [] : args.slice(separator + 1);
const all = ours.includes('--all');
const named = ours.filter((arg) => arg !== '--all');
const files =
  named.length > 0 ? named : globSync('__tests__/**/*.test.ts', { cwd: root }).filter((file) => all || !SLOW_FILES.includes(file.split(path.sep).join('/')));
files.sort();
// Three `node --test` runs at once, each over its own files:
// - the end-to-end files, a process each, three at a time: they spawn the bundled action, Go and
//   git, and wait on them;
// - the unit and publish files, all in one process (--test-isolation=none): a process of their
//   own cost each of them more than its tests (Node, tsx, @actions/* and undici loaded again, GitHub's
//   OpenAPI description parsed again): 114 s of CPU against 54 s in one process;
// - BESIDE_FILES, a process each, one at a time: they mostly wait (on network limits, on nested
//   test runs) or run one long child, and a run in name order left them holding its end alone.
const BESIDE_FILES = ['__tests__/unit/linear.test.ts', '__tests__/unit/test-runner.test.ts', '__tests__/unit/network.test.ts'];
const slash = (file) => file.split(path.sep).join('/');
const isE2e = (file) => slash(file).includes('__tests__/e2e/');
const groups = [
  { files: files.filter((file) => isE2e(file)), isolated: true, concurrency: all ? 2 : 3 },
  { files: files.filter((file) => !isE2e(file) && !BESIDE_FILES.includes(slash(file))), isolated: false, concurrency: 1 },
  { files: files.filter((file) => BESIDE_FILES.includes(slash(file))), isolated: true, concurrency: 1 },
].filter((group) => group.files.length > 0);

// the run's limit (below), checked before anything starts
const limitText = process.env['KTCTL_TEST_RUN_LIMIT_SECONDS'] ?? String((all ? 75 : 40) * 60);
if (!/^[1-9]\d{0,5}$/.test(limitText)) {
  console.error(`KTCTL_TEST_RUN_LIMIT_SECONDS must be a whole number of seconds from 1 to 999999 (the run's limit; default 2400, 4500 with --all).`);
  process.exit(2);
}
const limitSeconds = Number(limitText);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ktctl-test-run-'));
// No test can hold the run past CI's limit: one still waiting after 15 minutes fails (the
// longest, a real kt-connect build, takes under 4 on a 2-core machine).
const limits = ['--test-timeout=900000'];
const children = groups.map((group) => {
  // the shared caches are for the end-to-end files; a run of unit tests does without them
  const setup = group.files.some(isE2e) ? ['--test-global-setup=__tests__/support/global-setup.mjs'] : [];
  // Three end-to-end files at a time in the loop: many of their tests wait on a network limit or a
  // stand-in server, and a third file fills those waits on two cores. CI's run (--all) keeps two,
  // for the most headroom on the tests that measure time.
  const mode = group.isolated ? [`--test-concurrency=${group.concurrency}`] : ['--test-isolation=none'];
  return spawn(process.execPath, ['--import', 'tsx', '--test', ...mode, ...limits, ...setup, ...nodeOptions, ...group.files], {
    cwd: root,
    stdio: 'inherit',
    // --all: matrices that sample in the loop run whole (__tests__/support/test-scope.ts)
    env: { ...process.env, TMPDIR: tmp, KTCTL_TEST_ALL: all ? '1' : '0' },
    // a process group of its own, so that the run limit below stops every test process
    detached: true,
  });
});
const stop = (signal) => {
  for (const child of children) {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  }
};
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(signal));
// No file can hold the run either: a file whose tests are done but which a timer or a socket keeps
// alive never exits, and node --test waits for it. The run is stopped at this limit, saying so,
// well before CI's 90 minutes. (node's --test-force-exit would end such a file, but it also
// drops the results of tests still being reported: seen losing 9 of 861 without a word.)
let overLimit = false;
const limitTimer = setTimeout(() => {
  overLimit = true;
  console.error(
    `\nThe test run passed its limit of ${limitSeconds} s and was stopped: a test file did not exit (a timer, server or process it left running?).`,
  );
  stop('SIGKILL');
}, limitSeconds * 1000);
const exitCodes = await Promise.all(
  children.map((child) => new Promise((resolve) => child.on('close', (exitCode, signal) => resolve(exitCode ?? (signal === null ? 1 : 128))))),
);
clearTimeout(limitTimer);
const exitCode = exitCodes.find((one) => one !== 0) ?? 0;
const code = overLimit ? 1 : exitCode;

const left = readdirSync(tmp).map((name) => ({ name, bytes: sizeOf(path.join(tmp, name)), tool: TOOL_FILES.some((pattern) => pattern.test(name)) }));
const byTests = left.filter((entry) => !entry.tool);
const byTools = left.filter((entry) => entry.tool);
if (byTools.length > 0) console.log(`\nTemp files of node, tsx, Go or git (not counted): ${byTools.map(describe).join(', ')}`);
if (byTests.length > 0) {
  console.error(`\nTests left ${byTests.length} temp folder(s) behind; every test must remove what it makes (t.after, after, removeTree):`);
  for (const entry of byTests) console.error(`  ${describe(entry)}`);
}
removeTree(tmp);
process.exitCode = code !== 0 ? code : byTests.length > 0 ? 1 : 0;

function describe(entry) {
  return `${entry.name} (${(entry.bytes / 1024 / 1024).toFixed(1)} MB)`;
}

/** Bytes below `file`, never following a link. */
function sizeOf(file) {
  const stats = lstatSync(file, { throwIfNoEntry: false });
  if (stats === undefined) return 0;
  if (!stats.isDirectory()) return stats.size;
  let bytes = 0;
  for (const entry of readdirSync(file)) bytes += sizeOf(path.join(file, entry));
  return bytes;
}

/** rm -rf that also takes Go's read-only module cache: its folders are made writable first. */
function removeTree(dir) {
  const stats = lstatSync(dir, { throwIfNoEntry: false });
  if (stats?.isDirectory()) {
    chmodSync(dir, 0o700);
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) removeTree(path.join(dir, entry.name));
  }
  rmSync(dir, { recursive: true, force: true });
}
