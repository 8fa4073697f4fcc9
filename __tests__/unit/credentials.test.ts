// Reading the embedded credential's lifetime from real JWTs and real certificates.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { X509Certificate } from 'node:crypto';
import { judgeLifetime, credentialsExpireOutput } from '../../src/inputs/config-checks.js';
import { certificateExpiry, jwtExpiry, readCredentials } from '../../src/inputs/credentials.js';
import type { Log } from '../../src/shared/log.js';
import { kubeconfigWithCertificate, kubeconfigWithToken, makeCertificate, makeJwt, pieces } from '../support/credentials.js';

const DAY = 86400;
const now = new Date();
const nowSeconds = Math.floor(now.getTime() / 1000);

function recordingLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info: ${m}`), warning: (m) => lines.push(`warning: ${m}`), group: (_t, work) => work() };
}

describe('jwtExpiry', () => {
  test('the exp of a signed JWT; none; not a JWT', () => {
    assert.deepEqual(jwtExpiry(makeJwt(nowSeconds + 10 * DAY)), new Date((nowSeconds + 10 * DAY) * 1000));
    assert.equal(jwtExpiry(makeJwt(undefined)), undefined);
    assert.equal(jwtExpiry('fixture-token-0123456789abcdef'), 'not-jwt');
    assert.equal(jwtExpiry('a.b.c'), 'not-jwt', 'payload is not JSON');
  });
});

describe('certificateExpiry', () => {
  test("an openssl certificate's NotAfter, read from client-certificate-data", () => {
    const pair = makeCertificate(45);
    const expected = new Date(new X509Certificate(pair.certificate).validTo);
    assert.deepEqual(certificateExpiry(Buffer.from(pair.certificate).toString('base64')), expected);
    const days = (expected.getTime() - now.getTime()) / 1000 / DAY;
    assert.ok(days > 44 && days < 46, `${days} days`);
    assert.equal(certificateExpiry(Buffer.from('not a certificate').toString('base64')), undefined);
  });
});

describe('readCredentials', () => {
  test('the current context user is marked; plugins and files are unknown', () => {
    const token = makeJwt(nowSeconds + 3 * DAY);
    const text = `${kubeconfigWithToken(token)}  - name: other\n    user:\n      exec:\n        apiVersion: client.authentication.k8s.io/v1\n        command: aws\n  - name: files\n    user:\n      tokenFile: /var/run/token\n`;
    const readings = readCredentials(text);
    assert.deepEqual(
      readings.map((r) => [r.path, r.current, r.kind]),
      [
        ['users[0]', true, 'jwt'],
        ['users[1]', false, 'exec'],
        ['users[2]', false, 'token-file'],
      ],
    );
    assert.deepEqual(readings[0]!.expires, new Date((nowSeconds + 3 * DAY) * 1000));
    assert.equal(readings[1]!.expires, undefined);
    const certificate = readCredentials(kubeconfigWithCertificate(makeCertificate(400)));
    assert.equal(certificate[0]!.kind, 'certificate');
    assert.ok(certificate[0]!.expires !== undefined);
  });
});

describe('judgeLifetime', () => {
  test('expired fails naming kubeconfig and the day, and no piece of the token', () => {
    const token = makeJwt(nowSeconds - 2 * DAY);
    const log = recordingLog();
    assert.throws(
      () => judgeLifetime(readCredentials(kubeconfigWithToken(token)), 30, now, log),
      (error: unknown) => {
        const message = (error as Error).message;
        assert.match(
          message,
          /^Input 'kubeconfig': the credential of the current context's user \(users\[0\], a bearer token \(JWT\)\) expired on \d{4}-\d\d-\d\d \(UTC\)/,
        );
        assert.ok(message.includes(new Date((nowSeconds - 2 * DAY) * 1000).toISOString().slice(0, 10)));
        for (const piece of pieces(token)) assert.ok(!message.includes(piece) && !log.lines.join('\n').includes(piece));
        return true;
      },
    );
  });
  test('within min-credential-days warns with the date; beyond it only informs; no exp gives no date', () => {
    const soon = recordingLog();
    const expires = judgeLifetime(readCredentials(kubeconfigWithToken(makeJwt(nowSeconds + 5 * DAY))), 30, now, soon);
    assert.equal(credentialsExpireOutput(expires), new Date((nowSeconds + 5 * DAY) * 1000).toISOString().replace('.000Z', 'Z'));
    assert.equal(soon.lines.filter((line) => line.startsWith('warning: ')).length, 1);
    assert.match(soon.lines.join('\n'), /warning: Input 'kubeconfig': .* expires on \d{4}-\d\d-\d\d \(UTC\), in [45] days \(min-credential-days is 30\)/);
    const later = recordingLog();
    judgeLifetime(readCredentials(kubeconfigWithToken(makeJwt(nowSeconds + 90 * DAY))), 30, now, later);
    assert.equal(later.lines.filter((line) => line.startsWith('warning: ')).length, 0);
    const none = recordingLog();
    assert.equal(judgeLifetime(readCredentials(kubeconfigWithToken(makeJwt(undefined))), 30, now, none), undefined);
    assert.match(none.lines.join('\n'), /the JWT has no exp/);
  });
});
