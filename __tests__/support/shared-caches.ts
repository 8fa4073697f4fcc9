// Caches the end-to-end files share, made once per test run and kept between runs: one Go build
// cache, and Go and upx unpacked once as @actions/tool-cache lays them out. Without them every
// e2e file starts cold (the standard library compiled again for eight targets, Go's archive
// verified and unpacked again by each runner), which is most of the suite's time.
//
// Only for tests that are not about downloading or about what the build cache holds: a test that
// counts downloads or scans GOCACHE for a secret keeps a private cache (createWorld's default).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { goEnvironment, goBuildArgs } from '../../src/build/compile.js';
import { BUILD_DEFAULTS } from '../../src/shared/defaults.js';
import { SUPPORTED_TARGETS, targetId } from '../../src/plan/targets.js';
import { toolCacheName } from '../../src/toolchain/tool-cache.js';
import { prepareDownloads, type DownloadFiles } from './downloads.js';
import { createFixtureRepo } from './fixture-repo.js';
import { removeTree } from './remove-tree.js';

/** Where the shared caches live: kept across runs (node_modules/.cache is gitignored). */
export const SHARED_ROOT = path.resolve(process.env['KTCTL_TEST_SHARED_CACHE'] ?? 'node_modules/.cache/ktctl-tests');
/** One Go build cache for every e2e file that opts in: go commands may share it at once. */
export const SHARED_GOCACHE = path.join(SHARED_ROOT, 'gocache');
/**
 * Written when the warm-up ends: the entries of SHARED_GOCACHE no newer than it are the warm-up's
 * (the fixture with its placeholder configs), the newer ones the tests' (which may hold a config
 * until the run that wrote it scrubs it).
 */
export const WARM_MARK = path.join(SHARED_ROOT, 'gocache-warmed');
const SEED = path.join(SHARED_ROOT, 'tools');
/** The tool cache's architecture folder on this (x64 Linux) test machine. */
const ARCH = 'x64';

export interface ToolSeed {
  readonly goVersion: string;
  /** The unpacked Go archive: what the action would put at `<tool cache>/<name>/<version>/x64`. */
  readonly goroot: string;
  readonly upxVersion: string;
  /** The unpacked upx archive's folder. */
  readonly upxDir: string;
}

/**
 * Unpacks the served Go and upx archives once into the seed. Test files run in parallel
 * processes: each unpacks into a folder of its own and renames it into place, so a reader sees a
 * whole tool or none; the `.complete` marker is written last, as tool-cache does.
 */
export function ensureToolSeed(files: DownloadFiles = prepareDownloads()): ToolSeed {
  const goroot = path.join(SEED, 'go', files.goVersion, ARCH);
  const upxDir = path.join(SEED, 'upx', files.upxVersion, ARCH);
  unpackOnce(goroot, files.goArchive, '-xzf', 'go');
  unpackOnce(upxDir, files.upxArchive, '-xJf', path.basename(files.upxArchive).replace(/\.tar\.xz$/, ''));
  mkdirSync(SHARED_GOCACHE, { recursive: true });
  return { goVersion: files.goVersion, goroot, upxVersion: files.upxVersion, upxDir };
}

function unpackOnce(into: string, archive: string, tarFlags: string, top: string): void {
  if (existsSync(`${into}.complete`)) return;
  mkdirSync(path.dirname(into), { recursive: true });
  const stage = path.join(SEED, `stage-${process.pid}`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage);
  try {
    execFileSync('tar', ['-C', stage, tarFlags, archive]);
    try {
      renameSync(path.join(stage, top), into);
    } catch (error) {
      // another test process won the race with the same bytes
      if (!existsSync(into)) throw error;
    }
    writeFileSync(`${into}.complete`, '');
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * Puts the seeded Go and upx into `toolCache` under the names the action looks for when it
 * downloads from `goBaseUrl` and `upxBaseUrl` (a mirror's tools are cached under a name of their
 * own), as links to the seed: the action finds them with tc.find and downloads nothing.
 */
export function seedToolCache(toolCache: string, seed: ToolSeed, urls: { readonly goBaseUrl: string; readonly upxBaseUrl: string }): void {
  const place = (name: string, version: string, from: string): void => {
    const dir = path.join(toolCache, name, version);
    mkdirSync(dir, { recursive: true });
    symlinkSync(from, path.join(dir, ARCH), 'dir');
    writeFileSync(path.join(dir, `${ARCH}.complete`), '');
  };
  place(toolCacheName('go', urls.goBaseUrl, BUILD_DEFAULTS['go-download-base-url']), seed.goVersion, seed.goroot);
  place(toolCacheName('upx', urls.upxBaseUrl, BUILD_DEFAULTS['upx-download-base-url']), seed.upxVersion, seed.upxDir);
}

/**
 * The targets the e2e files of the loop build the fixture for: one Windows, two Linux (a second
 * machine for the jobs of mode publish and for a binary of the wrong platform). Each costs the
 * warm-up, which every e2e file waits for, 12 to 15 s of CPU. The other five are built by
 * build.test.ts in test:all only, in a private copy of this cache.
 */
export const WARM_TARGETS = SUPPORTED_TARGETS.filter((target) => ['linux/amd64', 'linux/arm64', 'windows/amd64'].includes(targetId(target)));

/**
 * Builds the fixture kt-connect once for each of WARM_TARGETS into the shared Go build cache,
 * with the Go environment and flags of the action, so that the e2e files find the standard library
 * compiled for them (what a cold build spends most of its time on: about 13 s of CPU per target).
 * Two builds at a time, as on the 2-core machines the suite is sized for.
 */
export async function warmGoCache(seed: ToolSeed): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'ktctl-warm-'));
  try {
    const repo = createFixtureRepo(work);
    // the fixture's last commit breaks Windows builds on purpose; v0.3.7 is what the e2e files build
    execFileSync('git', ['checkout', '--quiet', 'v0.3.7'], { cwd: repo.dir });
    const go = path.join(seed.goroot, 'bin', 'go');
    const base = { ...process.env, GOCACHE: SHARED_GOCACHE, GOMODCACHE: path.join(work, 'gomodcache'), GOPATH: path.join(work, 'gopath'), GOPROXY: 'off' };
    const queue = [...WARM_TARGETS];
    const worker = async (): Promise<void> => {
      for (let target = queue.shift(); target !== undefined; target = queue.shift()) {
        const env = { ...goEnvironment(base, go), GOOS: target.os, GOARCH: target.arch };
        await promisify(execFile)(go, goBuildArgs('0.0.0', os.devNull), { cwd: repo.dir, env });
      }
    };
    await Promise.all([worker(), worker()]);
    writeFileSync(WARM_MARK, '');
  } finally {
    await removeTree(work);
  }
}
