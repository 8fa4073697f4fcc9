// The real kt-connect v0.3.7 (the source tarball in the shared upstream folder), built through
// the bundled action for linux/amd64 with upx: every check of the built binary passes, ktctl
// shows the embedded kt config, and the SBOM lists the modules of go.sum that are compiled in.
// Its modules come from the Go module proxy (GOPROXY from the environment); the module and build
// caches are kept across runs with the shared test caches (node_modules/.cache), keyed by go.sum.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startDownloadServer, toolInputs, type DownloadServer } from '../support/downloads.js';
import { KT_CONFIG, KUBECONFIG } from '../support/e2e-setup.js';
import { makeRunnerDirs, runAction, withoutMaskCommands, type ActionRun } from '../support/run-action.js';
import { spdxSchemaErrors, spdxViolations } from '../support/spdx.js';
import { createUpstreamRepo, keptGoEnvironment } from '../support/real-upstream.js';

/** The settings the kt config fixture embeds, as ktctl must show them. */
function expectedLines(): string[] {
  const lines: string[] = [];
  let group = '';
  for (const line of KT_CONFIG.split('\n')) {
    if (/^[a-z]+:\s*$/.test(line)) group = line.replace(':', '').trim();
    const match = /^\s+([a-z-]+):\s*(.+)$/.exec(line);
    if (match !== null) lines.push(`${group}.${match[1]} = ${match[2]}  (build-in)`);
  }
  return lines;
}

describe('the real kt-connect v0.3.7 for linux/amd64', { concurrency: false }, () => {
  let root: string;
  let server: DownloadServer;
  let run: ActionRun;
  let goSum: string;
  let commit: string;

  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'ktctl-real-'));
    const upstream = createUpstreamRepo(path.join(root, 'src'));
    commit = upstream.commit;
    goSum = upstream.goSum;
    server = await startDownloadServer();
    const dirs = makeRunnerDirs(root);
    run = await runAction({
      dirs,
      inputs: {
        publish: 'false',
        'kt-connect-repository': upstream.url,
        'kt-connect-version': 'v0.3.7',
        targets: 'linux/amd64',
        kubeconfig: KUBECONFIG,
        'kt-config': KT_CONFIG,
        // go.mod says 1.18; 1.19 builds it too (1.20 does not), and is the Go the test server has
        'go-version': server.files.goVersion,
        ...toolInputs(server),
      },
      env: keptGoEnvironment(goSum),
    });
  });
  after(async () => {
    await server?.close();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  test('the run passes every check of the built and the packed binary', () => {
    assert.equal(run.code, 0, withoutMaskCommands(run.stdout + run.stderr));
    assert.match(run.stdout, /linux\/amd64: build info checked \(linux\/amd64, go1\.19\.\d+, \d+ modules\), 2 configs embedded byte for byte\./);
    assert.match(run.stdout, new RegExp(`linux/amd64: ran ktctl --version and config show: ${expectedLines().length} settings embedded and shown by ktctl\\.`));
    assert.match(run.stdout, /linux\/amd64: packed by upx/);
    assert.match(run.stdout, /linux\/amd64: the packed binary runs \(ktctl --version\)\./);
  });

  test('the shipped (packed) ktctl prints its version and shows the embedded settings', () => {
    const assets = JSON.parse(run.outputs['assets'] ?? '[]') as Array<{ path: string }>;
    assert.equal(assets.length, 1);
    const out = path.join(root, 'unpacked');
    const home = path.join(root, 'home');
    mkdirSync(out);
    mkdirSync(home);
    execFileSync('unzip', ['-q', assets[0]!.path, '-d', out]);
    const ktctl = path.join(out, 'ktctl');
    assert.equal(execFileSync(ktctl, ['--version'], { encoding: 'utf8', env: { PATH: process.env['PATH'], HOME: home } }).trim(), 'ktctl version 0.3.7');
    const shown = execFileSync(ktctl, ['config', 'show'], { encoding: 'utf8', env: { PATH: process.env['PATH'], HOME: home } });
    const lines = new Set(shown.split('\n'));
    // the comparison stays inside: a failure names only how many lines were missing
    const missing = expectedLines().filter((line) => !lines.has(line)).length;
    assert.equal(missing, 0, `${missing} embedded settings not shown by the real ktctl`);
  });

  test('the SBOM validates against the SPDX 2.3 JSON schema and lists the modules of go.sum compiled in, Go, and the upstream tag and commit', () => {
    const file = run.outputs['sbom-file'] ?? '';
    assert.equal(path.basename(file), 'ktctl_0.3.7_sbom.spdx.json');
    const doc = JSON.parse(readFileSync(file, 'utf8')) as {
      packages: Array<{
        SPDXID: string;
        name: string;
        versionInfo?: string;
        sourceInfo?: string;
        comment?: string;
        checksums?: Array<{ checksumValue: string }>;
      }>;
      relationships: Array<{ spdxElementId: string; relationshipType: string; relatedSpdxElement: string }>;
    };
    assert.deepEqual(spdxSchemaErrors(doc), []);
    assert.deepEqual(spdxViolations(doc), []);
    const sums = new Set(
      goSum
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => line.split(' ').slice(0, 3).join(' ')),
    );
    const modules = doc.packages.filter((p) => p.SPDXID.startsWith('SPDXRef-Module-'));
    assert.ok(modules.length >= 20, `only ${modules.length} modules listed`);
    for (const module of modules) {
      const h1 = /go\.sum hash (h1:[A-Za-z0-9+/]+=)/.exec(module.comment ?? '')?.[1];
      assert.ok(sums.has(`${module.name} ${module.versionInfo} ${h1}`), `${module.name} ${module.versionInfo} ${h1} is in go.sum`);
      assert.equal(module.checksums?.[0]?.checksumValue, Buffer.from(h1!.slice(3), 'base64').toString('hex'));
    }
    // go.mod replaces xjasonlyu/tun2socks with a fork: the fork is what is compiled in
    assert.match(modules.find((m) => m.name === 'github.com/linfan/tun2socks/v2')?.comment ?? '', /replaces github\.com\/xjasonlyu\/tun2socks\/v2 v2\.4\.1/);
    for (const known of ['github.com/spf13/cobra v1.4.0', 'github.com/rs/zerolog v1.26.1', 'k8s.io/client-go']) {
      assert.ok(
        modules.some((m) => `${m.name} ${m.versionInfo}`.startsWith(known)),
        `${known} is compiled in`,
      );
    }
    const binary = doc.packages.find((p) => p.name === 'ktctl linux/amd64');
    assert.ok(binary !== undefined);
    const dependsOn = doc.relationships.filter((r) => r.spdxElementId === binary.SPDXID && r.relationshipType === 'DEPENDS_ON');
    assert.equal(dependsOn.length, modules.length, 'one target: it depends on every module listed');
    const source = doc.packages.find((p) => p.SPDXID === 'SPDXRef-Package-kt-connect-source');
    assert.equal(source?.name, 'github.com/alibaba/kt-connect');
    assert.equal(source?.versionInfo, 'v0.3.7');
    assert.ok(source?.sourceInfo?.includes(commit));
    assert.equal(doc.packages.find((p) => p.SPDXID === 'SPDXRef-Package-go')?.versionInfo, `go${run.outputs['go-version']}`);
  });
});
