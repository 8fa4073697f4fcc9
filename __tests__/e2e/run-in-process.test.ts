// run() in this process, with a typed fake of @actions/core (as actions/typescript-action tests
// its main): the fake hands over the inputs and records the outputs, failures, masked secrets
// and the job summary. Everything else is real: git, Go, the archives, the GitHub stand-in (its
// answers checked against GitHub's OpenAPI description), the artifact stand-in and the
// download server. The runs share one runner (one tool cache), as a self-hosted runner would:
// - mode all publishes a release; the same run again skips it, applying nothing but the outputs;
//   a rotated kubeconfig rebuilds into the same release, whose generated notes keep their text
//   but name the new build; it also uploads the workflow artifact;
// - mode publish publishes that artifact as a release of another repository;
// - a dry run reads the release and writes nothing; a bad input fails with one message that
//   names it, before anything is downloaded or written.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { ActionCore } from '../../src/shared/action-core.js';
import { run } from '../../src/main.js';
import { startArtifactServer, type ArtifactServer } from '../support/artifact-server.js';
import { sha256 } from '../support/downloads.js';
import { createWorld, KT_CONFIG, KUBECONFIG, type World } from '../support/e2e-setup.js';
import { GitHubServer } from '../support/github-server.js';
import type { RunnerDirs } from '../support/run-action.js';

const SHA = '1234567890abcdef1234567890abcdef12345678';
const ARCHIVE = 'ktctl_0.3.7_Linux_x86_64.zip';
const TOKEN = /token: (\S+)/.exec(KUBECONFIG)![1]!;

/** The fake @actions/core: inputs in, everything the run tells the runner recorded. */
class FakeCore implements ActionCore {
  readonly outputs: Record<string, string> = {};
  readonly failures: string[] = [];
  readonly secrets: string[] = [];
  readonly lines: string[] = [];
  readonly state: Record<string, string>;
  summary = '';

  constructor(
    private readonly inputs: Record<string, string>,
    state: Record<string, string> = {},
  ) {
    this.state = { ...state };
  }

  getInput(name: string, options?: { readonly trimWhitespace?: boolean }): string {
    const value = this.inputs[name] ?? '';
    return options?.trimWhitespace === false ? value : value.trim();
  }
  getState(name: string): string {
    return this.state[name] ?? '';
  }
  saveState(name: string, value: string): void {
    this.state[name] = value;
  }
  setSecret(secret: string): void {
    this.secrets.push(secret);
  }
  setOutput(name: string, value: string): void {
    this.outputs[name] = value;
  }
  setFailed(message: string): void {
    this.failures.push(message);
  }
  info(message: string): void {
    this.lines.push(message);
  }
  warning(message: string): void {
    this.lines.push(`warning: ${message}`);
  }
  group<T>(title: string, work: () => Promise<T>): Promise<T> {
    this.lines.push(`group: ${title}`);
    return work();
  }
  appendSummary(html: string): Promise<void> {
    this.summary += html;
    return Promise.resolve();
  }
}

/** Runs `work` with these variables set (undefined: unset), then puts process.env and the cwd back as they were. */
async function withEnv<T>(vars: NodeJS.ProcessEnv, work: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  const cwd = process.cwd();
  for (const [name, value] of Object.entries(vars)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  try {
    return await work();
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
    process.chdir(cwd);
  }
}

/** Every request that could change something on GitHub. */
function writes(github: GitHubServer): string[] {
  return github.requests.filter((request) => request.method !== 'GET' && request.method !== 'HEAD').map((request) => `${request.method} ${request.path}`);
}

describe('run() in process, with a fake @actions/core', { concurrency: false }, () => {
  let world: World;
  let github: GitHubServer;
  let artifacts: ArtifactServer;
  let dirs: RunnerDirs;

  before(async () => {
    // the run is the subject, not downloading: Go and upx are in the tool cache already
    world = await createWorld({ caches: 'shared' });
    github = await GitHubServer.start();
    artifacts = await startArtifactServer();
    dirs = world.newRunner();
  });
  after(async () => {
    await artifacts.close();
    await github.close();
    await world.close();
  });

  const runIn = async (repository: GitHubServer, inputs: Record<string, string>, runNumber: string): Promise<FakeCore> => {
    const fake = new FakeCore(inputs);
    await withEnv(
      {
        ...world.env,
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: dirs.workspace,
        RUNNER_TEMP: dirs.temp,
        RUNNER_TOOL_CACHE: dirs.toolCache,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: `${repository.owner}/${repository.repo}`,
        GITHUB_API_URL: repository.apiUrl,
        GITHUB_SHA: SHA,
        GITHUB_REF: 'refs/heads/main',
        GITHUB_RUN_NUMBER: runNumber,
        GITHUB_RUN_ATTEMPT: '1',
        ACTIONS_RESULTS_URL: artifacts.url,
        ACTIONS_RUNTIME_TOKEN: artifacts.token,
        // the fake is the runner here: nothing may go to a real runner's files
        GITHUB_OUTPUT: undefined,
        GITHUB_STATE: undefined,
        GITHUB_STEP_SUMMARY: undefined,
        TEST_DOWNLOAD_TOOL_RETRY_MIN_SECONDS: '0',
        TEST_DOWNLOAD_TOOL_RETRY_MAX_SECONDS: '0',
        // retry waits and GitHub's write pacing a millisecond a unit, as runAction sets it
        KTCTL_CUSTOMIZE_TEST_RETRY_UNIT_MS: '1',
      },
      () => run(fake),
    );
    return fake;
  };

  const buildInputs = (more: Record<string, string> = {}): Record<string, string> => ({
    ...world.inputs,
    publish: 'true',
    'github-token': 'write-token',
    'release-name': 'ktctl (prod cluster)',
    kubeconfig: KUBECONFIG,
    'kt-config': KT_CONFIG,
    targets: 'linux/amd64',
    upx: 'false',
    ...more,
  });
  const rotated = KUBECONFIG.replace(TOKEN, `${TOKEN}rotated`);
  let first: FakeCore;

  test('mode all: builds, publishes the release with generated notes, and says so in the outputs and the summary', async () => {
    first = await runIn(github, buildInputs(), '1');
    assert.deepEqual(first.failures, []);
    const [release, ...more] = github.releaseViews();
    assert.ok(release !== undefined && more.length === 0);
    assert.equal(release.tag, 'v0.3.7');
    assert.equal(release.name, 'ktctl (prod cluster)');
    assert.equal(release.draft, false);
    assert.match(release.body ?? '', /ktctl 0\.3\.7, built by ktctl-customize from kt-connect v0\.3\.7 \(commit `[0-9a-f]{40}`\)/);
    assert.match(release.body ?? '', /Build `1\.1`/);
    assert.match(release.body ?? '', /<!-- ktctl-customize-build \{.*"credentials":"[0-9a-f]{64}"/);
    assert.deepEqual(
      release.assets.map((asset) => asset.name).sort(),
      [ARCHIVE, 'build-info.json', 'install.ps1', 'install.sh', 'ktctl_0.3.7_checksums.txt', 'ktctl_0.3.7_sbom.spdx.json'].sort(),
    );

    const out = first.outputs;
    assert.equal(out['skipped'], 'false');
    assert.equal(out['release-tag'], 'v0.3.7');
    assert.equal(out['release-id'], String(release.id));
    assert.match(out['release-url'] ?? '', /\/releases\/tag\/v0\.3\.7$/);
    assert.equal(out['version'], '0.3.7');
    assert.equal(out['upstream-tag'], 'v0.3.7');
    assert.match(out['fingerprint'] ?? '', /^[0-9a-f]{64}$/);
    assert.match(out['go-version'] ?? '', /^1\.\d+/);
    assert.ok(existsSync(out['checksums-file']!) && existsSync(out['sbom-file']!));
    assert.equal(out['source-hash'], '');
    const assets = JSON.parse(out['assets'] ?? '[]') as Array<{ name: string; url: string; path: string; sha256: string }>;
    assert.deepEqual(
      assets.map((asset) => asset.name),
      [ARCHIVE],
    );
    assert.ok(assets[0]!.url.endsWith(`/releases/download/v0.3.7/${ARCHIVE}`), assets[0]!.url);
    assert.equal(sha256(assets[0]!.path), release.assets.find((asset) => asset.name === ARCHIVE)?.sha256);
    assert.ok(readFileSync(out['checksums-file']!, 'utf8').includes(`${assets[0]!.sha256}  ${ARCHIVE}`));

    // the summary: the table with the download link, then the notes as the release shows them
    assert.ok(first.summary.startsWith('<h2>ktctl 0.3.7</h2>\n'), first.summary);
    assert.ok(first.summary.includes(`<a href="${out['release-url']}">Release v0.3.7</a>`), first.summary);
    assert.ok(first.summary.includes('### Install in one line'), first.summary);
    // the credential was masked before anything ran, and is in no output, no summary, no release
    assert.ok(first.secrets.includes(TOKEN));
    for (const text of [JSON.stringify(first.outputs), first.summary, release.body ?? '']) assert.ok(!text.includes(TOKEN));
    // the post step has nothing left: the scratch folder and the build cache were cleaned up
    assert.equal(first.state['isPost'], 'true');
    assert.equal(first.state['workspace'], '');
    assert.equal(first.state['build-cache'], '');
    assert.deepEqual(github.violations, []);
  });

  test('the same run again: skips the build, uploads nothing, and reports the release it holds', async () => {
    const uploads = github.calls('repos/upload-release-asset').length;
    const again = await runIn(github, buildInputs(), '2');
    assert.deepEqual(again.failures, []);
    assert.equal(again.outputs['skipped'], 'true');
    assert.equal(again.outputs['fingerprint'], first.outputs['fingerprint']);
    assert.equal(again.outputs['release-id'], first.outputs['release-id']);
    assert.equal(again.outputs['release-url'], first.outputs['release-url']);
    assert.equal(github.calls('repos/upload-release-asset').length, uploads, 'the skipped run uploaded nothing');
    assert.equal(again.summary, '', 'nothing was built: no summary');
    assert.ok(again.lines.some((line) => line.startsWith('Release v0.3.7 already holds this exact build')));
  });

  test('a rotated kubeconfig: rebuilt into the same release, whose notes name the new build; the workflow artifact uploaded', async () => {
    const before = github.releaseViews()[0]!;
    const rebuilt = await runIn(github, buildInputs({ kubeconfig: rotated, 'upload-artifact': 'true' }), '3');
    assert.deepEqual(rebuilt.failures, []);
    assert.equal(rebuilt.outputs['skipped'], 'false');
    assert.notEqual(rebuilt.outputs['fingerprint'], first.outputs['fingerprint']);
    const [release, ...more] = github.releaseViews();
    assert.ok(release !== undefined && more.length === 0, 'one release');
    assert.equal(String(release.id), rebuilt.outputs['release-id']);
    // a release published to again keeps its body: only the build line is brought up to date
    assert.equal(
      release.body,
      (before.body ?? '').replace(/^Build `1\.1`.*$/m, (line) => `${line.replace('`1.1`', '`3.1`')} This build supersedes \`build 1.1\`.`),
    );
    assert.deepEqual(artifacts.names(), ['ktctl-archives-linux-amd64']);
    assert.deepEqual(github.violations, []);
  });

  test('mode publish: the build job’s artifact published as a release of another repository', async () => {
    const other = await GitHubServer.start();
    try {
      const published = await runIn(other, { mode: 'publish', publish: 'true', 'github-token': 'write-token', 'release-tag': 'ktctl-matrix' }, '4');
      assert.deepEqual(published.failures, []);
      const [release, ...more] = other.releaseViews();
      assert.ok(release !== undefined && more.length === 0);
      assert.equal(release.tag, 'ktctl-matrix');
      assert.ok(release.assets.some((asset) => asset.name === ARCHIVE));
      assert.ok(release.assets.some((asset) => asset.name === 'install.sh'));
      // the build job's configs are not known here, and the notes say so
      assert.ok((release.body ?? '').includes('- Kubeconfig: see the build jobs of this release.'), release.body ?? '');
      assert.equal(published.outputs['release-tag'], 'ktctl-matrix');
      assert.equal(published.outputs['skipped'], 'false');
      assert.equal(published.outputs['release-id'], String(release.id));
      assert.ok(published.summary.includes('Release ktctl-matrix'));
      // one checksums file for the build jobs' archives, written beside them; the release's also lists the SBOM and the installers
      const archive = release.assets.find((asset) => asset.name === ARCHIVE)!;
      assert.equal(readFileSync(published.outputs['checksums-file']!, 'utf8'), `${archive.sha256}  ${ARCHIVE}\n`);
      assert.ok(release.assets.find((asset) => asset.name === 'ktctl_0.3.7_checksums.txt')?.text.includes(`${archive.sha256}  ${ARCHIVE}\n`));
      assert.deepEqual(other.violations, []);
    } finally {
      await other.close();
    }
  });

  test('a dry run: reads the release, writes nothing, and shows the plan in the log and the summary', async () => {
    const written = writes(github);
    const dry = await runIn(github, buildInputs({ kubeconfig: rotated, 'dry-run': 'true' }), '5');
    assert.deepEqual(dry.failures, []);
    assert.deepEqual(writes(github), written, 'a dry run writes nothing on GitHub');
    assert.match(dry.outputs['fingerprint'] ?? '', /^[0-9a-f]{64}$/);
    assert.equal(dry.outputs['version'], '0.3.7');
    assert.match(dry.outputs['go-version'] ?? '', /^1\.\d+/);
    assert.equal(dry.outputs['release-id'], undefined);
    assert.ok(dry.summary.startsWith('<h2>Dry run: ktctl 0.3.7</h2>\n<pre><code>Dry run: nothing was built'), dry.summary);
    assert.ok(dry.summary.includes('Release v0.3.7 in'), dry.summary);
  });

  test('a bad input: one failure naming it, no output, nothing written', async () => {
    const requests = github.requests.length;
    const bad = await runIn(github, buildInputs({ targets: 'plan9/amd64' }), '6');
    assert.equal(bad.failures.length, 1);
    assert.match(bad.failures[0]!, /^Input 'targets': /);
    assert.deepEqual(bad.outputs, {});
    assert.equal(bad.summary, '');
    assert.equal(github.requests.length, requests, 'no GitHub call');
  });
});
