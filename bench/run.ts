// `npm run bench [-- --rounds N] [--upstream TARBALL] [--max-parallel N]`: the upstream
// recipe (a) against this action (b) on the default eight targets of a realistic
// kt-connect-shaped module, or of the real kt-connect built from its source tarball.
// See bench/README.md.
import { ROOT } from './cwd.js'; // first: the helpers below resolve paths against the working directory
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KT_CONFIG, KUBECONFIG } from '../__tests__/support/e2e-setup.js';
import { DIST } from '../__tests__/support/run-action.js';
import { embedsKubeconfig, runActionMeasured, type ActionMeasurement } from './action.js';
import { describeMachine } from './machine.js';
import { childSeconds, ownSeconds, waitForQuiet } from './measure.js';
import { prepare, type BenchSource } from './setup.js';
import { fixed, percent, table, type Metric } from './stats.js';
import { TARGETS } from './targets.js';
import { runUpstream, type Configs, type UpstreamRun } from './upstream.js';

const RESULTS = path.join(ROOT, 'bench', 'results.md');
const LOGS = path.join(os.tmpdir(), 'ktctl-bench-logs');

interface Options {
  readonly rounds: number;
  readonly source: BenchSource;
  /** The action's max-parallel input; undefined: its default (the CPU count). */
  readonly maxParallel: number | undefined;
  /** The command line, as the results quote it. */
  readonly command: string;
}

/** A whole number of at least 1, from an option's value. */
function count(option: string, value: string | undefined): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new Error(`${option} takes a whole number of at least 1`);
  return number;
}

function parseOptions(args: readonly string[]): Options {
  let rounds = 3;
  let tarball = process.env['KTCTL_BENCH_UPSTREAM'] || undefined;
  let maxParallel: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const option = args[i];
    if (option === '--rounds') rounds = count(option, args[++i]);
    else if (option === '--max-parallel') maxParallel = count(option, args[++i]);
    else if (option === '--upstream') tarball = args[++i];
    else throw new Error(`unknown option ${option}; see bench/README.md`);
  }
  if (tarball !== undefined && !(existsSync(tarball) && statSync(tarball).isFile())) {
    throw new Error(`--upstream (or KTCTL_BENCH_UPSTREAM) must name the kt-connect v0.3.7 source tarball; ${JSON.stringify(tarball)} is not a file`);
  }
  const source: BenchSource = tarball === undefined ? { kind: 'fixture' } : { kind: 'upstream', tarball: path.resolve(tarball) };
  const command = [
    'npm run bench --',
    `--rounds ${rounds}`,
    ...(source.kind === 'upstream' ? ['--upstream kt-connect-v0.3.7.tar.gz'] : []),
    ...(maxParallel === undefined ? [] : [`--max-parallel ${maxParallel}`]),
  ].join(' ');
  return { rounds, source, maxParallel, command };
}

/**
 * Writes `text` into results.md between the markers of `section`, leaving the rest of
 * the file (other sections, notes written by hand) as it is; appends the section if new.
 */
function writeSection(file: string, section: string, text: string): void {
  const start = `<!-- bench:${section} -->`;
  const end = `<!-- /bench:${section} -->`;
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const from = old.indexOf(start);
  const to = old.indexOf(end);
  const block = `${start}\n${text.trimEnd()}\n${end}`;
  writeFileSync(file, from !== -1 && to > from ? old.slice(0, from) + block + old.slice(to + end.length) : `${old}${old === '' ? '' : '\n'}${block}\n`);
}

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const s = (seconds: number): string => `${seconds.toFixed(1)}s`;
/** A run during which others used more than this share of the machine is reported as disturbed. */
const DISTURBED = 0.03;

/** The "credential rotation" case: same cluster, a new token, so hack/ must be rebuilt. */
function rotated(kubeconfig: string, round: number): string {
  const token = 'fixture-token-0123456789abcdef';
  if (!kubeconfig.includes(token)) throw new Error('the test kubeconfig has no token to rotate');
  return kubeconfig.replace(token, `rotated-token-${round}-${Date.now().toString(16)}`);
}

interface Round {
  readonly a: UpstreamRun;
  readonly cold: ActionMeasurement;
  readonly warm: ActionMeasurement;
  readonly identical: boolean;
}

/** Share of the machine's capacity that others used during a run. */
const foreignShare = (run: { foreignSeconds: number; wallSeconds: number }, cores: number): number => run.foreignSeconds / cores / run.wallSeconds;

function describeAction(name: string, run: ActionMeasurement, cores: number): string {
  const p = run.probe;
  return (
    `${name}: ${s(run.wallSeconds)} wall, node itself ${s(ownSeconds(p))} CPU, children ${s(childSeconds(p))} CPU, ` +
    `go/upx running ${s(run.toolSeconds)}, peak RSS ${(p.maxRssKiB / 1024).toFixed(0)} MiB, others' load ${(foreignShare(run, cores) * 100).toFixed(1)}%`
  );
}

/** Before each measured run: let someone else's burst of work pass, within limits. */
async function quiet(cores: number): Promise<void> {
  const waited = await waitForQuiet(cores);
  if (waited > 3) say(`  (waited ${s(waited)} for the machine to be quiet)`);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const { rounds, source } = options;
  const benchStarted = performance.now();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'ktctl-bench-'));
  mkdirSync(LOGS, { recursive: true });
  say(`Setting up in ${scratch} (not timed): download server, tool cache, module cache, ${source.kind} repository`);
  const setup = await prepare(scratch, source);
  const actionInputs: Record<string, string> = options.maxParallel === undefined ? {} : { 'max-parallel': String(options.maxParallel) };
  const machine = describeMachine(setup.tools);
  const cores = machine.cores;
  for (const line of machine.lines) say(line);
  const distHash = sha256(DIST).slice(0, 16);
  say(`dist/index.js sha256 ${distHash}…, ${TARGETS.length} targets, ${rounds} round(s)`);

  const results: Round[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const dir = path.join(scratch, `round-${round}`);
      mkdirSync(dir);
      const configs: Configs = { kubeconfig: KUBECONFIG, ktConfig: KT_CONFIG };
      const rotation: Configs = { kubeconfig: rotated(KUBECONFIG, round), ktConfig: KT_CONFIG };
      let a: UpstreamRun | undefined;
      let cold: ActionMeasurement | undefined;
      let warm: ActionMeasurement | undefined;
      const upstream = async (): Promise<void> => {
        say(`round ${round}: (a) upstream recipe, cold GOCACHE…`);
        await quiet(cores);
        a = await runUpstream(setup, path.join(dir, 'a'), path.join(dir, 'a-gocache'), configs);
        const builds = a.steps.filter((step) => step.what.startsWith('go build'));
        const packs = a.steps.filter((step) => step.what.startsWith('upx'));
        const sum = (steps: typeof builds, key: 'wallSeconds' | 'cpuSeconds'): number => steps.reduce((total, step) => total + step[key], 0);
        say(
          `  (a): ${s(a.wallSeconds)} wall, children ${s(childSeconds(a.probe))} CPU; ${builds.length} go builds ${s(sum(builds, 'wallSeconds'))} wall ` +
            `${s(sum(builds, 'cpuSeconds'))} CPU, ${packs.length} upx ${s(sum(packs, 'wallSeconds'))} wall, others' load ${(foreignShare(a, cores) * 100).toFixed(1)}%`,
        );
      };
      const action = async (): Promise<void> => {
        say(`round ${round}: (b) action, cold GOCACHE…`);
        const gocache = path.join(dir, 'b-gocache');
        await quiet(cores);
        cold = await runActionMeasured(setup, dir, gocache, configs, actionInputs);
        say(`  ${describeAction('(b) cold', cold, cores)}`);
        writeFileSync(path.join(LOGS, `round-${round}-cold.log`), cold.run.stdout + cold.run.stderr);
        say(`round ${round}: (b) action again, warm caches, rotated kubeconfig…`);
        await quiet(cores);
        warm = await runActionMeasured(setup, dir, gocache, rotation, actionInputs);
        say(`  ${describeAction('(b) warm', warm, cores)}`);
        writeFileSync(path.join(LOGS, `round-${round}-warm.log`), warm.run.stdout + warm.run.stderr);
      };
      // alternate which goes first, so that drift (page cache, thermal, neighbours) spreads over both
      for (const step of round % 2 === 1 ? [upstream, action] : [action, upstream]) await step();
      if (a === undefined || cold === undefined || warm === undefined) throw new Error('a run is missing');

      // the runs must have built what they claim: same embedded config, and the rotated one after the warm run
      const embeds = (binary: string, kubeconfig: string): boolean => embedsKubeconfig(binary, kubeconfig, source.kind, setup.tools.upx);
      if (!embeds(a.linuxAmd64, configs.kubeconfig)) throw new Error('(a) built ktctl without the kubeconfig');
      if (!embeds(cold.linuxAmd64, configs.kubeconfig)) throw new Error('(b) built ktctl without the kubeconfig');
      if (!embeds(warm.linuxAmd64, rotation.kubeconfig)) throw new Error('the warm run did not embed the rotated kubeconfig');
      const identical = sha256(a.linuxAmd64) === sha256(cold.linuxAmd64);
      say(`  linux/amd64 ktctl of (a) and (b) ${identical ? 'byte-identical' : 'DIFFER'}; warm run embeds the rotated kubeconfig`);
      results.push({ a, cold, warm, identical });
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await setup.server.close();
    rmSync(scratch, { recursive: true, force: true });
  }

  const per = (f: (round: Round) => number): number[] => results.map(f);
  const disturbance = (r: Round): number => Math.max(foreignShare(r.a, cores), foreignShare(r.cold, cores), foreignShare(r.warm, cores));
  const MB = (kib: number): number => (kib * 1024) / 1e6;
  const targets: Metric[] = [
    {
      name: 'wall ratio b/a, cold',
      values: per((r) => r.cold.wallSeconds / r.a.wallSeconds),
      format: fixed(3),
      target: { text: '≤ 0.70', pass: (m) => m <= 0.7 },
    },
    {
      name: "action overhead: node's own CPU / wall, cold",
      values: per((r) => ownSeconds(r.cold.probe) / r.cold.wallSeconds),
      format: percent,
      target: { text: '≤ 5%', pass: (m) => m <= 0.05 },
    },
    {
      name: `efficiency: children CPU / (${cores} cores × wall), cold`,
      values: per((r) => childSeconds(r.cold.probe) / cores / r.cold.wallSeconds),
      format: fixed(3),
      target: { text: '≥ 0.85', pass: (m) => m >= 0.85 },
    },
    {
      name: "peak RSS of the action's node process (cold and warm)",
      values: per((r) => MB(Math.max(r.cold.probe.maxRssKiB, r.warm.probe.maxRssKiB))),
      format: fixed(0, ' MB'),
      target: { text: '≤ 150 MB', pass: (m) => m <= 150 },
    },
    {
      name: 'warm / cold wall of (b) (kubeconfig rotated)',
      values: per((r) => r.warm.wallSeconds / r.cold.wallSeconds),
      format: (v) => `${v.toFixed(3)} (${(1 / v).toFixed(1)}× faster)`,
      target: { text: '≤ 0.333 (≥ 3× faster)', pass: (m) => m <= 1 / 3 },
    },
  ];
  const sumSteps = (r: Round, prefix: string, key: 'wallSeconds' | 'cpuSeconds'): number =>
    r.a.steps.filter((step) => step.what.startsWith(prefix)).reduce((total, step) => total + step[key], 0);
  const details: Metric[] = [
    { name: '(a) upstream recipe wall', values: per((r) => r.a.wallSeconds), format: fixed(1, ' s') },
    { name: '(b) action wall, cold', values: per((r) => r.cold.wallSeconds), format: fixed(1, ' s') },
    { name: '(b) action wall, warm', values: per((r) => r.warm.wallSeconds), format: fixed(1, ' s') },
    { name: '(a) go build: mean wall per target', values: per((r) => sumSteps(r, 'go build', 'wallSeconds') / TARGETS.length), format: fixed(1, ' s') },
    {
      name: '(a) go build: cores busy (CPU / wall) with one build at a time',
      values: per((r) => sumSteps(r, 'go build', 'cpuSeconds') / sumSteps(r, 'go build', 'wallSeconds')),
      format: fixed(2),
    },
    {
      name: '(a) upx -9: mean wall per binary',
      values: per((r) => sumSteps(r, 'upx', 'wallSeconds') / TARGETS.filter((t) => t.upx).length),
      format: fixed(1, ' s'),
    },
    { name: '(a) children CPU', values: per((r) => childSeconds(r.a.probe)), format: fixed(1, ' s') },
    { name: '(b) children CPU, cold', values: per((r) => childSeconds(r.cold.probe)), format: fixed(1, ' s') },
    {
      name: '(a) efficiency = best b/a reachable with (a)’s CPU work',
      values: per((r) => childSeconds(r.a.probe) / cores / r.a.wallSeconds),
      format: fixed(3),
    },
    { name: "(b) node's own CPU, cold", values: per((r) => ownSeconds(r.cold.probe)), format: fixed(1, ' s') },
    { name: '(b) cold: share of wall with no go/upx child running', values: per((r) => 1 - r.cold.toolSeconds / r.cold.wallSeconds), format: percent },
    { name: "(b) warm: node's own CPU / wall", values: per((r) => ownSeconds(r.warm.probe) / r.warm.wallSeconds), format: percent },
    { name: '(b) warm: share of wall with no go/upx child running', values: per((r) => 1 - r.warm.toolSeconds / r.warm.wallSeconds), format: percent },
    { name: '(b) warm: children CPU', values: per((r) => childSeconds(r.warm.probe)), format: fixed(1, ' s') },
    { name: "others' load on the machine, worst of (a), (b) cold, (b) warm", values: per(disturbance), format: percent },
  ];
  const disturbed = results.flatMap((r, i) => (disturbance(r) > DISTURBED ? [i + 1] : []));
  const totalMinutes = (performance.now() - benchStarted) / 60000;
  // other people rebuild dist/ while this runs: a result over two different actions says so
  const distHashAfter = sha256(DIST).slice(0, 16);
  const distLine =
    distHashAfter === distHash
      ? `- dist/index.js sha256 ${distHash}…`
      : `- dist/index.js CHANGED during the bench: sha256 ${distHash}… at the start, ${distHashAfter}… at the end; results mix two builds`;
  const identical = results.every((r) => r.identical);
  const text = [
    `## ktctl-customize benchmark${source.kind === 'upstream' ? ': the real kt-connect v0.3.7' : ''}`,
    '',
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`${options.command}\`: ${rounds} round(s), total ${totalMinutes.toFixed(1)} min.`,
    '',
    ...machine.lines.map((line) => `- ${line}`),
    distLine,
    `- source: ${source.kind === 'upstream' ? 'kt-connect v0.3.7 from its source tarball' : 'bench/fixture'}; the action's max-parallel: ${options.maxParallel ?? 'default (CPU count)'}`,
    `- targets: ${TARGETS.map((t) => `${t.os}/${t.arch}`).join(', ')}`,
    `- linux/amd64 ktctl of (a) and (b): ${identical ? 'byte-identical in every round' : 'NOT identical in some round'}`,
    disturbed.length === 0
      ? `- others' load: under ${DISTURBED * 100}% of the machine in every run`
      : `- **disturbed rounds: ${disturbed.join(', ')}** (others used over ${DISTURBED * 100}% of the machine during a run; see the last breakdown row)`,
    '',
    table(targets, true),
    '',
    'Breakdown (no targets: these explain the rows above):',
    '',
    table(details, false),
    '',
    'Medians, minimum and maximum over rounds; pass/fail is judged on the median. Definitions: bench/README.md.',
    '',
  ].join('\n');
  say('');
  say(text);
  writeSection(RESULTS, `${source.kind}${options.maxParallel === undefined ? '' : `-max-parallel-${options.maxParallel}`}`, text);
  say(`Written to ${path.relative(ROOT, RESULTS)}; action logs in ${LOGS}. Total bench time ${totalMinutes.toFixed(1)} min.`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
