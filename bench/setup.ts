// What every measured run starts from, prepared once and not timed:
//  - the test download server (Go 1.19.8 repacked from /usr/lib/go-1.19, Debian's upx,
//    wintun) and the inputs that point the action at it. It serves private copies of the
//    files: the tests' cache under node_modules/ may be rebuilt (npm ci) while we run;
//  - a tool cache with Go and upx installed by the action itself (one untimed run on the
//    small test fixture), as on a hosted runner whose setup is cached; the upstream recipe
//    uses these very binaries;
//  - the benchmark's kt-connect repository: bench/fixture as tag v0.3.7, or, with
//    --upstream, the real kt-connect v0.3.7 source tarball as tag v0.3.7;
//  - a module cache filled from the Go module proxy. Both (a) and (b) read it with
//    GOPROXY=off: module downloads would measure the network, not the build.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './cwd.js';
import { prepareDownloads, sha256, startDownloadServer, type DownloadFiles, type DownloadServer } from '../__tests__/support/downloads.js';
import { createFixtureRepo, type FixtureRepo } from '../__tests__/support/fixture-repo.js';
import { makeRunnerDirs, runAction } from '../__tests__/support/run-action.js';

const FIXTURE = path.join(ROOT, 'bench', 'fixture');
/** Kept between bench runs (module files are read-only, and re-downloading proves nothing). */
const MODCACHE = path.join(os.tmpdir(), 'ktctl-bench-gomodcache');

export interface Tools {
  readonly go: string;
  readonly goroot: string;
  readonly goVersion: string;
  readonly upx: string;
  readonly upxVersion: string;
}

export interface Setup {
  readonly server: DownloadServer;
  /** Inputs that point every download at the local server and turn publishing off. */
  readonly inputs: Record<string, string>;
  readonly repo: FixtureRepo;
  readonly toolCache: string;
  readonly tools: Tools;
  readonly modcache: string;
}

/** What is built: the fixture, or the real kt-connect from its source tarball (`git archive` of v0.3.7). */
export type BenchSource = { readonly kind: 'fixture' } | { readonly kind: 'upstream'; readonly tarball: string };

/** bench/fixture as path → text, laid over the test fixture's files by createFixtureRepo. */
export function fixtureFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(FIXTURE, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    files[path.relative(FIXTURE, file)] = readFileSync(file, 'utf8');
  }
  return files;
}

function onlyEntry(dir: string): string {
  const entries = readdirSync(dir).filter((name) => !name.endsWith('.complete'));
  if (entries.length !== 1) throw new Error(`expected one entry in ${dir}, found: ${entries.join(', ')}`);
  return path.join(dir, entries[0]!);
}

/** The tool cache's folder of `tool`: named after the mirror it came from (`go-<host>-<hash>`), so found by its prefix. */
function toolFolder(toolCache: string, tool: string): string {
  const names = readdirSync(toolCache).filter((name) => name === tool || name.startsWith(`${tool}-`));
  if (names.length !== 1) throw new Error(`expected one ${tool} folder in ${toolCache}, found: ${names.join(', ')}`);
  return path.join(toolCache, names[0]!);
}

/** The download server over copies of the test downloads, and the inputs that use it. */
async function startServer(scratch: string): Promise<{ server: DownloadServer; inputs: Record<string, string> }> {
  const original = prepareDownloads();
  const dir = path.join(scratch, 'downloads');
  mkdirSync(dir);
  const copy = (file: string): string => {
    const target = path.join(dir, path.basename(file));
    copyFileSync(file, target);
    return target;
  };
  const files: DownloadFiles = { ...original, goArchive: copy(original.goArchive), upxArchive: copy(original.upxArchive), wintunZip: copy(original.wintunZip) };
  const server = await startDownloadServer(files);
  return {
    server,
    inputs: {
      publish: 'false',
      // empty configs fail; the bench's runs give their own, the tool cache warm-up embeds none
      kubeconfig: 'upstream',
      'kt-config': 'upstream',
      'go-download-base-url': server.goBaseUrl,
      'upx-download-base-url': server.upxBaseUrl,
      'upx-version': files.upxVersion,
      'upx-sha256': sha256(files.upxArchive),
      'wintun-url': server.wintunUrl,
      'wintun-sha256': sha256(files.wintunZip),
    },
  };
}

/** Installs Go and upx into `toolCache` the way the action does, by running it once on the small test fixture. */
async function fillToolCache(scratch: string, inputs: Record<string, string>, toolCache: string): Promise<Tools> {
  const parent = path.join(scratch, 'warm-up');
  mkdirSync(parent);
  const repo = createFixtureRepo(parent);
  const dirs = { ...makeRunnerDirs(parent), toolCache };
  const env = { GOCACHE: path.join(parent, 'gocache'), GOMODCACHE: path.join(parent, 'gomodcache'), GOPATH: path.join(parent, 'gopath'), GOPROXY: 'off' };
  const run = await runAction({ dirs, inputs: { ...inputs, 'kt-connect-repository': repo.url, targets: 'linux/amd64' }, env });
  if (run.code !== 0) throw new Error(`the tool cache warm-up run failed:\n${run.stdout}\n${run.stderr}`);
  const goVersionDir = onlyEntry(toolFolder(toolCache, 'go'));
  const goroot = path.join(goVersionDir, 'x64');
  const upxVersionDir = onlyEntry(toolFolder(toolCache, 'upx'));
  return {
    goroot,
    go: path.join(goroot, 'bin', 'go'),
    goVersion: path.basename(goVersionDir),
    upx: path.join(upxVersionDir, 'x64', 'upx'),
    upxVersion: path.basename(upxVersionDir),
  };
}

/** Downloads the tree's modules (network: the Go module proxy) unless already there. */
function fillModuleCache(tools: Tools, tree: string): void {
  mkdirSync(MODCACHE, { recursive: true });
  const env = {
    ...process.env,
    GOROOT: tools.goroot,
    GOTOOLCHAIN: 'local',
    GOFLAGS: '-mod=readonly',
    GOMODCACHE: MODCACHE,
    GOCACHE: path.join(os.tmpdir(), 'ktctl-bench-list-cache'),
  };
  execFileSync(tools.go, ['mod', 'download'], { cwd: tree, env, stdio: 'inherit' });
  // go.mod files of the whole pruned graph: `go build` reads them, and GOPROXY=off later
  execFileSync(tools.go, ['list', '-deps', './...'], { cwd: tree, env, stdio: 'ignore' });
}

/**
 * The source tarball unpacked and committed as tag v0.3.7 (annotated, at upstream's commit
 * time); the commit id differs from upstream's, which nothing here depends on.
 */
export function upstreamRepo(parent: string, tarball: string): FixtureRepo {
  const unpacked = path.join(parent, 'unpacked');
  mkdirSync(unpacked);
  execFileSync('tar', ['-xzf', tarball, '-C', unpacked, '--no-same-owner']);
  const dir = onlyEntry(unpacked);
  const date = '2022-11-29T01:07:12+08:00';
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'bench',
    GIT_AUTHOR_EMAIL: 'bench@example.invalid',
    GIT_COMMITTER_NAME: 'bench',
    GIT_COMMITTER_EMAIL: 'bench@example.invalid',
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date,
  };
  const git = (args: string[]): string => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8' }).trim();
  git(['init', '--quiet', '--initial-branch=master']);
  git(['add', '-A']);
  git(['commit', '--quiet', '-m', 'kt-connect v0.3.7']);
  git(['tag', '-a', 'v0.3.7', '-m', 'v0.3.7']);
  const commit = git(['rev-parse', 'HEAD']);
  return { dir, url: `file://${dir}`, commits: { 'v0.3.7': commit } };
}

export async function prepare(scratch: string, source: BenchSource): Promise<Setup> {
  const { server, inputs } = await startServer(scratch);
  const toolCache = path.join(scratch, 'tool-cache');
  mkdirSync(toolCache);
  const tools = await fillToolCache(scratch, inputs, toolCache);
  const repoParent = path.join(scratch, 'repo');
  mkdirSync(repoParent);
  const repo = source.kind === 'fixture' ? createFixtureRepo(repoParent, fixtureFiles()) : upstreamRepo(repoParent, source.tarball);
  if (!existsSync(path.join(repo.dir, 'go.sum'))) throw new Error('the benchmark repository has no go.sum');
  fillModuleCache(tools, source.kind === 'fixture' ? FIXTURE : repo.dir);
  // kt-connect's go.mod says go 1.18: the action gets the tool cache's Go, the one the recipe runs
  const goVersion: Record<string, string> = source.kind === 'upstream' ? { 'go-version': tools.goVersion } : {};
  return { server, inputs: { ...inputs, ...goVersion }, repo, toolCache, tools, modcache: MODCACHE };
}

/** Go's environment shared by (a) and (b): an isolated GOCACHE, the shared module cache, no network. */
export function goCacheEnv(setup: Setup, gocache: string, gopath: string): NodeJS.ProcessEnv {
  return { GOCACHE: gocache, GOMODCACHE: setup.modcache, GOPATH: gopath, GOPROXY: 'off' };
}
