// The real kt-connect v0.3.7 as a git repository for end-to-end tests: from the source tarball of
// the project's shared test data when it is beside the repository, else the way the action gets
// it, the module zip from the Go module proxy with its hash pinned (module-proxy.ts). And Go caches
// for it kept across runs: its modules come from the proxy once, and later builds reuse the
// compiled packages.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { unpackModuleTree } from './module-proxy.js';
import { SHARED_ROOT } from './shared-caches.js';

/** The tarball when there is one: KTCTL_TEST_UPSTREAM_TARBALL, else shared/upstream beside the repository (or beside its worktrees' folder). */
export const UPSTREAM_TARBALL: string | undefined =
  process.env['KTCTL_TEST_UPSTREAM_TARBALL'] ||
  ['..', path.join('..', '..')].map((up) => path.resolve(up, 'shared', 'upstream', 'kt-connect-v0.3.7.tar.gz')).find((file) => existsSync(file));

/** git with upstream's commit date, so the tree's commit time is v0.3.7's. */
export function upstreamGit(dir: string, args: readonly string[]): string {
  const date = '2022-11-29T01:07:12+08:00';
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'upstream',
      GIT_AUTHOR_EMAIL: 'upstream@example.invalid',
      GIT_COMMITTER_NAME: 'upstream',
      GIT_COMMITTER_EMAIL: 'upstream@example.invalid',
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
    },
  });
}

export interface UpstreamRepo {
  readonly dir: string;
  readonly url: string;
  readonly commit: string;
  readonly goSum: string;
}

/** Unpacks the tarball, or the module zip from the proxy, into `dir` and makes it a repository with the tag v0.3.7. */
export function createUpstreamRepo(dir: string): UpstreamRepo {
  if (UPSTREAM_TARBALL !== undefined) {
    if (!existsSync(UPSTREAM_TARBALL)) throw new Error(`the upstream tarball is missing: ${UPSTREAM_TARBALL}`);
    mkdirSync(dir, { recursive: true });
    execFileSync('tar', ['-xzf', UPSTREAM_TARBALL, '-C', dir, '--strip-components=1']);
  } else {
    unpackModuleTree(dir);
  }
  upstreamGit(dir, ['init', '--quiet', '--initial-branch=master']);
  upstreamGit(dir, ['add', '-A']);
  upstreamGit(dir, ['commit', '--quiet', '-m', 'kt-connect v0.3.7']);
  upstreamGit(dir, ['tag', '-a', 'v0.3.7', '-m', 'v0.3.7']);
  return {
    dir,
    url: `file://${dir}`,
    commit: upstreamGit(dir, ['rev-parse', 'HEAD']).trim(),
    goSum: readFileSync(path.join(dir, 'go.sum'), 'utf8'),
  };
}

/**
 * Go's module and build caches for the real tree, kept with the test run's shared caches (not in
 * the temp folder, which must be empty after a run) and keyed by go.sum (as on a self-hosted
 * runner); the proxy is this environment's (the fixture tests turn it off).
 */
export function keptGoEnvironment(goSum: string): NodeJS.ProcessEnv {
  const key = createHash('sha256').update(goSum).digest('hex').slice(0, 16);
  const caches = path.join(SHARED_ROOT, `real-upstream-${key}`);
  mkdirSync(caches, { recursive: true });
  return {
    GOMODCACHE: path.join(caches, 'gomodcache'),
    GOCACHE: path.join(caches, 'gocache'),
    GOPATH: path.join(caches, 'gopath'),
    GOPROXY: process.env['GOPROXY'] || undefined,
    GOSUMDB: process.env['GOSUMDB'] || undefined,
  };
}
