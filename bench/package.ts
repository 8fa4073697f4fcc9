// `node --import tsx bench/package.ts [--rounds N] [--before GIT-REF] FILE...`: the CPU
// and wall time of packaging alone. Zips each FILE (a built ktctl, say) as the entry
// `ktctl`, N rounds, with this tree's writer and, given --before, with src/archive as it
// was at GIT-REF, alternating which goes first. Both must give the same bytes. See
// bench/README.md.
import { ROOT } from './cwd.js';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeZip } from '../src/package/archive/index.js';
import { fixed, table, type Metric } from './stats.js';

type WriteZip = typeof writeZip;

interface Options {
  readonly rounds: number;
  readonly before: string | undefined;
  readonly files: readonly string[];
}

function parseOptions(args: readonly string[]): Options {
  let rounds = 5;
  let before: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--rounds') {
      rounds = Number(args[++i]);
      if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a whole number of at least 1');
    } else if (arg === '--before') {
      before = args[++i];
      if (before === undefined || before.startsWith('-')) throw new Error('--before takes a git commit or branch');
    } else if (arg.startsWith('-')) {
      throw new Error(`unknown option ${arg}`);
    } else {
      if (!statSync(arg).isFile()) throw new Error(`${arg} is not a file`);
      files.push(path.resolve(arg));
    }
  }
  if (files.length === 0) throw new Error('name the files to zip, e.g. the ktctl binaries of a build');
  return { rounds, before, files };
}

/** The archive writers as they were at `ref` (src/package/archive, or src/archive before the stage folders), copied into `dir` and loaded; its writeZip. */
async function writerAt(ref: string, dir: string): Promise<WriteZip> {
  const folder = ['src/package/archive', 'src/archive'].find((candidate) => {
    try {
      execFileSync('git', ['cat-file', '-e', `${ref}:${candidate}/index.ts`], { cwd: ROOT, stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  if (folder === undefined) throw new Error(`${ref} has no archive writers`);
  const names = execFileSync('git', ['ls-tree', '--name-only', `${ref}:${folder}`], { cwd: ROOT, encoding: 'utf8' })
    .trim()
    .split('\n');
  mkdirSync(dir, { recursive: true });
  for (const name of names) {
    writeFileSync(path.join(dir, name), execFileSync('git', ['show', `${ref}:${folder}/${name}`], { cwd: ROOT }));
  }
  const loaded = (await import(pathToFileURL(path.join(dir, 'index.ts')).href)) as { writeZip: WriteZip };
  return loaded.writeZip;
}

interface Sample {
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
  readonly sha256s: readonly string[];
}

/** Zips every file once; CPU is this process's, all threads (zlib runs on libuv's pool). */
async function measure(write: WriteZip, files: readonly string[], outDir: string): Promise<Sample> {
  const before = process.resourceUsage();
  const started = performance.now();
  const sha256s: string[] = [];
  for (const [index, file] of files.entries()) {
    const result = await write(path.join(outDir, `${index}.zip`), [{ name: 'ktctl', source: file, mode: 0o755 }], 1_669_654_032);
    sha256s.push(result.sha256);
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const after = process.resourceUsage();
  const cpuSeconds = (after.userCPUTime - before.userCPUTime + after.systemCPUTime - before.systemCPUTime) / 1e6;
  return { cpuSeconds, wallSeconds, sha256s };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'ktctl-bench-package-'));
  try {
    const variants: { name: string; write: WriteZip }[] = [{ name: 'this tree', write: writeZip }];
    if (options.before !== undefined)
      variants.unshift({ name: `before (${options.before})`, write: await writerAt(options.before, path.join(scratch, 'before')) });
    const megabytes = options.files.reduce((total, file) => total + statSync(file).size, 0) / 2 ** 20;
    process.stdout.write(`${options.files.length} file(s), ${megabytes.toFixed(1)} MiB in all, ${options.rounds} round(s)\n`);
    const samples = new Map(variants.map((variant) => [variant.name, [] as Sample[]]));
    for (let round = 1; round <= options.rounds; round++) {
      const order = round % 2 === 1 ? variants : [...variants].reverse();
      for (const variant of order) {
        const outDir = path.join(scratch, `round-${round}-${samples.get(variant.name)!.length}-${variants.indexOf(variant)}`);
        mkdirSync(outDir);
        const sample = await measure(variant.write, options.files, outDir);
        samples.get(variant.name)!.push(sample);
        process.stdout.write(`round ${round}, ${variant.name}: ${sample.cpuSeconds.toFixed(2)} s CPU, ${sample.wallSeconds.toFixed(2)} s wall\n`);
        rmSync(outDir, { recursive: true });
      }
    }
    const all = [...samples.values()].flat();
    const identical = all.every((sample) => sample.sha256s.join() === all[0]!.sha256s.join());
    if (!identical) throw new Error('the writers gave different archives for the same inputs');
    const metrics: Metric[] = variants.flatMap(({ name }) => [
      { name: `${name}: CPU (user + sys)`, values: samples.get(name)!.map((s) => s.cpuSeconds), format: fixed(2, ' s') },
      { name: `${name}: wall`, values: samples.get(name)!.map((s) => s.wallSeconds), format: fixed(2, ' s') },
    ]);
    process.stdout.write(`\n${table(metrics, false)}\n\nEvery archive byte-identical across rounds${variants.length > 1 ? ' and writers' : ''}.\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
