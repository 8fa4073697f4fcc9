// Forks move kt-connect to newer Go: go.mod's `go 1.22` or `go 1.22.0` (with a `toolchain` line)
// must choose the newest Go 1.22.x, never 1.23.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goSpecFor } from '../../src/toolchain/go-release.js';
import { parseGoDirective } from '../../src/shared/upstream.js';

test('go directives of forks give their minor version, widened to its newest patch', () => {
  for (const [goMod, minor] of [
    ['module github.com/alibaba/kt-connect\n\ngo 1.21\n', 21],
    ['module github.com/alibaba/kt-connect\n\ngo 1.22\n\ntoolchain go1.22.5\n', 22],
    ['module github.com/alibaba/kt-connect\n\ngo 1.22.0\n\ntoolchain go1.23.4\n\nrequire (\n\tgithub.com/spf13/cobra v1.8.0\n)\n', 22],
    ['module github.com/alibaba/kt-connect\r\n\r\ngo 1.23.2 // raised by the fork\r\n', 23],
  ] as const) {
    const directive = parseGoDirective(goMod);
    assert.ok(directive !== undefined, goMod);
    assert.deepEqual(goSpecFor('', directive), { major: 1, minor, patch: undefined }, goMod);
  }
  // the toolchain line alone names no language version
  assert.equal(parseGoDirective('module x\n\ntoolchain go1.22.5\n'), undefined);
});
