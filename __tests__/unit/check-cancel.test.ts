// The run of a built ktctl in the binary checks (verify/checks.ts) goes through process.ts like
// every other program, so a cancelled run stops it: a process runs the stop handler and a check
// of a "ktctl" that hangs, gets SIGTERM, and the hanging program must be gone with it. And the
// check's time limit still stops a binary that hangs, by the same runner.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { consoleLog } from '../../src/shared/log.js';
import type { TargetPlan } from '../../src/model.js';
import { runningCount } from '../../src/shared/process.js';
import { hostPlatform } from '../../src/toolchain/platform.js';
import { BinaryCheckError, binaryChecks } from '../../src/verify/checks.js';

const folder = mkdtempSync(path.join(os.tmpdir(), 'check-cancel-'));
after(() => rmSync(folder, { recursive: true, force: true }));

/** A "ktctl" that writes its process id to `pidFile` and then sleeps: a binary that hangs. */
function hangingKtctl(name: string, pidFile: string): string {
  const binary = path.join(folder, name);
  writeFileSync(binary, `#!/bin/sh\necho $$ > '${pidFile}'\nexec sleep 60\n`);
  chmodSync(binary, 0o755);
  return binary;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const src = (file: string): string => pathToFileURL(path.resolve('src', file)).href;
const host = hostPlatform();
const plan = (): TargetPlan => ({
  target: { os: host.os, arch: host.arch },
  binaryName: 'ktctl',
  upxSkipReason: undefined,
  wintunArch: undefined,
  archiveFormat: 'tar.gz',
  archiveName: 'ktctl.tar.gz',
});

test(
  'SIGTERM while a ktctl check runs stops that ktctl with the run',
  { skip: process.platform === 'win32' ? 'a POSIX shell script stands in for ktctl' : false },
  async () => {
    const pidFile = path.join(folder, 'cancelled.pid');
    const binary = hangingKtctl('ktctl-cancelled', pidFile);
    const script = path.join(folder, 'run-check.mts'); // .mts: an ES module wherever the folder is, as src/ is
    writeFileSync(
      script,
      `import { stopOnSignals } from '${src('shared/stop.ts')}';
import { runningCount } from '${src('shared/process.ts')}';
import { consoleLog } from '${src('shared/log.ts')}';
import { hostPlatform } from '${src('toolchain/platform.ts')}';
import { binaryChecks } from '${src('verify/checks.ts')}';
stopOnSignals();
const host = hostPlatform();
const checks = binaryChecks({
  go: 'go', goEnv: {}, goVersion: 'go1.19', version: '1.0.0', module: 'github.com/alibaba/kt-connect',
  embedded: [], ktSettings: new Map(), host, scratchDir: ${JSON.stringify(folder)}, log: consoleLog(), timeoutMs: 120_000,
});
const target = ${JSON.stringify(plan())};
checks.packed(target, ${JSON.stringify(binary)}).then(() => process.stdout.write('check ended\\n'), (error) => process.stdout.write('check failed: ' + String(error) + '\\n'));
const wait = setInterval(() => {
  if (runningCount() === 0) return;
  clearInterval(wait);
  process.stdout.write('running\\n');
}, 20);
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

    await until('the check to start ktctl', () => stdout.includes('running\n') && existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n'), 30_000);
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    assert.ok(alive(pid), 'the hanging ktctl runs');
    child.kill('SIGTERM');
    assert.equal(await exited, 143, stderr);
    assert.match(stderr, /Cancelled by SIGTERM; running programs were stopped/);
    assert.doesNotMatch(stdout, /check ended/);
    await until('the cancelled ktctl to be gone', () => !alive(pid), 5_000);
  },
);

test(
  'a ktctl that hangs past the time limit is stopped by the runner and named',
  { skip: process.platform === 'win32' ? 'a POSIX shell script stands in for ktctl' : false },
  async () => {
    const pidFile = path.join(folder, 'slow.pid');
    const binary = hangingKtctl('ktctl-slow', pidFile);
    const checks = binaryChecks({
      go: 'go',
      goEnv: {},
      goVersion: 'go1.19',
      version: '1.0.0',
      module: 'github.com/alibaba/kt-connect',
      embedded: [],
      ktSettings: new Map(),
      host,
      scratchDir: folder,
      log: consoleLog(() => undefined),
      timeoutMs: 1_000,
    });
    const checking = checks.packed(plan(), binary);
    await until('the check to start ktctl', () => runningCount() === 1 && existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n'));
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    await assert.rejects(checking, (error: unknown) => {
      assert.ok(error instanceof BinaryCheckError);
      assert.match(error.message, /after upx, the packed `ktctl --version` was stopped by SIGKILL/);
      return true;
    });
    assert.equal(runningCount(), 0);
    assert.equal(alive(pid), false);
  },
);
