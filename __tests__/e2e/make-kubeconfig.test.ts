// scripts/make-kubeconfig.sh run with the real kubectl against a stand-in Kubernetes API server
// (__tests__/support/kube-api-server.ts): it creates the ServiceAccount, Role, RoleBinding and
// token Secret, and writes a kubeconfig that the action's own input checks accept, whose token is
// the Secret's long-lived one (a JWT without `exp`), and which no output of the script reveals.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { decodeConfig } from '../../src/inputs/inputs.js';
import { validateKubeconfig } from '../../src/inputs/kubeconfig.js';
import { KubeApiServer } from '../support/kube-api-server.js';

const SCRIPT = path.resolve('scripts/make-kubeconfig.sh');

interface Run {
  readonly code: number | null;
  readonly output: string;
}

interface Kubeconfig {
  clusters: { name: string; cluster: { server: string; 'certificate-authority-data'?: string } }[];
  users: { name: string; user: { token?: string } }[];
  contexts: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
  'current-context': string;
}

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

function claims(token: string): Record<string, unknown> {
  const parts = token.split('.');
  assert.equal(parts.length, 3, 'the token is a JWT');
  return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Which verbs the rules grant on `group` / `resource`. */
function granted(rules: readonly Rule[], group: string, resource: string): Set<string> {
  return new Set(rules.filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource)).flatMap((r) => r.verbs));
}

describe('scripts/make-kubeconfig.sh', { concurrency: false }, () => {
  let server: KubeApiServer;
  let dir: string;
  let adminConfig: string;

  before(async () => {
    server = await KubeApiServer.start(['dev', 'team-b']);
    dir = mkdtempSync(path.join(os.tmpdir(), 'make-kubeconfig-'));
    adminConfig = path.join(dir, 'admin.yaml');
    writeFileSync(adminConfig, server.adminKubeconfig(), { mode: 0o600 });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // asynchronous: the stand-in server answers kubectl from this same process
  const run = (args: readonly string[]): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn('bash', [SCRIPT, ...args], {
        cwd: dir,
        env: { PATH: process.env['PATH'] ?? '', HOME: dir, KUBECONFIG: adminConfig },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 120_000,
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output }));
    });
  const secretToken = (namespace: string, name: string): string => {
    const data = server.object('secrets', namespace, name)?.['data'] as Record<string, string> | undefined;
    assert.ok(data?.['token'], `Secret ${name} has a token`);
    return Buffer.from(data['token'], 'base64').toString('utf8');
  };
  /** No piece of the token, nor its base64, in text: each of its three parts and the whole. */
  const assertNoToken = (text: string, token: string): void => {
    for (const piece of [token, Buffer.from(token).toString('base64'), ...token.split('.')]) {
      assert.ok(!text.includes(piece), 'the output holds no part of the token');
    }
  };

  test('ShellCheck finds nothing in the script', () => {
    const check = spawnSync('shellcheck', [SCRIPT], { encoding: 'utf8' });
    assert.ok(check.error === undefined, 'shellcheck is not installed: run scripts/setup-test-machine.sh');
    assert.equal(check.status, 0, check.stdout);
  });

  test('connect rights: the objects are created and the kubeconfig is one the action accepts, with a token without exp', async () => {
    const result = await run(['--namespace', 'dev', '--output', 'ktctl.yaml']);
    assert.equal(result.code, 0, result.output);
    const file = path.join(dir, 'ktctl.yaml');
    assert.equal(statSync(file).mode & 0o777, 0o600, 'the kubeconfig is readable by its owner only');
    const text = readFileSync(file, 'utf8');

    // the action's own checks, as YAML and as the base64 the README suggests for the secret
    for (const input of [text, Buffer.from(text).toString('base64')]) {
      const decoded = decodeConfig('kubeconfig', input);
      assert.equal(decoded, text);
      assert.deepEqual(validateKubeconfig(decoded!, true).warnings, [], 'self-contained: no warning even under strict');
    }

    const config = parse(text) as Kubeconfig;
    const context = config.contexts.find((c) => c.name === config['current-context'])!;
    assert.equal(context.context.namespace, 'dev');
    const cluster = config.clusters.find((c) => c.name === context.context.cluster)!;
    assert.equal(cluster.cluster.server, server.url);
    assert.equal(Buffer.from(cluster.cluster['certificate-authority-data']!, 'base64').toString('utf8'), server.caPem, "the cluster's CA");
    const token = config.users.find((u) => u.name === context.context.user)!.user.token!;
    assert.equal(token, secretToken('dev', 'ktctl-token'), "the token Secret's token");
    assert.equal(claims(token)['exp'], undefined, 'a long-lived token: no exp');
    assert.equal(claims(token)['sub'], 'system:serviceaccount:dev:ktctl');
    assert.deepEqual(server.shortLivedTokens, [], 'no kubectl create token');
    assertNoToken(result.output, token);
    assert.match(result.output, /gh secret set KTCTL_KUBECONFIG < ktctl\.yaml/);

    const secret = server.object('secrets', 'dev', 'ktctl-token')!;
    assert.equal(secret['type'], 'kubernetes.io/service-account-token');
    assert.equal((secret.metadata['annotations'] as Record<string, string>)['kubernetes.io/service-account.name'], 'ktctl');
    assert.ok(server.object('serviceaccounts', 'dev', 'ktctl'));
    const binding = server.object('rolebindings', 'dev', 'ktctl')!;
    assert.deepEqual(binding['roleRef'], { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'ktctl' });
    assert.deepEqual(binding['subjects'], [{ kind: 'ServiceAccount', name: 'ktctl', namespace: 'dev' }]);
    // kt-connect's connect-only-mini set, and nothing more
    const rules = server.object('roles', 'dev', 'ktctl')!['rules'] as Rule[];
    assert.deepEqual([...granted(rules, '', 'pods')].sort(), ['create', 'delete', 'get', 'list', 'patch']);
    assert.deepEqual([...granted(rules, '', 'configmaps')].sort(), ['create', 'delete', 'get', 'patch']);
    assert.deepEqual([...granted(rules, '', 'services')], ['list']);
    assert.deepEqual([...granted(rules, '', 'pods/exec')], ['create']);
    assert.deepEqual([...granted(rules, '', 'pods/portforward')], ['create']);
    assert.deepEqual([...granted(rules, 'apps', 'deployments')], []);
    assert.ok(!readdirSync(dir).some((name) => name.startsWith('.ktctl-kubeconfig')), 'no temporary file left');
  });

  test('an existing output is refused without --force; a second run with --force keeps the same token', async () => {
    const first = readFileSync(path.join(dir, 'ktctl.yaml'), 'utf8');
    const refused = await run(['--namespace', 'dev', '--output', 'ktctl.yaml']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.output, /--output: 'ktctl\.yaml' exists; give another path or --force/);
    const again = await run(['--namespace', 'dev', '--output', 'ktctl.yaml', '--force']);
    assert.equal(again.code, 0, again.output);
    assert.equal(readFileSync(path.join(dir, 'ktctl.yaml'), 'utf8'), first, 'the same Secret, the same kubeconfig');
  });

  test('--rights all adds services and deployments for exchange, mesh and preview', async () => {
    const result = await run(['-n', 'team-b', '--name', 'kt-all', '--rights', 'all', '-o', 'all.yaml']);
    assert.equal(result.code, 0, result.output);
    const rules = server.object('roles', 'team-b', 'kt-all')!['rules'] as Rule[];
    for (const verb of ['get', 'list', 'create', 'patch', 'delete']) {
      assert.ok(granted(rules, '', 'services').has(verb), `services ${verb}`);
      assert.ok(granted(rules, 'apps', 'deployments').has(verb), `deployments ${verb}`);
    }
    assert.ok(granted(rules, 'apps', 'deployments/scale').has('patch'), 'deployments/scale');
    const config = parse(readFileSync(path.join(dir, 'all.yaml'), 'utf8')) as Kubeconfig;
    assert.equal(config.contexts[0]!.context.namespace, 'team-b');
    assertNoToken(result.output, secretToken('team-b', 'kt-all-token'));
  });

  test('running again with --rights all widens the same Role in place; the token stays', async () => {
    const token = secretToken('dev', 'ktctl-token');
    const result = await run(['--namespace', 'dev', '--rights', 'all', '--output', 'ktctl.yaml', '--force']);
    assert.equal(result.code, 0, result.output);
    assert.ok(
      server.requests.some((r) => r.method === 'PATCH' && r.path === '/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles/ktctl'),
      'kubectl patched the Role',
    );
    const rules = server.object('roles', 'dev', 'ktctl')!['rules'] as Rule[];
    assert.ok(granted(rules, 'apps', 'deployments').has('create'));
    assert.equal(secretToken('dev', 'ktctl-token'), token);
    assertNoToken(result.output, token);
  });

  test('a namespace that does not exist fails naming it, and leaves no kubeconfig', async () => {
    const result = await run(['--namespace', 'nope', '--output', 'nope.yaml']);
    assert.notEqual(result.code, 0);
    assert.match(result.output, /kubectl apply failed in namespace nope \(does it exist/);
    assert.ok(!existsSync(path.join(dir, 'nope.yaml')));
  });

  test('a Secret that never gets a token fails after --timeout, and leaves no kubeconfig', async () => {
    server.tokenController = false;
    try {
      const result = await run(['--namespace', 'dev', '--name', 'no-controller', '--timeout', '2', '--output', 'late.yaml']);
      assert.notEqual(result.code, 0);
      assert.match(result.output, /Secret no-controller-token got no token within 2 s/);
      assert.ok(!existsSync(path.join(dir, 'late.yaml')));
    } finally {
      server.tokenController = true;
    }
  });

  test('bad arguments fail before kubectl runs, naming the option', async () => {
    const before = server.requests.length;
    for (const [args, message] of [
      [[], /--namespace is required/],
      [['-n', 'Dev_1'], /--namespace: 'Dev_1' is not a Kubernetes namespace name/],
      [['-n', 'dev', '--rights', 'admin'], /--rights: 'admin' is not connect or all/],
      [['-n', 'dev', '--server', 'https://a b'], /--server: 'https:\/\/a b' is not an http\(s\) address/],
      [['-n', 'dev', '--bogus'], /unknown option '--bogus'/],
    ] as const) {
      const result = await run(args);
      assert.notEqual(result.code, 0, args.join(' '));
      assert.match(result.output, message);
    }
    assert.equal(server.requests.length, before, 'no request reached the API server');
  });

  test('--print-manifests prints the four objects and changes nothing', async () => {
    const before = server.requests.length;
    const result = await run(['-n', 'dev', '--print-manifests']);
    assert.equal(result.code, 0, result.output);
    const docs = result.output.split(/^---$/m).map((doc) => parse(doc) as { kind: string });
    assert.deepEqual(
      docs.map((doc) => doc.kind),
      ['ServiceAccount', 'Role', 'RoleBinding', 'Secret'],
    );
    assert.equal(server.requests.length, before);
  });
});
