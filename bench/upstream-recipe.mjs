// The upstream recipe, (a) of the benchmark: what kt-connect's release does by hand.
// Every target is built with `go build` in turn, then every packable binary is packed
// with `upx` in turn. Same flags and environment as the action; nothing in parallel.
// Runs as its own node process (with probe.cjs preloaded) so that its CPU is accounted
// exactly as the action's is. Plain JavaScript: no TypeScript loader in the measurement.
//
// Usage: node upstream-recipe.mjs PLAN.json, where the plan is written by upstream.ts.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));

/** CPU of the children reaped so far (cutime + cstime), in seconds. */
function childSeconds() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / plan.clockTicks;
}

const steps = [];
function step(what, command, args, env) {
  const cpuBefore = childSeconds();
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: plan.sourceDir, env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const wallSeconds = (performance.now() - started) / 1000;
  if (result.status !== 0) {
    process.stderr.write(`${what} failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}\n`);
    process.exit(1);
  }
  steps.push({ what, wallSeconds, cpuSeconds: childSeconds() - cpuBefore });
}

const binaries = [];
for (const target of plan.targets) {
  const binary = path.join(plan.outDir, `${target.os}_${target.arch}`, target.os === 'windows' ? 'ktctl.exe' : 'ktctl');
  mkdirSync(path.dirname(binary), { recursive: true });
  step(
    `go build ${target.os}/${target.arch}`,
    plan.go,
    ['build', '-trimpath', '-ldflags', `-s -w -X main.version=${plan.version}`, '-o', binary, './cmd/ktctl'],
    {
      ...plan.env,
      GOOS: target.os,
      GOARCH: target.arch,
    },
  );
  binaries.push({ target, binary });
}
for (const { target, binary } of binaries) {
  if (target.upx) step(`upx ${target.os}/${target.arch}`, plan.upx, [...plan.upxArgs, '-q', '--', binary], plan.env);
}
writeFileSync(plan.report, JSON.stringify({ steps, binaries: binaries.map((b) => ({ ...b.target, path: b.binary })) }));
