// kt-connect-source: go-proxy through the bundled action: the real kt-connect v0.3.7 from a local
// module proxy (file://, made from a real module download, serving the checksum database's proof
// as a company proxy does) fetched, checked and built end to end for linux/amd64. Builds the real
// tree (minutes of Go), so it runs in `npm run test:all`; the refusals of a bad proxy, sum or tag
// are in module-proxy.test.ts, in `npm test`.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileProxy, MODULE_COMMIT, MODULE_H1 } from '../support/module-proxy.js';
import { proxyRuns } from '../support/proxy-run.js';
import { makeRunnerDirs, runAction, withoutMaskCommands, type ActionRun } from '../support/run-action.js';

describe('the real kt-connect from the module proxy', { concurrency: false }, () => {
  const { root: rootFolder, inputs, env } = proxyRuns();

  test('the real kt-connect v0.3.7 is fetched, checked and built; its hash is recorded', async () => {
    const root = rootFolder();
    const dirs = makeRunnerDirs(root);
    const proxy = fileProxy(path.join(root, 'proxy'));
    const run: ActionRun = await runAction({ dirs, inputs: inputs(proxy), env: env('real') });
    const log = withoutMaskCommands(run.stdout + run.stderr);
    assert.equal(run.code, 0, log);
    assert.equal(run.outputs['upstream-tag'], 'v0.3.7');
    assert.equal(run.outputs['source-hash'], MODULE_H1);
    assert.match(
      log,
      /Source: the Go module github\.com\/alibaba\/kt-connect@v0\.3\.7 from the module proxy, hash h1:wQbzz\S+, checked against the checksum database sum\.golang\.org\./,
    );
    assert.match(log, new RegExp(`kt-connect latest is v0\\.3\\.7 \\(${MODULE_COMMIT}\\)`));
    assert.match(log, /linux\/amd64: ran ktctl --version and config show/);
    assert.match(run.summary, /checked against the checksum database sum\.golang\.org/);
    const sbom = JSON.parse(readFileSync(run.outputs['sbom-file']!, 'utf8')) as {
      packages: { SPDXID: string; checksums?: { checksumValue: string }[]; comment?: string }[];
    };
    const source = sbom.packages.find((item) => item.SPDXID === 'SPDXRef-Package-kt-connect-source');
    assert.equal(source?.checksums?.[0]?.checksumValue, Buffer.from(MODULE_H1.slice(3), 'base64').toString('hex'));
    assert.match(source?.comment ?? '', /module hash h1:wQbzz.*checked against the checksum database sum\.golang\.org/);
    // the scratch folder and the resolution's fetch are gone
    assert.deepEqual(
      readdirSync(dirs.temp).filter((name) => name.startsWith('ktctl-customize-')),
      [],
    );
  });
});
