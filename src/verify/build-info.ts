// The Go build info of a built ktctl, as `go version -m` prints it, and how it must compare
// with what the run asked for. Pure: no file, no process.
import type { GoBuildInfo, GoModule, Target } from '../model.js';

// ---- the Go build info, as `go version -m` prints it ----

/**
 * Parses the output of `go version -m <file>` (Go 1.18 and newer): one pass over the lines.
 * The first line is `<file>: go1.19.8`; each other line is tab-separated.
 */
export function parseGoVersionM(output: string): GoBuildInfo {
  const lines = output.split(/\r?\n/);
  const first = lines[0] ?? '';
  const colon = first.lastIndexOf(': ');
  const goVersion = colon < 0 ? '' : first.slice(colon + 2).trim();
  let mainPath: string | undefined;
  let main: GoModule | undefined;
  const deps: GoModule[] = [];
  const settings = new Map<string, string>();
  for (const line of lines.slice(1)) {
    if (!line.startsWith('\t')) continue;
    const fields = line.slice(1).split('\t');
    const kind = fields[0];
    const module = (): GoModule => ({
      path: fields[1] ?? '',
      version: fields[2] ?? '',
      sum: fields[3] === undefined || fields[3] === '' ? undefined : fields[3],
    });
    if (kind === 'path') mainPath = fields[1];
    else if (kind === 'mod') main = module();
    else if (kind === 'dep') deps.push(module());
    else if (kind === '=>') {
      // the replacement of the module on the line before
      const last = deps.length > 0 ? deps.pop() : undefined;
      if (last !== undefined) deps.push({ ...last, replacedBy: module() });
      else if (main !== undefined) main = { ...main, replacedBy: module() };
    } else if (kind === 'build') {
      const setting = fields.slice(1).join('\t');
      const equals = setting.indexOf('=');
      if (equals > 0) settings.set(setting.slice(0, equals), unquoteGo(setting.slice(equals + 1)));
    }
  }
  return { goVersion, path: mainPath, main, deps, settings };
}

/**
 * debug/buildinfo writes a value that holds a space, tab, quote or newline with strconv.Quote.
 * Undoes that in one pass; a value that is not quoted is returned as it is.
 */
export function unquoteGo(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value;
  let out = '';
  const body = value.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = body[++i];
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };
    if (next !== undefined && simple[next] !== undefined) out += simple[next];
    else if (next === 'x' || next === 'u' || next === 'U') {
      const width = next === 'x' ? 2 : next === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + width);
      out += /^[0-9a-fA-F]+$/.test(hex) && hex.length === width ? String.fromCodePoint(parseInt(hex, 16)) : '';
      i += width;
    } else out += next ?? '';
  }
  return out;
}

/** `go1.19` and `1.19.0` name the same release; so do `go1.19.8` and `1.19.8`. */
export function sameGoVersion(a: string, b: string): boolean {
  const norm = (v: string): string =>
    v
      .trim()
      .replace(/^go/, '')
      .replace(/^(\d+\.\d+)\.0$/, '$1');
  return norm(a) !== '' && norm(a) === norm(b);
}

/** The `module` line of a go.mod. */
export function parseModulePath(goMod: string): string | undefined {
  const match = /^module\s+("?)([^\s"]+)\1\s*(?:\/\/.*)?$/m.exec(goMod);
  return match?.[2];
}

/** `-X main.version=0.3.7` among the linker flags (also as `-X=main.version=0.3.7`). */
export function setsVersion(ldflags: string, version: string): boolean {
  const words = ldflags.split(/\s+/).filter((word) => word !== '');
  const wanted = `main.version=${version}`;
  return words.some((word, index) => ((word === '-X' || word === '--X') && words[index + 1] === wanted) || word === `-X=${wanted}` || word === `--X=${wanted}`);
}

export interface BuildExpectation {
  readonly target: Target;
  readonly version: string;
  /** The module go.mod declares. */
  readonly module: string;
  /** The Go the run installed, `1.19.8`. */
  readonly goVersion: string;
}

/** What differs between the build info and what the run asked for; [] when nothing does. */
export function buildInfoMismatches(info: GoBuildInfo, expected: BuildExpectation): string[] {
  const problems: string[] = [];
  const setting = (key: string): string => info.settings.get(key) ?? '(not recorded)';
  if (info.goVersion === '') problems.push('it carries no Go build info (is it a Go binary?)');
  if (setting('GOOS') !== expected.target.os || setting('GOARCH') !== expected.target.arch) {
    problems.push(`it is built for ${setting('GOOS')}/${setting('GOARCH')}, not ${expected.target.os}/${expected.target.arch}`);
  }
  // Go leaves -ldflags out of the build info of a -trimpath build (golang/go#52372: linker flags
  // can hold paths), and the action builds with -trimpath; then the version is proven by the
  // version string in the binary and, for the runner's own target, by running it.
  const ldflags = info.settings.get('-ldflags');
  if (ldflags !== undefined ? !setsVersion(ldflags, expected.version) : info.settings.get('-trimpath') !== 'true') {
    problems.push(`its linker flags do not set -X main.version=${expected.version}`);
  }
  if (info.main?.path !== expected.module) {
    problems.push(`its main module is ${info.main?.path ?? '(none)'}, not ${expected.module} (go.mod)`);
  }
  if (!sameGoVersion(info.goVersion, expected.goVersion)) {
    problems.push(`it was built by ${info.goVersion || 'an unknown Go'}, not Go ${expected.goVersion}`);
  }
  if (setting('CGO_ENABLED') !== '0') problems.push(`CGO_ENABLED is ${setting('CGO_ENABLED')}, not 0`);
  return problems;
}
