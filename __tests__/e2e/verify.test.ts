// Each check of the built binary fails the run on a bad binary made by the real pipeline, before
// anything is packaged or published, naming the target and what differs, never a config value:
// - wrong platform: a Go whose `go` forces GOARCH=arm64 (a wrapper script in the tool cache);
// - missing version: a kt-connect whose cmd/ktctl has no `var version`, so -X sets nothing;
// - a setting ktctl does not take: a ktctl that ignores global.node-selector;
// - a packed binary that does not run: an "upx" (pinned by upx-sha256) that corrupts the file.
// And the fixture's good build passes them all, with the count of settings in the log.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sha256, startDownloadServer, type DownloadServer } from '../support/downloads.js';
import { createWorld, KT_CONFIG, KUBECONFIG, type World } from '../support/e2e-setup.js';
import { createFixtureRepo, FIXTURE_FILES } from '../support/fixture-repo.js';
import { runAction, withoutMaskCommands, type ActionRun } from '../support/run-action.js';
import { runnerWithWrappedGo } from '../support/wrapped-go.js';

const MAIN = FIXTURE_FILES['cmd/ktctl/main.go']!;
/** Values of the kt config fixture: none may appear in any log line or error. */
const VALUES = KT_CONFIG.split('\n').flatMap((line) => /^\s+[a-z-]+:\s*(.+)$/.exec(line)?.[1] ?? []);

/** An upx release archive whose `upx` overwrites the binary it is given with bytes that are no program. */
function corruptingUpxArchive(world: World): string {
  const dir = path.join(world.root, 'bad-upx');
  const folder = `upx-${world.server.files.upxVersion}-amd64_linux`;
  mkdirSync(path.join(dir, 'stage', folder), { recursive: true });
  writeFileSync(
    path.join(dir, 'stage', folder, 'upx'),
    `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "upx ${world.server.files.upxVersion}"; exit 0; fi\nfor last; do :; done\nprintf 'not a program\\n' > "$last"\n`,
  );
  chmodSync(path.join(dir, 'stage', folder, 'upx'), 0o755);
  const archive = path.join(dir, path.basename(world.server.files.upxArchive));
  execFileSync('tar', ['-C', path.join(dir, 'stage'), '-cJf', archive, folder]);
  return archive;
}

type Run = ActionRun & { readonly workspace: string };

function assertNoValues(run: ActionRun): void {
  const text = withoutMaskCommands(run.stdout + run.stderr);
  const shown = VALUES.filter((value) => text.includes(value)).length;
  assert.equal(shown, 0, `${shown} kt config values appear in the log`);
}

function assertNothingPackaged(run: Run): void {
  const dist = path.join(run.workspace, 'ktctl-dist');
  assert.ok(!existsSync(dist) || readdirSync(dist).length === 0, 'no archive, checksums file or SBOM was written');
  assert.equal(run.outputs['assets'], undefined);
}

describe('the checks of the built binary', { concurrency: false }, () => {
  let world: World;
  const servers: DownloadServer[] = [];
  const inputs = (extra: Record<string, string>): Record<string, string> => ({
    ...world.inputs,
    kubeconfig: KUBECONFIG,
    'kt-config': KT_CONFIG,
    targets: 'linux/amd64',
    upx: 'false',
    ...extra,
  });
  const runWith = async (extra: Record<string, string>, dirs = world.newRunner()): Promise<Run> => {
    return { ...(await runAction({ dirs, inputs: inputs(extra), env: world.env })), workspace: dirs.workspace };
  };

  before(async () => {
    world = await createWorld({ caches: 'shared' });
  });
  after(async () => {
    for (const server of servers) await server.close();
    await world.close();
  });

  test('a good build passes: build info, configs, version, and every setting shown by ktctl', async () => {
    const run = await runWith({ upx: 'true' });
    assert.equal(run.code, 0, withoutMaskCommands(run.stdout + run.stderr));
    assert.match(run.stdout, /linux\/amd64: build info checked \(linux\/amd64, go1\.19\.\d+, 0 modules\), 2 configs embedded byte for byte\./);
    assert.match(run.stdout, /linux\/amd64: ran ktctl --version and config show: 4 settings embedded and shown by ktctl\./);
    assert.match(run.stdout, /linux\/amd64: the packed binary runs/);
    assert.equal(run.outputs['sbom-file'], path.join(run.workspace, 'ktctl-dist', 'ktctl_0.3.7_sbom.spdx.json'));
    assert.ok(existsSync(run.outputs['sbom-file']!));
    assertNoValues(run);
  });

  test('wrong platform: a binary built for linux/arm64 fails the linux/amd64 target', async () => {
    const run = await runWith({}, runnerWithWrappedGo(world, { 'bin/go': '#!/bin/sh\nGOARCH=arm64 exec "$0.real" "$@"\n' }));
    assert.notEqual(run.code, 0);
    assert.match(run.stdout, /::error::.*The built ktctl for linux\/amd64 is not what this run asked for: it is built for linux\/arm64, not linux\/amd64/);
    assertNothingPackaged(run);
    assertNoValues(run);
  });

  test('missing version: a ktctl without `var version` in package main fails its --version check', async () => {
    const repo = createFixtureRepo(path.join(world.root, 'no-version'), { 'cmd/ktctl/main.go': MAIN.replace(/\bversion\b/g, 'release') });
    const run = await runWith({ 'kt-connect-repository': repo.url });
    assert.notEqual(run.code, 0);
    // -X of a variable that does not exist sets nothing: the version string is not in the binary, or not printed
    assert.match(run.stdout, /::error::.*linux\/amd64 .*(the version string 0\.3\.7 is not in it|`ktctl --version` does not print version 0\.3\.7)/);
    assertNothingPackaged(run);
    assertNoValues(run);
  });

  test('a kt config setting that the built ktctl does not take fails the run, naming the key only', async () => {
    const repo = createFixtureRepo(path.join(world.root, 'ignores-key'), {
      'cmd/ktctl/main.go': MAIN.replace('var ignoredSettings = ""', 'var ignoredSettings = "global.node-selector"'),
    });
    const run = await runWith({ 'kt-connect-repository': repo.url });
    assert.notEqual(run.code, 0);
    assert.match(run.stdout, /::error::.*linux\/amd64.*ktctl does not take the embedded kt config setting global\.node-selector /);
    assert.doesNotMatch(run.stdout, /global\.image|mesh\.router-image|global\.pod-quota/, 'only the setting that is missing is named');
    assertNothingPackaged(run);
    assertNoValues(run);
  });

  test('a packed binary that does not run fails the run before anything is packaged', async () => {
    const files = { ...world.server.files, upxArchive: corruptingUpxArchive(world) };
    const server = await startDownloadServer(files);
    servers.push(server);
    const run = await runWith({ upx: 'true', 'upx-download-base-url': server.upxBaseUrl, 'upx-sha256': sha256(files.upxArchive) });
    assert.notEqual(run.code, 0);
    assert.match(run.stdout, /linux\/amd64: build info checked/, 'the unpacked binary passed');
    assert.match(run.stdout, /::error::.*linux\/amd64 .*after upx, the packed `ktctl --version` (could not start|exited with code)/);
    assertNothingPackaged(run);
    assertNoValues(run);
  });
});
