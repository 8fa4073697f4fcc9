// A git repository shaped like kt-connect where it matters to the action: go.mod, the
// hack/ customization hook embedding both files, and cmd/ktctl with `var version`.
// The fixture's ktctl prints what it embeds so tests can check the built binary.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const FIXTURE_FILES: Record<string, string> = {
  'go.mod': 'module github.com/alibaba/kt-connect\n\ngo 1.19\n',
  'hack/customize.go': `package hack

import (
\t_ "embed"
)

//go:embed kube/config
var CustomizeKubeConfig string

//go:embed kt/config
var CustomizeKtConfig string
`,
  'hack/kube/config': 'PUT YOUR KUBE CONFIG CONTENT HERE',
  'hack/kt/config': 'PUT YOUR KT CONFIG CONTENT HERE',
  'cmd/ktctl/main.go': `package main

import (
\t"fmt"
\t"os"
\t"strings"

\t"github.com/alibaba/kt-connect/hack"
)

var (
\tversion = "dev"
)

// settings this ktctl does not read (comma-separated): a test makes a ktctl that ignores one
var ignoredSettings = ""

func main() {
\targ := ""
\tif len(os.Args) > 1 {
\t\targ = os.Args[1]
\t}
\tswitch arg {
\tcase "--version", "-v":
\t\tfmt.Printf("ktctl version %s\\n", version)
\tcase "dump-kubeconfig":
\t\tfmt.Print(hack.CustomizeKubeConfig)
\tcase "dump-ktconfig":
\t\tfmt.Print(hack.CustomizeKtConfig)
\tcase "config":
\t\t// as upstream's ktctl config show: embedded settings marked (build-in), when the text has a ':'
\t\tif len(os.Args) < 3 || os.Args[2] != "show" {
\t\t\tos.Exit(2)
\t\t}
\t\tif !strings.Contains(hack.CustomizeKtConfig, ":") {
\t\t\treturn
\t\t}
\t\tgroup := ""
\t\tfor _, line := range strings.Split(hack.CustomizeKtConfig, "\\n") {
\t\t\ttrimmed := strings.TrimSpace(line)
\t\t\tif trimmed == "" || strings.HasPrefix(trimmed, "#") {
\t\t\t\tcontinue
\t\t\t}
\t\t\tif trimmed == line && strings.HasSuffix(trimmed, ":") {
\t\t\t\tgroup = strings.TrimSuffix(trimmed, ":")
\t\t\t\tcontinue
\t\t\t}
\t\t\tparts := strings.SplitN(trimmed, ":", 2)
\t\t\tif len(parts) != 2 {
\t\t\t\tcontinue
\t\t\t}
\t\t\tname := group + "." + strings.TrimSpace(parts[0])
\t\t\tif name == "global.as-worker" || strings.Contains(","+ignoredSettings+",", ","+name+",") {
\t\t\t\tcontinue
\t\t\t}
\t\t\tvalue := parts[1]
\t\t\t// a YAML comment after a plain value is not part of it, as upstream's YAML decoder reads it
\t\t\tif at := strings.Index(value, " #"); at >= 0 {
\t\t\t\tvalue = value[:at]
\t\t\t}
\t\t\tfmt.Printf("%s = %s  (build-in)\\n", name, strings.Trim(strings.TrimSpace(value), "\\"'"))
\t\t}
\tcase "images":
\t\t// where upstream's ktctl pulls its shadow and router images from
\t\tfmt.Printf("kt-connect-shadow:v%s\\nkt-connect-router:v%s\\n", version, version)
\tdefault:
\t\tfmt.Println(strings.TrimSpace("ktctl fixture"))
\t}
}
`,
};

export interface FixtureRepo {
  readonly dir: string;
  readonly url: string;
  /** Commit of each tag. */
  readonly commits: Record<string, string>;
}

function git(dir: string, args: string[], date = '2022-11-29T10:00:00Z'): string {
  return execFileSync('git', args, {
    cwd: dir,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'fixture',
      GIT_AUTHOR_EMAIL: 'fixture@example.invalid',
      GIT_COMMITTER_NAME: 'fixture',
      GIT_COMMITTER_EMAIL: 'fixture@example.invalid',
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
    },
    encoding: 'utf8',
  }).trim();
}

/**
 * Tags: v0.3.6 and v0.3.7 (annotated, like upstream's releases), v0.3.8-beta1 (a prerelease
 * that `latest` must skip), and `broken` whose code does not compile for windows.
 */
export function createFixtureRepo(parent: string, extraFiles: Record<string, string> = {}): FixtureRepo {
  const dir = path.join(parent, 'kt-connect');
  mkdirSync(dir, { recursive: true });
  git(dir, ['init', '--quiet', '--initial-branch=master']);
  const write = (files: Record<string, string>): void => {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
  };
  const commits: Record<string, string> = {};
  write({ ...FIXTURE_FILES, ...extraFiles });
  git(dir, ['add', '-A']);
  git(dir, ['commit', '--quiet', '-m', 'v0.3.6'], '2022-10-01T10:00:00Z');
  git(dir, ['tag', '-a', 'v0.3.6', '-m', 'v0.3.6'], '2022-10-01T10:00:00Z');
  commits['v0.3.6'] = git(dir, ['rev-parse', 'HEAD']);
  write({ 'README.md': 'fixture\n' });
  git(dir, ['add', '-A']);
  git(dir, ['commit', '--quiet', '-m', 'v0.3.7']);
  git(dir, ['tag', '-a', 'v0.3.7', '-m', 'v0.3.7']);
  commits['v0.3.7'] = git(dir, ['rev-parse', 'HEAD']);
  write({ 'CHANGELOG.md': 'beta\n' });
  git(dir, ['add', '-A']);
  git(dir, ['commit', '--quiet', '-m', 'v0.3.8-beta1'], '2023-01-10T10:00:00Z');
  git(dir, ['tag', 'v0.3.8-beta1'], '2023-01-10T10:00:00Z');
  commits['v0.3.8-beta1'] = git(dir, ['rev-parse', 'HEAD']);
  write({ 'cmd/ktctl/broken_windows.go': 'package main\n\nfunc init() { undefinedOnWindows() }\n' });
  git(dir, ['add', '-A']);
  git(dir, ['commit', '--quiet', '-m', 'broken on windows'], '2023-02-01T10:00:00Z');
  git(dir, ['tag', 'broken'], '2023-02-01T10:00:00Z');
  commits['broken'] = git(dir, ['rev-parse', 'HEAD']);
  return { dir, url: `file://${dir}`, commits };
}
