// The installers' texts (src/installers): what is baked in, ShellCheck on install.sh, the awk JSON
// scanner on hostile JSON, and for install.ps1 the rules that only a Windows machine could run:
// user-scope PATH, no $env:Path written to the user scope, the checksum refusal. PowerShell is not
// packaged for Debian, so install.ps1 is parsed here only where `pwsh` is on PATH; the e2e
// workflow runs it on windows-latest.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { installerArchives, installerTexts, installPs1Text, installShText, JSON_SCANNER_AWK } from '../../src/package/installers/index.js';
import { checkInstallerInput, psQuote, shQuote, type InstallerInput } from '../../src/package/installers/model.js';
import { buildNumber } from '../../src/publish/build-number.js';
import { planBuild } from '../../src/plan/plan.js';
import { renderBuildInfo } from '../../src/shared/release-files.js';
import { SUPPORTED_TARGETS } from '../../src/plan/targets.js';

const UPSTREAM = { tag: 'v0.3.7', commit: 'f064f771aa7ba03a0e6bc92f712306e9bcd8a6f5' };
const PLAN_INPUTS = {
  version: '',
  targets: [{ os: 'linux', arch: 'amd64' }] as const,
  archiveFormat: 'auto' as const,
  assetNameTemplate: 'ktctl_{version}_{Os}_{Arch}',
  upxEnabled: true,
};
const PLAN = planBuild({ ...PLAN_INPUTS, targets: [...PLAN_INPUTS.targets] }, UPSTREAM);

const INPUT: InstallerInput = {
  repository: 'acme/ktctl-dist',
  serverUrl: 'https://github.com',
  apiUrl: 'https://api.github.com',
  tag: "ktctl-v0.3.7'$(id)",
  version: '0.3.7',
  checksumsName: 'ktctl_0.3.7_checksums.txt',
  archives: installerArchives({ ...PLAN_INPUTS, targets: [...PLAN_INPUTS.targets] }, PLAN),
  attested: false,
};

function withTemp<T>(work: (dir: string) => T): T {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ktctl-installers-'));
  try {
    return work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('every supported target gets the name the plan gives it, upstream words included', () => {
  assert.equal(INPUT.archives.length, SUPPORTED_TARGETS.length);
  const byTarget = new Map(INPUT.archives.map((archive) => [`${archive.os}/${archive.arch}`, archive.name]));
  assert.equal(byTarget.get('linux/amd64'), PLAN.targets[0]!.archiveName);
  assert.equal(byTarget.get('linux/arm64'), 'ktctl_0.3.7_Linux_arm_64.tar.gz');
  assert.equal(byTarget.get('darwin/arm64'), 'ktctl_0.3.7_MacOS_arm_64.tar.gz');
  assert.equal(byTarget.get('windows/386'), 'ktctl_0.3.7_Windows_i386.zip');
  const sh = installShText(INPUT);
  for (const archive of INPUT.archives.filter((item) => item.os !== 'windows'))
    assert.ok(sh.includes(`    ${archive.os}/${archive.arch}) echo '${archive.name}' ;;`));
  assert.ok(!sh.includes('Windows_x86_64'), 'install.sh knows no Windows archive');
  const ps1 = installPs1Text(INPUT);
  assert.ok(ps1.includes("  'AMD64' = 'ktctl_0.3.7_Windows_x86_64.zip'"));
  assert.ok(ps1.includes("  'ARM64' = 'ktctl_0.3.7_Windows_arm_64.zip'"));
  assert.ok(ps1.includes("  'X86' = 'ktctl_0.3.7_Windows_i386.zip'"));
  assert.ok(!ps1.includes('Linux_x86_64'));
});

test('install.sh: ShellCheck passes, and a hostile tag stays one quoted word', () => {
  const text = installShText(INPUT);
  assert.ok(text.includes(`\n  TAG='ktctl-v0.3.7'\\''$(id)'\n`));
  assert.ok(text.includes(`\n  TAG_PATH='ktctl-v0.3.7'\\''%24(id)'\n`));
  assert.ok(text.startsWith('#!/bin/sh\n'));
  assert.ok(text.trimEnd().endsWith('main "$@"'), 'one function called on the last line: `| sh` reads the whole script first');
  assert.ok(!/set -x|set -o xtrace/.test(text), 'no tracing that would print the token');
  assert.ok(
    !/--header "Authorization|-H "Authorization|Authorization: Bearer \$TOKEN"/.test(
      text.replace(/printf 'header = "Authorization: Bearer %s"\\n' "\$TOKEN" \| curl_plain/, ''),
    ),
    'the token goes to curl through stdin only',
  );
  withTemp((dir) => {
    const file = path.join(dir, 'install.sh');
    writeFileSync(file, text);
    const lint = spawnSync('shellcheck', ['--shell=sh', '--severity=style', file], { encoding: 'utf8' });
    assert.equal(lint.error, undefined, 'shellcheck is installed (scripts/setup-test-machine.sh)');
    assert.equal(lint.status, 0, lint.stdout);
    const parse = spawnSync('sh', ['-n', file], { encoding: 'utf8' });
    assert.equal(parse.status, 0, parse.stderr);
    const help = spawnSync('sh', [file, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /Installs ktctl 0\.3\.7 from release ktctl-v0\.3\.7'\$\(id\) of acme\/ktctl-dist/);
    const unknown = spawnSync('sh', [file, '--bogus'], { encoding: 'utf8' });
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /unknown option '--bogus'/);
  });
});

test('the awk JSON scanner finds uploaded assets by exact name and ignores look-alikes', () => {
  const release = JSON.stringify({
    id: 1,
    name: 'ktctl.tar.gz',
    body: '{"assets":[{"name":"ktctl.tar.gz","id":666,"state":"uploaded"}]} \\ " [',
    build: '43.1',
    assets: [
      {
        url: 'https://api/x/assets/5',
        id: 5,
        name: 'ktctl.tar.gz',
        label: 'a "quoted" {label}',
        state: 'uploaded',
        uploader: { id: 77, name: 'ktctl.tar.gz' },
      },
      { id: 6, name: 'ktctl.tar.gz.sig', state: 'uploaded' },
      { id: 7, name: 'open.zip', state: 'open' },
      { id: 8, name: 'x'.repeat(600), state: 'uploaded' },
    ],
  });
  withTemp((dir) => {
    const file = path.join(dir, 'release.json');
    writeFileSync(file, `${release.slice(0, 40)}\n  ${release.slice(40)}`); // a line break between tokens, as a pretty-printer may put
    const scan = (mode: string, want: string) =>
      spawnSync('awk', ['-v', `mode=${mode}`, '-v', `want=${want}`, JSON_SCANNER_AWK, file], { encoding: 'utf8', env: { LC_ALL: 'C' } });
    assert.deepEqual([scan('asset', 'ktctl.tar.gz').stdout, scan('asset', 'ktctl.tar.gz').status], ['5\n', 0]);
    assert.equal(scan('asset', 'ktctl.tar.gz.sig').stdout, '6\n');
    assert.equal(scan('asset', 'open.zip').status, 1, 'an upload that never finished is not an asset');
    assert.equal(scan('asset', 'ktctl').status, 1);
    assert.equal(scan('asset', 'x'.repeat(600)).status, 1, 'names longer than 512 characters are never matched');
    assert.equal(scan('top', 'build').stdout, '43.1\n');
    assert.equal(scan('top', 'id').stdout, '1\n');
    // one pass: a 2 MB body is scanned in well under the time a quadratic scan would take
    writeFileSync(file, JSON.stringify({ body: 'a'.repeat(2_000_000), assets: [{ id: 9, name: 'n', state: 'uploaded' }] }));
    const started = Date.now();
    assert.equal(scan('asset', 'n').stdout, '9\n');
    assert.ok(Date.now() - started < 20_000, `${Date.now() - started} ms`);
  });
});

test('install.ps1: user-scope PATH, never $env:Path into the user PATH, checksum refusal, no token on a command line', () => {
  const text = installPs1Text(INPUT);
  assert.ok(text.includes("[Environment]::GetEnvironmentVariable('Path', 'User')"));
  assert.ok(text.includes("[Environment]::SetEnvironmentVariable('Path', (($entries + $Dir) -join ';'), 'User')"));
  for (const line of text.split('\n').filter((item) => item.includes('SetEnvironmentVariable'))) {
    assert.ok(!/\$env:Path/i.test(line), line);
  }
  assert.ok(!/\$env:Path\s*=/i.test(text), 'the process PATH is never assigned');
  assert.ok(
    text.includes(
      "if ($Want -eq '') { Stop-Installer \"the release's checksums file has no line for $Archive`: refusing to install it (nothing was installed)\" }",
    ),
  );
  assert.ok(
    text.includes(
      'if ($Got -ne $Want) { Stop-Installer "$Archive has SHA-256 $Got, but the release\'s checksums file says $Want`: refusing to install it (nothing was installed)" }',
    ),
  );
  assert.ok(text.includes("$Files = @('ktctl.exe', 'wintun.dll')"), 'wintun.dll goes beside ktctl.exe');
  assert.ok(text.includes("Join-Path $env:LOCALAPPDATA 'Programs\\ktctl'"));
  assert.ok(text.includes('[System.IO.File]::Replace('), 'moved into place, not written in place');
  assert.ok(text.includes("$Tag = 'ktctl-v0.3.7''$(id)'"), 'the tag is one single-quoted PowerShell string');
  // the token is only ever put in a header table; native commands (gh) never get it
  assert.deepEqual(
    text.split('\n').filter((line) => line.includes('$Token') && /Invoke-Native|& /.test(line)),
    [],
  );
  assert.ok(!/Invoke-Expression|iex /.test(text.replace(/not through Invoke-Expression/, '')));
  assert.ok(
    !/\?\?|&&/.test(
      text
        .split('\n')
        .filter((line) => !line.trimStart().startsWith('#'))
        .join('\n'),
    ),
    'nothing PowerShell 5.1 cannot parse',
  );
});

test('install.ps1 parses in PowerShell when it is installed (it is not packaged for Debian)', (t) => {
  const pwsh = spawnSync('pwsh', ['-NoProfile', '-Command', '$PSVersionTable.PSVersion.ToString()'], { encoding: 'utf8' });
  if (pwsh.error !== undefined) {
    t.diagnostic('pwsh is not installed here: the e2e workflow parses and runs install.ps1 on windows-latest');
    assert.equal((pwsh.error as NodeJS.ErrnoException).code, 'ENOENT');
    return;
  }
  withTemp((dir) => {
    const file = path.join(dir, 'install.ps1');
    writeFileSync(file, installPs1Text(INPUT));
    const parsed = spawnSync(
      'pwsh',
      [
        '-NoProfile',
        '-Command',
        `$e = $null; [void][System.Management.Automation.Language.Parser]::ParseFile('${file}', [ref]$null, [ref]$e); if ($e.Count) { $e | Out-String; exit 1 }`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(parsed.status, 0, parsed.stdout);
  });
});

test('GitHub Enterprise Server: gh gets host/owner/name, the API URL is baked in', () => {
  const ghes = { ...INPUT, tag: 'v1', serverUrl: 'https://ghe.example.com', apiUrl: 'https://ghe.example.com/api/v3/' };
  const texts = installerTexts(ghes);
  assert.ok(texts.get('install.sh')!.includes("  GH_REPOSITORY='ghe.example.com/acme/ktctl-dist'"));
  assert.ok(texts.get('install.sh')!.includes("API_URL_BAKED='https://ghe.example.com/api/v3'"));
  assert.ok(texts.get('install.ps1')!.includes("$GhRepository = 'ghe.example.com/acme/ktctl-dist'"));
  assert.ok(installerTexts(INPUT).get('install.sh')!.includes("GH_REPOSITORY='acme/ktctl-dist'"));
});

test('values no installer may carry are refused', () => {
  assert.throws(() => checkInstallerInput({ ...INPUT, repository: 'acme/x;rm' }), /not an owner\/name/);
  assert.throws(
    () => checkInstallerInput({ ...INPUT, apiUrl: 'https://user:secret@ghe.example.com/api/v3' }),
    (error: Error) => !error.message.includes('secret'),
  );
  assert.throws(() => checkInstallerInput({ ...INPUT, apiUrl: 'file:///etc/passwd' }), /not an http\(s\) URL/);
  assert.throws(() => checkInstallerInput({ ...INPUT, tag: 'v1\nrm -rf ~' }), /cannot be baked/);
  assert.throws(
    () => checkInstallerInput({ ...INPUT, archives: [{ os: 'linux', arch: 'amd64', name: 'a b.zip' }] }),
    /characters the installers do not accept/,
  );
  assert.equal(shQuote("a'b"), `'a'\\''b'`);
  assert.equal(psQuote('a\u2019b'), "'a\u2019\u2019b'");
});

test('the build number: run number and attempt, none outside Actions; build-info.json records it', () => {
  assert.equal(buildNumber({ GITHUB_RUN_NUMBER: '42', GITHUB_RUN_ATTEMPT: '2' }), '42.2');
  assert.equal(buildNumber({ GITHUB_RUN_NUMBER: '42' }), '42.1');
  assert.equal(buildNumber({}), undefined);
  assert.equal(buildNumber({ GITHUB_RUN_NUMBER: '4x2' }), undefined);
  const entries = new Map([['a.zip', { sha256: 'a'.repeat(64), fingerprint: 'f' }]]);
  assert.equal((JSON.parse(renderBuildInfo(entries, '42.2')) as { build?: string }).build, '42.2');
  assert.equal('build' in (JSON.parse(renderBuildInfo(entries)) as object), false);
});

test("README's table of archive names is what the default template gives every target", () => {
  const readme = readFileSync(path.resolve('README.md'), 'utf8');
  const rows = new Map([...readme.matchAll(/^\| `([a-z]+\/[a-z0-9]+)` \| `(ktctl_[^`]+)`/gm)].map((match) => [match[1], match[2]]));
  const plan = planBuild(
    { version: '', targets: SUPPORTED_TARGETS, archiveFormat: 'zip', assetNameTemplate: 'ktctl_{version}_{Os}_{Arch}', upxEnabled: true },
    UPSTREAM,
  );
  assert.deepEqual(rows, new Map(plan.targets.map((target) => [`${target.target.os}/${target.target.arch}`, target.archiveName])));
  assert.ok(readme.includes('gh release download v0.3.7 -R acme/ktctl -p install.sh -O - | sh'));
  assert.ok(readme.includes('[docs/install-ktctl.md](docs/install-ktctl.md)'));
});
