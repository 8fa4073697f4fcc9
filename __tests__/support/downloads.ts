// Stands in for go.dev, upx's releases and wintun.net: real files, served from loopback.
// The Go archive is Debian's Go 1.19 repacked in go.dev's layout (`go/bin/go`), the upx
// archive Debian's upx in upx's layout. Both are built once and kept between test runs.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { testWintunDll } from './pe.js';

export const GO_ROOT_SOURCE = process.env['KTCTL_TEST_GOROOT'] ?? '/usr/lib/go-1.19';
/** A newer Go for fork tests: Debian's golang-1.22-go from bookworm-backports. */
export const GO_122_ROOT_SOURCE = process.env['KTCTL_TEST_GOROOT_122'] ?? '/usr/lib/go-1.22';
export const UPX_SOURCE = process.env['KTCTL_TEST_UPX'] ?? '/usr/bin/upx-ucl';
const CACHE = path.resolve('node_modules/.cache/ktctl-customize-tests');

export interface DownloadFiles {
  readonly goVersion: string;
  readonly goArchive: string;
  readonly upxVersion: string;
  readonly upxArchive: string;
  readonly wintunZip: string;
}

export function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function goVersionOf(goroot: string): string {
  const output = execFileSync(path.join(goroot, 'bin', 'go'), ['version'], { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } });
  const match = /go version go(\d+\.\d+(?:\.\d+)?) /.exec(output);
  if (match === null) throw new Error(`cannot read the Go version of ${goroot}: ${output}`);
  return match[1]!;
}

/**
 * Test files run in parallel processes that may both find a file missing: each writes its own
 * partial file and renames it into place, which is atomic, so either copy wins whole.
 */
// the parallel processes must build byte-identical files: each hashes its own copy
const FIXED_TIME = new Date('2022-02-01T00:00:00Z');

function partial(file: string): string {
  return `${file}.${process.pid}.partial`;
}

/** Builds (once) the three files the action downloads. */
export function prepareDownloads(): DownloadFiles {
  if (!existsSync(path.join(GO_ROOT_SOURCE, 'bin', 'go'))) {
    throw new Error(`No Go 1.19 at ${GO_ROOT_SOURCE}: install Debian's golang-1.19-go (.ci/run does), or set KTCTL_TEST_GOROOT.`);
  }
  if (!existsSync(UPX_SOURCE)) throw new Error(`No upx at ${UPX_SOURCE}: install Debian's upx-ucl from bookworm-backports (.ci/run does).`);
  mkdirSync(CACHE, { recursive: true });

  const { version: goVersion, archive: goArchive } = prepareGoArchive(GO_ROOT_SOURCE);

  const upxVersion = /upx (\d+\.\d+\.\d+)/.exec(execFileSync(UPX_SOURCE, ['--version'], { encoding: 'utf8' }))?.[1];
  if (upxVersion === undefined) throw new Error(`cannot read the version of ${UPX_SOURCE}`);
  const upxFolder = `upx-${upxVersion}-amd64_linux`;
  const upxArchive = path.join(CACHE, `${upxFolder}.tar.xz`);
  if (!existsSync(upxArchive)) {
    const stage = path.join(CACHE, `upx-stage-${process.pid}`);
    rmSync(stage, { recursive: true, force: true });
    mkdirSync(path.join(stage, upxFolder), { recursive: true });
    copyFileSync(realpathSync(UPX_SOURCE), path.join(stage, upxFolder, 'upx'));
    writeFileSync(path.join(stage, upxFolder, 'README'), 'upx\n');
    execFileSync('tar', [
      '-C',
      stage,
      '--sort=name',
      '--mtime=2024-05-09 00:00:00Z',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '-cJf',
      partial(upxArchive),
      upxFolder,
    ]);
    renameSync(partial(upxArchive), upxArchive);
    rmSync(stage, { recursive: true, force: true });
  }

  // wintun.net cannot be reached here: a zip in wintun's layout whose DLLs are PE DLLs for
  // their machine that say which one they are
  const wintunZip = path.join(CACHE, 'wintun-pe', 'wintun-0.14.1.zip');
  if (!existsSync(wintunZip)) {
    mkdirSync(path.dirname(wintunZip), { recursive: true });
    const stage = path.join(CACHE, `wintun-stage-${process.pid}`);
    rmSync(stage, { recursive: true, force: true });
    for (const arch of ['amd64', 'x86', 'arm', 'arm64'] as const) {
      mkdirSync(path.join(stage, 'wintun', 'bin', arch), { recursive: true });
      writeFileSync(path.join(stage, 'wintun', 'bin', arch, 'wintun.dll'), testWintunDll(arch));
    }
    mkdirSync(path.join(stage, 'wintun', 'include'), { recursive: true });
    writeFileSync(path.join(stage, 'wintun', 'include', 'wintun.h'), '/* header */\n');
    for (const entry of readdirSync(stage, { recursive: true })) utimesSync(path.join(stage, String(entry)), FIXED_TIME, FIXED_TIME);
    execFileSync('zip', ['-q', '-r', '-X', partial(wintunZip), 'wintun'], { cwd: stage });
    renameSync(partial(wintunZip), wintunZip);
    rmSync(stage, { recursive: true, force: true });
  }
  return { goVersion, goArchive, upxVersion, upxArchive, wintunZip };
}

export interface GoArchive {
  readonly version: string;
  readonly archive: string;
}

/**
 * What the served Go archive leaves out of a Go root: what `go build` with CGO_ENABLED=0 never
 * reads. The prebuilt standard library (go rebuilds what it needs into GOCACHE), the compiler's own
 * sources, tests, docs and the tools a build does not run (vet, pprof, trace, ...). Half the
 * bytes of the whole root, so every test that downloads, verifies and unpacks Go, or repacks its
 * archive, does half the work; the action's handling of the archive is the same.
 */
const GO_ARCHIVE_LEFT_OUT = [
  './pkg/linux_amd64',
  './pkg/linux_amd64_*',
  './test',
  './misc',
  './api',
  './doc',
  './src/cmd',
  'testdata',
  '*_test.go',
  ...['addr2line', 'api', 'cover', 'dist', 'doc', 'fix', 'nm', 'objdump', 'pprof', 'test2json', 'trace', 'vet'].map((tool) => `./pkg/tool/linux_amd64/${tool}`),
];
const GO_ARCHIVE_LAYOUT = 'go-build-only';

/** A Debian Go repacked as go.dev's archive (`go/bin/go`), built once and kept. */
export function prepareGoArchive(goroot: string): GoArchive {
  if (!existsSync(path.join(goroot, 'bin', 'go'))) {
    throw new Error(`No Go at ${goroot}: run scripts/setup-test-machine.sh (Debian's golang-1.19-go, and golang-1.22-go from bookworm-backports).`);
  }
  mkdirSync(CACHE, { recursive: true });
  const version = goVersionOf(goroot);
  // a folder per layout: a cache made with another list of files is not served for this one
  const archive = path.join(CACHE, GO_ARCHIVE_LAYOUT, `go${version}.linux-amd64.tar.gz`);
  if (!existsSync(archive)) {
    mkdirSync(path.dirname(archive), { recursive: true });
    execFileSync('tar', [
      '-C',
      goroot,
      '--dereference',
      '--transform',
      's,^\\.,go,',
      '--sort=name',
      // the fastest gzip: made once per clone and served over loopback, where a bigger file costs nothing
      '--use-compress-program=gzip -n -1',
      ...GO_ARCHIVE_LEFT_OUT.map((pattern) => `--exclude=${pattern}`),
      '-cf',
      partial(archive),
      '.',
    ]);
    renameSync(partial(archive), archive);
  }
  return { version, archive };
}

/** go.dev's name for a release: 1.19 and 1.20 drop a `.0`, 1.21 on keep it. */
function goReleaseName(version: string): string {
  const [, minor] = version.split('.').map(Number);
  return (minor ?? 0) < 21 && (version.split('.').length === 2 || version.endsWith('.0')) ? `go${version.replace(/\.0$/, '')}` : `go${version}`;
}

function goIndexEntry(go: GoArchive): object {
  const name = goReleaseName(go.version);
  return {
    version: name,
    stable: true,
    files: [
      {
        filename: path.basename(go.archive),
        os: 'linux',
        arch: 'amd64',
        version: name,
        sha256: sha256(go.archive),
        size: statSync(go.archive).size,
        kind: 'archive',
      },
      { filename: `${name}.src.tar.gz`, os: '', arch: '', version: name, sha256: '1'.repeat(64), size: 1, kind: 'source' },
    ],
  };
}

export interface DownloadServer {
  readonly baseUrl: string;
  readonly goBaseUrl: string;
  readonly upxBaseUrl: string;
  readonly wintunUrl: string;
  readonly files: DownloadFiles;
  /** Paths requested so far, in order. */
  readonly requests: string[];
  /** Serves `file` at `pathname` from now on; returns its URL. */
  serve(pathname: string, file: string): string;
  /** The next `count` requests for `path` get only the first half of the body, then a connection reset. */
  reset(pathname: string, count: number): void;
  /** The next `count` requests for `path` get a complete response whose body is only the first half of the file. */
  shorten(pathname: string, count: number): void;
  close(): Promise<void>;
}

/** The inputs that take Go and upx from `server` (and Go at the version it serves), as every e2e run gives them. */
export function toolInputs(server: DownloadServer): Record<string, string> {
  return {
    'go-download-base-url': server.goBaseUrl,
    'upx-download-base-url': server.upxBaseUrl,
    'upx-version': server.files.upxVersion,
    'upx-sha256': sha256(server.files.upxArchive),
  };
}

export async function startDownloadServer(
  files: DownloadFiles = prepareDownloads(),
  options: { goIndex?: boolean; moreGo?: readonly GoArchive[] } = {},
): Promise<DownloadServer> {
  const moreGo = options.moreGo ?? [];
  const routes = new Map<string, string>([
    ...moreGo.map((go): [string, string] => [`/go/${path.basename(go.archive)}`, go.archive]),
    [`/go/${path.basename(files.goArchive)}`, files.goArchive],
    [`/upx/v${files.upxVersion}/${path.basename(files.upxArchive)}`, files.upxArchive],
    [`/wintun/${path.basename(files.wintunZip)}`, files.wintunZip],
  ]);
  const index = JSON.stringify([
    // newer Go releases that go.mod's `go 1.19` or `go 1.22` must not pick
    {
      version: 'go1.23.0',
      stable: true,
      files: [{ filename: 'go1.23.0.linux-amd64.tar.gz', os: 'linux', arch: 'amd64', version: 'go1.23.0', sha256: '0'.repeat(64), size: 1, kind: 'archive' }],
    },
    ...moreGo.map(goIndexEntry),
    {
      version: 'go1.20.1',
      stable: true,
      files: [{ filename: 'go1.20.1.linux-amd64.tar.gz', os: 'linux', arch: 'amd64', version: 'go1.20.1', sha256: '0'.repeat(64), size: 1, kind: 'archive' }],
    },
    goIndexEntry({ version: files.goVersion, archive: files.goArchive }),
    { version: 'go1.19rc1', stable: false, files: [] },
  ]);
  const resets = new Map<string, number>();
  const shortenings = new Map<string, number>();
  const take = (faults: Map<string, number>, pathname: string): boolean => {
    const left = faults.get(pathname) ?? 0;
    if (left > 0) faults.set(pathname, left - 1);
    return left > 0;
  };
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    requests.push(url.pathname + url.search);
    if (url.pathname === '/go/' && url.searchParams.get('mode') === 'json' && options.goIndex !== false) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(index);
      return;
    }
    const file = routes.get(url.pathname);
    if (file === undefined) {
      response.writeHead(404).end('not found');
      return;
    }
    const size = statSync(file).size;
    if (take(resets, url.pathname)) {
      // a connection that dies mid-body after promising the whole file
      response.writeHead(200, { 'content-length': String(size) });
      response.write(readFileSync(file).subarray(0, Math.floor(size / 2)), () => response.socket?.destroy());
      return;
    }
    if (take(shortenings, url.pathname)) {
      // a proxy or mirror that hands over a cut file as if it were whole
      const half = readFileSync(file).subarray(0, Math.floor(size / 2));
      response.writeHead(200, { 'content-length': String(half.length) }).end(half);
      return;
    }
    response.writeHead(200, { 'content-length': String(size), 'content-type': 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    goBaseUrl: `${baseUrl}/go`,
    upxBaseUrl: `${baseUrl}/upx`,
    wintunUrl: `${baseUrl}/wintun/${path.basename(files.wintunZip)}`,
    files,
    requests,
    serve: (pathname, file) => {
      routes.set(pathname, file);
      return `${baseUrl}${pathname}`;
    },
    reset: (pathname, count) => void resets.set(pathname, count),
    shorten: (pathname, count) => void shortenings.set(pathname, count),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
