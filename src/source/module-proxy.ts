// kt-connect from a Go module proxy: resolved and checked before anything is planned (the
// fingerprint holds its hash), fetched again into the scratch folder for the build.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { checkPinnedCommit, KT_CONNECT_MODULE, parseModuleInfo } from '../plan/index.js';
import { type Log, parseGoDirective } from '../shared/index.js';
import { installGo, type HostPlatform } from '../toolchain/index.js';
import type { BuildInputs, UpstreamRelease } from '../model.js';
import { readTreeFile, type Checkout } from './git.js';
import {
  checksumDatabaseFor,
  checksumSettings,
  downloadModule,
  FETCH_DIR_PREFIX,
  goProxyOf,
  moduleSource,
  readCheckedGoMod,
  resolveOnProxy,
  unpackModule,
} from './module-fetch.js';

export interface ModuleContext {
  readonly env: NodeJS.ProcessEnv;
  readonly host: HostPlatform;
  /** Parent of the short-lived folder the resolution fetches into (RUNNER_TEMP). */
  readonly tempDir: string;
  readonly log: Log;
}

/**
 * The version to build, fetched and checked once: Go is installed first (the version go.mod
 * asks for, read from the proxy), then `go mod download` fetches the module and the checksum
 * database vouches for it. The fetch is thrown away; the build stage fetches it again into its
 * scratch folder and must get the same hash.
 */
export async function resolveFromProxy(inputs: BuildInputs, context: ModuleContext): Promise<UpstreamRelease> {
  const request = inputs.upstream;
  const resolved = await resolveOnProxy(request, context.env);
  const go = await installGo(inputs.go, parseGoDirective(resolved.goMod), context.host, context.log);
  const dir = await mkdtemp(path.join(context.tempDir, FETCH_DIR_PREFIX));
  try {
    const database = checksumDatabaseFor(await checksumSettings(go.go, request, context.env, dir), request, context.log);
    const downloaded = await downloadModule(go.go, request, resolved.version, dir, context.env);
    const goMod = await readCheckedGoMod(downloaded);
    if (parseGoDirective(goMod) !== parseGoDirective(resolved.goMod)) {
      throw new Error(`Input 'go-proxy': ${resolved.proxy} served a go.mod for ${resolved.version} that is not the one the checksum database records.`);
    }
    const info = parseModuleInfo(await readFile(downloaded.infoFile, 'utf8'));
    const commit = info?.commit;
    if (commit === undefined) {
      throw new Error(
        `Input 'kt-connect-source': the module proxy's ${resolved.version}.info names no commit (Origin), which the SBOM and release notes record. ` +
          "Use a proxy that records it (the go command's own does), or kt-connect-source: git.",
      );
    }
    checkPinnedCommit(request, resolved.version, commit);
    const source = { ...moduleSource(resolved.version, downloaded, database), goDirective: parseGoDirective(goMod) };
    return { tag: resolved.version, commit, source };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Fetches the module again into `fetchDir`, checks it is the resolved one, and unpacks it into `dir` as a checkout. */
export async function checkoutModule(inputs: BuildInputs, release: UpstreamRelease, dir: string, fetchDir: string, context: ModuleContext): Promise<Checkout> {
  const source = release.source!;
  const go = await installGo(inputs.go, source.goDirective, context.host, context.log);
  const downloaded = await downloadModule(go.go, inputs.upstream, release.tag, fetchDir, context.env);
  if (downloaded.hash !== source.hash) {
    throw new Error(
      `Input 'kt-connect-source': ${KT_CONNECT_MODULE}@${release.tag} was ${source.hash} and is now ${downloaded.hash}: it changed while this run read it; run again.`,
    );
  }
  await unpackModule(downloaded.zip, release.tag, dir, goProxyOf(inputs.upstream, context.env) || 'the module proxy');
  const time = parseModuleInfo(await readFile(downloaded.infoFile, 'utf8'))?.time;
  const goMod = await readTreeFile(dir, 'go.mod', release.tag);
  if (goMod === undefined) throw new Error(`${KT_CONNECT_MODULE}@${release.tag} has no go.mod.`);
  const goSum = (await readTreeFile(dir, 'go.sum', release.tag)) ?? '';
  // the archives' timestamp: the version's commit time as the proxy records it
  return { dir, commitTime: time !== undefined && time > 0 && time < 2 ** 31 ? time : 0, goMod, goSum };
}
