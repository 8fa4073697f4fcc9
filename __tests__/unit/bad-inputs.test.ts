// Every bad value of the table (__tests__/support/bad-inputs.ts), refused in process by the stage
// that refuses it in a run, each stage called as a run calls it and the earlier ones passing: one
// error that names the input and says what to do, and no piece of a secret in it or in the log.
// What only the bundled action can show (one error line, nothing written, nothing downloaded)
// runs end to end for one case of each stage in __tests__/e2e/hostile-input.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { withConfigsChecked } from '../../src/inputs/config-checks.js';
import { InputError, messageOf } from '../../src/shared/errors.js';
import { parseBuildInputs } from '../../src/inputs/inputs.js';
import type { Log } from '../../src/shared/log.js';
import { planFor } from '../../src/run/pipeline.js';
import { resolveUpstream } from '../../src/source/git.js';
import type { ToolLookups } from '../../src/toolchain/upx.js';
import { validateForUpstream } from '../../src/inputs/upstream-checks.js';
import { BAD_INPUTS, END_TO_END, KT_CONFIG, KUBECONFIG, secretsIn, STAGES, type Stage } from '../support/bad-inputs.js';
import { createFixtureRepo } from '../support/fixture-repo.js';
import { removeTree } from '../support/remove-tree.js';

/** A runner with an empty tool cache: upx would have to be downloaded. */
const EMPTY_TOOL_CACHE: ToolLookups = { cached: () => undefined, onPath: () => undefined, brew: () => undefined };
const LINUX = { os: 'linux', arch: 'amd64', cacheArch: 'x64' } as const;
/** Words that tell the user what to do: an instruction, or what the value must be. */
const SAYS_WHAT_TO_DO = /\b(use|give|write|set|add|remove|rename|fix|leave|embed|make|put|turn|check|must|did you mean)\b/i;

/** Where the stages of a run stopped, with the error and every log line up to it. */
interface Refusal {
  readonly stage: Stage | undefined;
  readonly error: unknown;
  readonly log: string[];
}

/**
 * The checks a run makes before anything is downloaded, in a run's order (run-inputs.ts, pipeline.ts):
 * the inputs, both configs, git ls-remote of the repository (real git), the checks that need the
 * tag, and the plan on a runner whose tool cache is empty.
 */
async function refusal(values: Record<string, string>): Promise<Refusal> {
  const lines: string[] = [];
  const log: Log = { info: (line) => lines.push(line), warning: (line) => lines.push(line), group: (_title, work) => work() };
  let stage: Stage = 'inputs';
  try {
    const parsed = parseBuildInputs((name) => values[name] ?? '', { workspace: '/workspace', serverUrl: 'https://github.com' }, 2);
    stage = 'configs';
    // as run-inputs.ts does: the configs read once, their summary carried on
    const inputs = withConfigsChecked(parsed, log);
    stage = 'git';
    const upstream = await resolveUpstream(inputs.upstream);
    stage = 'tag';
    validateForUpstream(inputs, upstream.tag, log);
    stage = 'plan';
    planFor(inputs, upstream, LINUX, EMPTY_TOOL_CACHE);
    return { stage: undefined, error: undefined, log: lines };
  } catch (error) {
    return { stage, error, log: lines };
  }
}

describe(`${BAD_INPUTS.length} bad inputs, each refused by its stage`, () => {
  let root: string;
  let good: Record<string, string>;

  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'ktctl-bad-inputs-'));
    good = {
      kubeconfig: KUBECONFIG,
      'kt-config': KT_CONFIG,
      targets: 'linux/amd64',
      'output-dir': 'out',
      'kt-connect-repository': createFixtureRepo(root).url,
      // nothing listens there: no case may get as far as a download
      'go-download-base-url': 'http://127.0.0.1:1/go',
      'upx-download-base-url': 'http://127.0.0.1:1/upx',
      // a upx this action pins no hash for, with its hash given
      'upx-version': '5.0.2',
      'upx-sha256': 'a'.repeat(64),
      'wintun-url': 'http://127.0.0.1:1/wintun.zip',
      'wintun-sha256': 'b'.repeat(64),
    };
  });
  after(() => removeTree(root));

  test('the inputs every case starts from pass every stage', async () => {
    const { stage, error, log } = await refusal(good);
    assert.equal(stage, undefined, messageOf(error));
    assert.deepEqual(secretsIn(log.join('\n')), []);
  });

  test('the table holds every case of the old end-to-end table, and each stage has one case end to end', () => {
    // 84 cases ran as one process each before they moved here
    assert.ok(BAD_INPUTS.length >= 84, `${BAD_INPUTS.length}`);
    assert.equal(new Set(BAD_INPUTS.map((c) => c.what)).size, BAD_INPUTS.length, 'names are unique');
    const endToEnd = END_TO_END.map((what) => BAD_INPUTS.find((c) => c.what === what));
    assert.deepEqual(
      END_TO_END.filter((_, i) => endToEnd[i] === undefined),
      [],
      'every end-to-end case is in the table',
    );
    assert.deepEqual(
      STAGES.filter((stage) => !endToEnd.some((c) => c?.stage === stage)),
      [],
      'every stage is run end to end once',
    );
  });

  for (const { what, inputs, input, stage } of BAD_INPUTS) {
    test(`${stage}: ${what} names '${input}'`, async () => {
      const refused = await refusal({ ...good, ...inputs });
      assert.equal(refused.stage, stage, `refused by ${refused.stage ?? 'no stage'}: ${messageOf(refused.error)}`);
      const message = messageOf(refused.error);
      if (stage === 'git') {
        // git's failures are plain errors that name the input they came from
        assert.ok(message.includes(`'${input}'`), message);
      } else {
        assert.ok(refused.error instanceof InputError, message);
        assert.equal(refused.error.input, input, message);
        assert.ok(message.startsWith(`Input '${input}': `), message);
      }
      assert.match(message.replace(/^Input '[^']*': /, ''), SAYS_WHAT_TO_DO, `says what to do: ${message}`);
      assert.deepEqual(secretsIn(message), [], `a secret in the error: ${message}`);
      assert.deepEqual(secretsIn(refused.log.join('\n')), [], 'a secret in the log');
    });
  }
});
