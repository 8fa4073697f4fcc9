// The shared vocabulary of the pipeline. Every stage takes and returns these shapes,
// so a stage can be read, tested and replaced without knowing how its neighbours work.
// It is one file of about 300 lines on purpose: the vocabulary is read as a whole, and splitting
// it by stage would bring back the imports between stages it exists to remove.

export type GoOs = 'linux' | 'darwin' | 'windows';
export type GoArch = 'amd64' | '386' | 'arm64';

/** One GOOS/GOARCH pair to cross-compile. */
export interface Target {
  readonly os: GoOs;
  readonly arch: GoArch;
}

export type ArchiveFormat = 'zip' | 'tar.gz';
export type ArchiveFormatChoice = ArchiveFormat | 'auto';

/** A config file that ktctl embeds. `undefined` keeps upstream's placeholder (input value `upstream`). */
export interface EmbeddedConfigs {
  readonly kubeconfig: string | undefined;
  readonly ktConfig: string | undefined;
}

/** Where kt-connect comes from and which of its tags to build. */
export interface UpstreamRequest {
  /** A git URL that `git clone` accepts. */
  readonly url: string;
  /** `latest`, or an exact tag such as `v0.3.7`. */
  readonly version: string;
  /** `kt-connect-source` as decided (auto resolved): the module proxy, or git. Absent: git. */
  readonly source?: 'go-proxy' | 'git';
  /** `kt-connect-commit`: the commit the tag must resolve to. */
  readonly commit?: string;
  /** `go-proxy`: the GOPROXY list for the module; absent: the runner's. */
  readonly goProxy?: string;
  /** `go-sumdb`: the GOSUMDB for the module (`off` turns the check off on purpose); absent: the runner's. */
  readonly goSumdb?: string;
}

/** kt-connect as fetched from a Go module proxy, checked by the go command. */
export interface ModuleSource {
  readonly kind: 'go-proxy';
  /** `github.com/alibaba/kt-connect` */
  readonly module: string;
  readonly version: string;
  /** The module zip's `h1:` hash, as the checksum database records it. */
  readonly hash: string;
  readonly goModHash: string;
  /** The database the go command checked it against (`sum.golang.org`), or `off`. */
  readonly checksumDatabase: string;
  /** false only with go-sumdb: off. */
  readonly verified: boolean;
  /** The `go` line of its checked go.mod: which Go fetches it again in the build stage. */
  readonly goDirective?: string;
}

/** The upstream tag a run resolved to. */
export interface UpstreamRelease {
  readonly tag: string;
  readonly commit: string;
  /** Set when kt-connect came from a module proxy: its hash, for the records and the fingerprint. */
  readonly source?: ModuleSource;
}

export interface GoRequest {
  /** Empty: take it from kt-connect's go.mod. Otherwise `1.19`, `1.19.8`. */
  readonly version: string;
  readonly downloadBaseUrl: string;
  readonly sha256: string | undefined;
}

export interface UpxRequest {
  readonly enabled: boolean;
  /** The operating systems to pack (input `upx: linux`); undefined: every one where upx works. */
  readonly oses?: readonly GoOs[] | undefined;
  readonly version: string;
  readonly args: readonly string[];
  readonly downloadBaseUrl: string;
  readonly sha256: string | undefined;
}

export interface WintunRequest {
  readonly url: string;
  readonly sha256: string;
}

/** A patch file from the calling repository (input `patches`), applied to the checkout before the build. */
export interface PatchFile {
  /** Its path in the workspace, with forward slashes: what the summary and release notes show. */
  readonly name: string;
  /** Absolute. */
  readonly path: string;
  readonly sha256: string;
}

/** Everything the build half needs, validated. */
export interface BuildInputs {
  readonly configs: EmbeddedConfigs;
  readonly upstream: UpstreamRequest;
  /** Empty: the upstream tag without its leading `v`. */
  readonly version: string;
  readonly go: GoRequest;
  readonly upx: UpxRequest;
  readonly wintun: WintunRequest;
  readonly targets: readonly Target[];
  readonly archiveFormat: ArchiveFormatChoice;
  readonly assetNameTemplate: string;
  /** Absolute. */
  readonly outputDir: string;
  readonly strict: boolean;
  /** How many go build / upx processes may run at once. */
  readonly maxParallel: number;
  /** Keep Go's caches with @actions/cache; undefined: only on GitHub-hosted runners. */
  readonly cache: boolean | undefined;
  /** `image-registry`: where every image ktctl starts comes from (`registry.example.com/kt`); undefined: upstream's. */
  readonly imageRegistry?: string | undefined;
  /** `patches` as given: workspace-relative paths or globs, in order. */
  readonly patchPatterns?: readonly string[];
  /** The files those patterns name, in order, once resolvePatches has read the workspace. */
  readonly patches?: readonly PatchFile[];
  /** `min-credential-days`: an embedded credential that expires sooner is a warning. */
  readonly minCredentialDays?: number;
  /** Both configs as read once by their validation (config-checks.ts checkConfigs); absent until then, and in `mode: publish`, which reads neither. */
  readonly configSummary?: ConfigSummary;
}

/** The kubeconfig as release notes and job summaries may show it: names only (release-notes.ts says why these may be shown). */
export interface KubeconfigSummary {
  /** false: upstream's placeholder is embedded (input `upstream`). */
  readonly embedded: boolean;
  /** The current context's name. */
  readonly context?: string;
  /** The current context's namespace, when it names one. */
  readonly namespace?: string;
  /** The day (UTC, `2027-01-31`) the current context's credential expires; absent: no date in it. */
  readonly credentialsExpire?: string;
}

/**
 * What the stages need of the two configs, read once while the inputs are validated, so that no
 * stage parses a config again. No credential is in it: the kubeconfig's tokens and keys never
 * leave validation, only its current context's names and its credential's expiry do. The kt
 * config's values are here for the check that ktctl shows them (verify/) and the images list;
 * of the settings only their names are ever printed.
 */
export interface ConfigSummary {
  /** The names the notes show; no `credentialsExpire` here: see below. */
  readonly kube: KubeconfigSummary;
  /** When the current context's credential stops working; undefined: no date in it, or no kubeconfig embedded. */
  readonly credentialsExpire: Date | undefined;
  /** The kt config's settings, `group.key` → the text ktctl decodes (yaml.v3 into strings); empty without a kt config. Never printed. */
  readonly ktSettings: ReadonlyMap<string, string>;
  /** Both `global.image` and `mesh.router-image` are set, so the version need not match an image tag. */
  readonly overridesImages: boolean;
}

/** What will be built for one target, decided before anything runs. */
export interface TargetPlan {
  readonly target: Target;
  /** `ktctl` or `ktctl.exe`. */
  readonly binaryName: string;
  /** Why upx is skipped for this target, or undefined when it runs. */
  readonly upxSkipReason: string | undefined;
  /** The wintun.dll directory (`amd64`, `x86`, `arm64`) for Windows, else undefined. */
  readonly wintunArch: string | undefined;
  readonly archiveFormat: ArchiveFormat;
  /** File name of the archive, with its extension. */
  readonly archiveName: string;
}

export interface BuildPlan {
  readonly version: string;
  readonly upstream: UpstreamRelease;
  readonly targets: readonly TargetPlan[];
  readonly checksumsName: string;
}

/** One archive on disk, as reported in the `assets` output. */
export interface Asset {
  readonly name: string;
  readonly path: string;
  readonly os: GoOs;
  readonly arch: GoArch;
  readonly size: number;
  readonly sha256: string;
}

export interface BuildResult {
  readonly version: string;
  readonly upstream: UpstreamRelease;
  readonly goVersion: string;
  readonly assets: readonly Asset[];
  readonly checksumsFile: string;
  /** The SPDX SBOM beside the checksums file (sbom.ts); absent where no build ran in this job. */
  readonly sbomFile?: string;
  /** What the SBOM was written from; a matrix build job's manifest carries it to the publish job. */
  readonly sbom?: SbomParts;
  /** The images ktctl starts and where they must be mirrored; undefined when the source's image constants are not upstream's. */
  readonly images?: readonly MirrorImage[];
  /** images.txt in the output folder, when the images are known. */
  readonly imagesFile?: string;
  /** The patches applied, in order. */
  readonly patches?: readonly PatchFile[];
}

// ---- what the build records: the Go build info, the SBOM's parts, the images, the build manifest ----

/** A module line of the build info: `mod`, `dep`, or the `=>` replacement after one. */
export interface GoModule {
  readonly path: string;
  readonly version: string;
  /** `h1:` hash from go.sum; absent for the main module and for local replacements. */
  readonly sum: string | undefined;
  readonly replacedBy?: GoModule;
}

export interface GoBuildInfo {
  /** `go1.19.8` */
  readonly goVersion: string;
  /** The main package, `github.com/alibaba/kt-connect/cmd/ktctl`. */
  readonly path: string | undefined;
  readonly main: GoModule | undefined;
  /** The modules compiled in, in the order Go lists them. */
  readonly deps: readonly GoModule[];
  /** `build` lines: `-ldflags`, `CGO_ENABLED`, `GOOS`, `GOARCH`, `vcs.revision`... */
  readonly settings: ReadonlyMap<string, string>;
}

export interface SbomTarget {
  readonly target: Target;
  readonly archiveName: string;
  readonly archiveSha256: string;
  /** The modules compiled in, from the binary's Go build info. */
  readonly buildInfo: Pick<GoBuildInfo, 'deps'>;
  /**
   * The Go that compiled this one when it is not the document's: an archive another job put on the
   * release earlier, kept in the SBOM merged under the release's lock (sbom-merge.ts).
   */
  readonly goVersion?: string;
}

/**
 * What the SBOM says that only a build job knows: in its BuildResult and, in a matrix, in its
 * manifest, from which the publish job writes one document for every job's targets.
 */
export interface SbomParts {
  /** The module go.mod declares. */
  readonly module: string;
  /** The kt-connect repository as publicRepositoryUrl shows it; '' for a local path. */
  readonly upstreamUrl: string;
  readonly targets: readonly SbomTarget[];
}

/** One image to copy into the cluster's registry: the `images` output and a line of images.txt. */
export interface MirrorImage {
  /** Upstream's image name: kt-connect-shadow, kt-connect-router or kt-connect-navigator. */
  readonly name: string;
  /** The image as upstream publishes it, with its tag. */
  readonly source: string;
  /** The name ktctl pulls it by: where it must be in the registry. */
  readonly target: string;
}

/** The manifest a `mode: build` job writes beside its archives (publish/manifest.ts checks one read back). */
export interface BuildManifest {
  readonly generator: 'ktctl-customize';
  readonly schema: 1;
  readonly version: string;
  readonly upstream: UpstreamRelease;
  readonly goVersion: string;
  readonly fingerprint: string;
  readonly checksumsName: string;
  readonly assets: ReadonlyArray<Pick<Asset, 'name' | 'os' | 'arch' | 'size' | 'sha256'>>;
  /** The job's part of the release's SBOM (sbom.ts SbomParts; each archive's hash is in `assets`). Absent from older versions' manifests. */
  readonly sbom?: ManifestSbom;
  /** The images ktctl starts and their names in the registry (images.ts); absent when the source's image names are not upstream's. */
  readonly images?: readonly MirrorImage[];
}

export interface ManifestSbom {
  readonly module: string;
  /** publicRepositoryUrl of the kt-connect repository, '' for a local path: never credentials. */
  readonly upstreamUrl: string;
  /** One per archive: the Go modules compiled into its binary. */
  readonly targets: ReadonlyArray<{ readonly archiveName: string; readonly deps: readonly GoModule[] }>;
}

/** One archive to put on the release. */
export interface ReleaseFile {
  readonly name: string;
  /** Absolute path; streamed, never read whole. */
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  /** The fingerprint of the build that made it (computeFingerprint). */
  readonly fingerprint: string;
  /** The kt-connect module's `h1:` hash, when it came from a module proxy: recorded in build-info.json. */
  readonly source?: string;
}

/** Every build job's archives, gathered by the publish job. */
export interface CollectedBuild {
  readonly version: string;
  readonly upstream: UpstreamRelease;
  readonly goVersion: string;
  readonly checksumsName: string;
  /** Paths point into the download folder. */
  readonly assets: readonly Asset[];
  /** The archives with the fingerprint of the job that built each. */
  readonly files: readonly ReleaseFile[];
  /** The jobs' fingerprint when they agree, else a SHA-256 over the sorted distinct ones. */
  readonly fingerprint: string;
  /** Every job's part of the SBOM; undefined when a job's manifest had none (an older version of the action). */
  readonly sbom: SbomParts | undefined;
  /** The images list the jobs agree on; undefined when their source's image names are not upstream's. */
  readonly images: readonly MirrorImage[] | undefined;
}
