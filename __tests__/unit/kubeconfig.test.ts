import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { InputError } from '../../src/shared/errors.js';
import { validateKubeconfig } from '../../src/inputs/kubeconfig.js';

const FIXTURE = readFileSync(new URL('../fixtures/kubeconfig.yaml', import.meta.url), 'utf8');

// Line numbers below refer to this text; line 11 holds the token.
const BASE = [
  'apiVersion: v1', //                                   1
  'kind: Config', //                                     2
  'clusters:', //                                        3
  '  - name: dev-cluster', //                            4
  '    cluster:', //                                     5
  '      server: https://127.0.0.1:6443', //             6
  '      certificate-authority-data: Q0EtREFUQQ==', //   7
  'users:', //                                           8
  '  - name: dev-user', //                               9
  '    user:', //                                        10
  '      token: sEcReT-aaaa1111bbbb', //                 11
  'contexts:', //                                        12
  '  - name: dev', //                                    13
  '    context:', //                                     14
  '      cluster: dev-cluster', //                       15
  '      user: dev-user', //                             16
  'current-context: dev', //                             17
  '',
].join('\n');

/** BASE with one piece of text replaced; fails loudly if the piece is not there. */
function edit(from: string, to: string, text = BASE): string {
  assert.ok(text.includes(from), `test setup: ${JSON.stringify(from)} not in the kubeconfig`);
  return text.replace(from, to);
}

/** No fragment of any credential may reach a message: logs are public. */
function assertNoSecret(message: string): void {
  for (const fragment of ['sEcReT', 'aaaa1111', '1111bbbb', 'Q0EtREFUQQ', 'hunter2']) {
    assert.ok(!message.includes(fragment), `message leaks '${fragment}': ${message}`);
  }
}

function rejects(text: string, pattern: RegExp, strict = false): void {
  assert.throws(
    () => validateKubeconfig(text, strict),
    (error: unknown) => {
      assert.ok(error instanceof InputError, `not an InputError: ${String(error)}`);
      assert.equal(error.input, 'kubeconfig');
      assert.match(error.message, /^Input 'kubeconfig': /);
      assert.match(error.message, pattern);
      assertNoSecret(error.message);
      return true;
    },
  );
}

describe('validateKubeconfig rejects', () => {
  const cases: readonly (readonly [string, string, RegExp])[] = [
    ['50 bytes or fewer', 'apiVersion: v1\nkind: Config\nclusters: []\n', /50 bytes or shorter, and ktctl ignores/],
    [
      'a token line indented less than its mapping',
      edit('      token: sEcReT-aaaa1111bbbb', '   token: sEcReT-aaaa1111bbbb'),
      // YAML notices at the end of `user:`, which now has no value.
      /is not valid YAML: line 10, column 10: .*the line is not shown because it may hold a secret/,
    ],
    [
      'a token starting with a reserved character',
      edit('token: sEcReT-aaaa1111bbbb', 'token: @sEcReT-aaaa1111bbbb'),
      /line 11, column 14: a plain value that starts with a reserved character; quote it/,
    ],
    ['an unclosed quote on the token line', edit('token: sEcReT-aaaa1111bbbb', 'token: "sEcReT-aaaa1111bbbb'), /is not valid YAML: line 1[1-8], column \d+/],
    ['a tab indenting the token line', edit('      token: sEcReT', '\ttoken: sEcReT'), /is not valid YAML: line 11, column \d+/],
    [
      'a duplicated token key',
      edit('      token: sEcReT-aaaa1111bbbb', '      token: sEcReT-aaaa1111bbbb\n      token: sEcReT-cccc'),
      /line 12, column \d+: a key that appears twice/,
    ],
    ['a nested mapping in a compact value', edit('token: sEcReT-aaaa1111bbbb', 'token: sEcReT-aaaa: 1111bbbb'), /is not valid YAML: line 11, column \d+/],
    ['an unclosed flow sequence', edit('token: sEcReT-aaaa1111bbbb', 'token: [sEcReT-aaaa1111bbbb'), /is not valid YAML: line \d+, column \d+/],
    ['two YAML documents', `${BASE}---\n${BASE}`, /line 18, column 1: a second YAML document/],
    // the YAML composer recurses once per level: this deep, V8 aborted the process (issue 9, item 7)
    [
      'lists nested a thousand deep',
      `${'- '.repeat(1000)}sEcReT\n`.repeat(2),
      /is not valid YAML for a config: line 2, column \d+ is nested more than 64 levels deep/,
    ],
    ['flow collections nested a thousand deep', `${'['.repeat(1000)}sEcReT`, /line 1, column 66 is nested more than 64 levels deep/],
    ['an alias to a duplicated key', edit('kind: Config', 'kind: &k Config\nkind: *k'), /line 3, column 1: a key that appears twice/],
    ['a top-level list', `- token: sEcReT-aaaa1111bbbb\n- token: sEcReT-aaaa1111bbbb-more-padding\n`, /is not a kubeconfig: its top level is not a mapping/],
    ['a top-level scalar', 'sEcReT-aaaa1111bbbb-sEcReT-aaaa1111bbbb-sEcReT-aaaa1111bbbb-0123', /is not a kubeconfig/],
    ['a kind other than Config', edit('kind: Config', 'kind: sEcReT-aaaa1111bbbb'), /line 2, kind: must be Config/],
    ['an apiVersion other than v1', edit('apiVersion: v1', 'apiVersion: v2'), /line 1, apiVersion: must be v1/],
    [
      'no clusters',
      edit('clusters:\n  - name: dev-cluster\n    cluster:\n      server: https://127.0.0.1:6443\n      certificate-authority-data: Q0EtREFUQQ==\n', ''),
      /has no clusters list/,
    ],
    [
      'an empty users list',
      edit('users:\n  - name: dev-user\n    user:\n      token: sEcReT-aaaa1111bbbb\n', 'users: []\n'),
      /line 8, users: must be a non-empty list/,
    ],
    ['contexts that is a mapping', edit('contexts:\n  - name: dev', 'contexts:\n    name: dev'), /contexts: must be a non-empty list/],
    [
      'a list item that is not a mapping',
      edit('  - name: dev\n    context:\n      cluster: dev-cluster\n      user: dev-user\n', '  - sEcReT-aaaa1111bbbb\n'),
      /line 13, contexts\[0\]: must be a mapping with name and context/,
    ],
    ['a user without a name', edit('  - name: dev-user\n    user:', '  - user:'), /line 9, users\[0\]: has no name/],
    ['a name that is not a string', edit('name: dev-cluster', 'name: 42'), /line 4, clusters\[0\]\.name: must be a string/],
    ['an empty name', edit('name: dev-user', "name: ''"), /line 9, users\[0\]\.name: is empty/],
    [
      'two clusters with one name',
      edit('users:', '  - name: dev-cluster\n    cluster:\n      server: https://10.0.0.1:6443\nusers:'),
      /line 8, clusters\[1\]\.name: is also the name of clusters\[0\] \(line 4\); kubectl keeps only one/,
    ],
    [
      'a cluster that is a string',
      edit('    cluster:\n      server: https://127.0.0.1:6443\n      certificate-authority-data: Q0EtREFUQQ==', '    cluster: sEcReT-aaaa1111bbbb'),
      /line 5, clusters\[0\]\.cluster: must be a mapping/,
    ],
    [
      'a context without its context mapping',
      edit('    context:\n      cluster: dev-cluster\n      user: dev-user\n', ''),
      /line 13, contexts\[0\]: has no context/,
    ],
    ['a cluster without a server', edit('      server: https://127.0.0.1:6443\n', ''), /line 5, clusters\[0\]\.cluster: has no server/],
    [
      'a server that is not a URL',
      edit('server: https://127.0.0.1:6443', 'server: sEcReT-aaaa1111bbbb'),
      /line 6, clusters\[0\]\.cluster\.server: is not an http\(s\) URL/,
    ],
    [
      'a server with another scheme',
      edit('server: https://127.0.0.1:6443', 'server: ftp://hunter2@example.com'),
      /line 6, clusters\[0\]\.cluster\.server: is not an http\(s\) URL/,
    ],
    [
      'a context naming a missing user',
      edit('      user: dev-user', '      user: ghost'),
      /line 16, contexts\[0\]\.context\.user: names no user; it must be the name of one of the users: users\[0\]\.name \(line 9\)\.$/,
    ],
    [
      'a context naming a missing cluster',
      edit('      cluster: dev-cluster', '      cluster: prod-cluster'),
      /line 15, contexts\[0\]\.context\.cluster: names no cluster; it must be the name of one of the clusters: clusters\[0\]\.name \(line 4\)\.$/,
    ],
    [
      'a context without a user',
      edit('      user: dev-user\n', ''),
      /line 14, contexts\[0\]\.context: has no user; add `user: <name>` with the name of one of the users: users\[0\]\.name \(line 9\)\.$/,
    ],
    [
      'a context whose user is not a string',
      edit('      user: dev-user', '      user: [dev-user]'),
      /line 16, contexts\[0\]\.context\.user: must be the name of one of the users: users\[0\]\.name \(line 9\)/,
    ],
    [
      'no current-context',
      edit('current-context: dev\n', ''),
      /has no current-context; add `current-context: <name>` with the name of one of the contexts: contexts\[0\]\.name \(line 13\)\.$/,
    ],
    [
      'a current-context naming no context',
      edit('current-context: dev', 'current-context: prod'),
      /line 17, current-context: names no context; it must be the name of one of the contexts: contexts\[0\]\.name \(line 13\)\.$/,
    ],
    ['an empty current-context', edit('current-context: dev', 'current-context:'), /line 17, current-context: must be the name of one of the contexts/],
  ];
  for (const [name, text, pattern] of cases) {
    test(name, () => rejects(text, pattern));
  }
});

describe('validateKubeconfig quotes no value, not even a name', () => {
  // A token pasted where a name belongs is still a token; a shortened or escaped copy of it
  // would slip past the runner's exact-match masking. Messages name line and key path only.
  const TOKEN = 'sEcReT-aaaa1111bbbb-0123456789abcdef0123456789abcdef';
  /** Every name of BASE, and the token: none may appear in a message. */
  const NAMES = ['dev-cluster', 'dev-user', "'dev'", TOKEN.slice(0, 8), TOKEN.slice(-8)];
  const quiet = (text: string, pattern: RegExp): void =>
    assert.throws(
      () => validateKubeconfig(text, false),
      (error: unknown) => {
        assert.ok(error instanceof InputError);
        assert.match(error.message, pattern);
        for (const name of NAMES) assert.ok(!error.message.includes(name), `message quotes ${name}: ${error.message}`);
        assertNoSecret(error.message);
        return true;
      },
    );

  test('a token in current-context', () => {
    quiet(
      edit('current-context: dev', `current-context: ${TOKEN}`),
      /^Input 'kubeconfig': line 17, current-context: names no context; it must be the name of one of the contexts: contexts\[0\]\.name \(line 13\)\.$/,
    );
  });
  test("a token in a context's user", () => {
    quiet(edit('      user: dev-user', `      user: ${TOKEN}`), /line 16, contexts\[0\]\.context\.user: names no user/);
  });
  test('a token as a duplicated cluster name', () => {
    const text = edit('name: dev-cluster', `name: ${TOKEN}`, edit('users:', `  - name: ${TOKEN}\n    cluster:\n      server: https://10.0.0.1:6443\nusers:`));
    quiet(text, /line 8, clusters\[1\]\.name: is also the name of clusters\[0\] \(line 4\)/);
  });
  test('a value holding a quote, a backslash and a newline', () => {
    quiet(edit('      user: dev-user', '      user: "sEcReT\\"x\\\\y\\n::error::forged"'), /line 16, contexts\[0\]\.context\.user: names no user/);
  });
  test('many contexts: five are listed by key path, the rest counted', () => {
    const extra = Array.from({ length: 40 }, (_, i) => `  - name: ${TOKEN}-${i}\n    context:\n      cluster: dev-cluster\n      user: dev-user\n`).join('');
    quiet(
      edit('contexts:\n', `contexts:\n${extra}`, edit('current-context: dev', 'current-context: nope')),
      /current-context: names no context; it must be the name of one of the contexts: contexts\[0\]\.name \(line 13\), contexts\[1\]\.name \(line 17\), contexts\[2\]\.name \(line 21\), contexts\[3\]\.name \(line 25\), contexts\[4\]\.name \(line 29\) and 36 more\.$/,
    );
  });
});

describe('validateKubeconfig: kubeconfigs that depend on the build machine', () => {
  const cases: readonly (readonly [string, string, RegExp])[] = [
    [
      'certificate-authority',
      edit('certificate-authority-data: Q0EtREFUQQ==', 'certificate-authority: /home/ci/.minikube/ca.crt'),
      /^line 7, clusters\[0\]\.cluster\.certificate-authority: names a CA file, .*certificate-authority-data/,
    ],
    [
      'client-certificate',
      edit('token: sEcReT-aaaa1111bbbb', 'client-certificate: /etc/kube/admin.crt'),
      /^line 11, users\[0\]\.user\.client-certificate: .*client-certificate-data/,
    ],
    ['client-key', edit('token: sEcReT-aaaa1111bbbb', 'client-key: /etc/kube/admin.key'), /^line 11, users\[0\]\.user\.client-key: .*client-key-data/],
    [
      'tokenFile',
      edit('token: sEcReT-aaaa1111bbbb', 'tokenFile: /var/run/secrets/token'),
      /^line 11, users\[0\]\.user\.tokenFile: names a token file, .*embed the token with token/,
    ],
    [
      'exec',
      edit('token: sEcReT-aaaa1111bbbb', 'exec:\n        apiVersion: client.authentication.k8s.io/v1beta1\n        command: aws'),
      /^line 11, users\[0\]\.user\.exec: runs a credential plugin command/,
    ],
    [
      'auth-provider',
      edit('token: sEcReT-aaaa1111bbbb', 'auth-provider:\n        name: oidc'),
      /^line 11, users\[0\]\.user\.auth-provider: uses an auth-provider plugin/,
    ],
  ];
  for (const [name, text, pattern] of cases) {
    test(`${name}: a warning normally`, () => {
      const { warnings } = validateKubeconfig(text, false);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0] ?? '', pattern);
      assert.match(warnings[0] ?? '', /developer's machine/);
      assertNoSecret(warnings[0] ?? '');
    });
    test(`${name}: an InputError under strict`, () => rejects(text, /is not self-contained, and strict mode turns that into an error: line \d+/, true));
  }

  test('every such key is reported, in file order', () => {
    const text = edit(
      'token: sEcReT-aaaa1111bbbb',
      'client-key: /k\n      client-certificate: /c',
      edit('certificate-authority-data: Q0EtREFUQQ==', 'certificate-authority: /ca'),
    );
    const { warnings } = validateKubeconfig(text, false);
    assert.deepEqual(
      warnings.map((warning) => warning.split(':')[0]),
      ['line 7, clusters[0].cluster.certificate-authority', 'line 11, users[0].user.client-key', 'line 12, users[0].user.client-certificate'],
    );
  });

  test('an empty path is not reported (kubectl ignores it)', () => {
    const text = edit('certificate-authority-data: Q0EtREFUQQ==', "certificate-authority-data: Q0EtREFUQQ==\n      certificate-authority: ''");
    assert.deepEqual(validateKubeconfig(text, true).warnings, []);
  });
});

describe('validateKubeconfig accepts', () => {
  const cases: readonly (readonly [string, string])[] = [
    ['the test fixture', FIXTURE],
    ['the base kubeconfig', BASE],
    ['one without apiVersion and kind (kubectl defaults them)', edit('apiVersion: v1\nkind: Config\n', '')],
    ['an anonymous user', edit('    user:\n      token: sEcReT-aaaa1111bbbb', '    user: {}')],
    ['a user with basic auth', edit('token: sEcReT-aaaa1111bbbb', 'username: admin\n      password: hunter2')],
    ['client certificate data', edit('token: sEcReT-aaaa1111bbbb', 'client-certificate-data: Q0VSVA==\n      client-key-data: S0VZ')],
    [
      'an http server with insecure-skip-tls-verify',
      edit('server: https://127.0.0.1:6443', 'server: http://10.0.0.1:8080\n      insecure-skip-tls-verify: true'),
    ],
    ['extra top-level keys', `${BASE}preferences: {}\nextensions: []\n`],
    [
      'several contexts, the current one not first',
      edit(
        'current-context: dev',
        '  - name: staging\n    context:\n      cluster: dev-cluster\n      user: dev-user\n      namespace: staging\ncurrent-context: staging',
      ),
    ],
    [
      'anchors and aliases',
      edit('    user:\n      token: sEcReT-aaaa1111bbbb', '    user: &creds\n      token: sEcReT-aaaa1111bbbb\n  - name: other-user\n    user: *creds'),
    ],
    [
      'JSON, which is YAML too',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': 'Q0EtREFUQQ==' } }],
        users: [{ name: 'u', user: { token: 'sEcReT-aaaa1111bbbb' } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
    ],
  ];
  for (const [name, text] of cases) {
    test(name, () => {
      assert.deepEqual(validateKubeconfig(text, true), { warnings: [] });
    });
  }

  test('the fixture is one ktctl would take: longer than 50 bytes, embedded CA, token user', () => {
    assert.ok(Buffer.byteLength(FIXTURE) > 50);
    assert.match(FIXTURE, /certificate-authority-data: \S+/);
    assert.match(FIXTURE, /server: https:\/\/127\.0\.0\.1:6443/);
    assert.match(FIXTURE, /token: \S+/);
  });
});
