// Lints the repository's workflows and the example workflows users copy.
// 1. actionlint (installed by scripts/install-actionlint.sh into .tools/bin) over every
//    file in .github/workflows and .github/examples.
// 2. actionlint cannot know this action's inputs when it is used as org/ktctl-customize@v1,
//    so every step that uses this action is checked here against action.yml: each `with:`
//    key must be an input, and each `steps.<id>.outputs.<name>` read from such a step an output.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';

const root = process.cwd();
const WORKFLOW_DIRS = ['.github/workflows', '.github/examples'];
const INSTALL_SCRIPT = 'scripts/install-actionlint.sh';
const ACTIONLINT = path.join(root, '.tools', 'bin', process.platform === 'win32' ? 'actionlint.exe' : 'actionlint');

/** `./` (this checkout) or `<owner>/ktctl-customize@<ref>`. */
const THIS_ACTION = /^(\.\/?|[A-Za-z0-9_.-]+\/ktctl-customize@\S+)$/;

/** Workflow files, relative to the repository root, with `/` separators. */
function workflowFiles(): string[] {
  const files: string[] = [];
  for (const dir of WORKFLOW_DIRS) {
    if (!existsSync(path.join(root, dir))) continue;
    for (const name of readdirSync(path.join(root, dir)).sort()) {
      if (/\.ya?ml$/.test(name)) files.push(`${dir}/${name}`);
    }
  }
  return files;
}

function pinnedVersion(): string {
  const script = readFileSync(path.join(root, INSTALL_SCRIPT), 'utf8');
  const match = /^ACTIONLINT_VERSION=(\S+)$/m.exec(script);
  assert.ok(match?.[1], `${INSTALL_SCRIPT} has no ACTIONLINT_VERSION= line`);
  return match[1];
}

test('actionlint finds no problem in .github/workflows and .github/examples', () => {
  assert.ok(existsSync(ACTIONLINT), `actionlint is not installed at ${path.relative(root, ACTIONLINT)}; run \`bash ${INSTALL_SCRIPT}\` first.`);
  const version = spawnSync(ACTIONLINT, ['--version'], { encoding: 'utf8' });
  const installed = version.stdout?.split('\n')[0]?.trim();
  assert.equal(
    installed,
    pinnedVersion(),
    `.tools/bin/actionlint is ${installed || 'not runnable'}, ${INSTALL_SCRIPT} pins ${pinnedVersion()}; run \`bash ${INSTALL_SCRIPT}\`.`,
  );

  const files = workflowFiles();
  assert.ok(files.length > 0, `no workflow files in ${WORKFLOW_DIRS.join(' or ')}`);
  // shellcheck and pyflakes are turned off: actionlint runs them only when they happen to be
  // on PATH, and a lint whose result depends on the machine is not a test.
  const result = spawnSync(ACTIONLINT, ['-no-color', '-shellcheck=', '-pyflakes=', ...files], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(result.error, undefined, `could not run actionlint: ${result.error?.message}`);
  assert.equal(result.status, 0, `actionlint exited with ${result.status} on ${files.join(' ')}:\n${result.stdout}${result.stderr}`);
});

interface ActionInterface {
  readonly inputs: ReadonlySet<string>;
  readonly outputs: ReadonlySet<string>;
}

function readActionInterface(): ActionInterface {
  const file = path.join(root, 'action.yml');
  assert.ok(existsSync(file), 'action.yml is missing: the workflows are checked against its inputs and outputs.');
  let action: unknown;
  try {
    action = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    assert.fail(`action.yml is not valid YAML: ${(error as Error).message}`);
  }
  assert.ok(isRecord(action), 'action.yml is not a YAML mapping');
  const keys = (value: unknown): Set<string> => new Set(isRecord(value) ? Object.keys(value) : []);
  return { inputs: keys(action['inputs']), outputs: keys(action['outputs']) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface ActionStep {
  readonly file: string;
  readonly job: string;
  readonly where: string;
  readonly id: string | undefined;
  readonly with: Record<string, unknown>;
}

/** Every step in every job of every workflow that uses this action, and each job's text. */
function actionSteps(): { steps: ActionStep[]; jobs: { file: string; job: string; body: unknown }[] } {
  const steps: ActionStep[] = [];
  const jobs: { file: string; job: string; body: unknown }[] = [];
  for (const file of workflowFiles()) {
    const workflow: unknown = parse(readFileSync(path.join(root, file), 'utf8'));
    assert.ok(isRecord(workflow), `${file} is not a YAML mapping`);
    const jobMap = workflow['jobs'];
    if (!isRecord(jobMap)) continue;
    for (const [job, body] of Object.entries(jobMap)) {
      jobs.push({ file, job, body });
      if (!isRecord(body) || !Array.isArray(body['steps'])) continue;
      body['steps'].forEach((step: unknown, index: number) => {
        if (!isRecord(step) || typeof step['uses'] !== 'string' || !THIS_ACTION.test(step['uses'].trim())) return;
        const name = typeof step['name'] === 'string' ? ` (${step['name']})` : '';
        steps.push({
          file,
          job,
          where: `${file}: jobs.${job}.steps[${index}]${name}`,
          id: typeof step['id'] === 'string' ? step['id'] : undefined,
          with: isRecord(step['with']) ? step['with'] : {},
        });
      });
    }
  }
  return { steps, jobs };
}

test('every step that uses this action passes only inputs that action.yml declares', () => {
  const { inputs } = readActionInterface();
  const { steps } = actionSteps();
  assert.ok(steps.length > 0, 'no workflow or example uses this action (./ or <owner>/ktctl-customize@<ref>)');
  const problems: string[] = [];
  for (const step of steps) {
    for (const key of Object.keys(step.with)) {
      if (!inputs.has(key)) problems.push(`${step.where}: with.${key} is not an input of action.yml`);
    }
  }
  assert.deepEqual(problems, [], `unknown inputs:\n${problems.join('\n')}\naction.yml inputs: ${[...inputs].join(', ')}`);
});

test('every output read from a step that uses this action is declared in action.yml', () => {
  const { outputs } = readActionInterface();
  const { steps, jobs } = actionSteps();
  const problems: string[] = [];
  for (const { file, job, body } of jobs) {
    const ids = new Set(steps.filter((s) => s.file === file && s.job === job && s.id !== undefined).map((s) => s.id));
    const text = JSON.stringify(body);
    for (const match of text.matchAll(/steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g)) {
      const [, id, output] = match;
      if (ids.has(id) && !outputs.has(output ?? '')) {
        problems.push(`${file}: jobs.${job} reads steps.${id}.outputs.${output}, which action.yml does not declare`);
      }
    }
  }
  assert.deepEqual([...new Set(problems)], [], `unknown outputs:\n${[...new Set(problems)].join('\n')}\naction.yml outputs: ${[...outputs].join(', ')}`);
});
