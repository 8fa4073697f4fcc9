// Real credentials for tests of their lifetime: JWTs signed with a key made here, and X.509
// certificates made by the openssl command. Both are fakes no cluster accepts.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** An RS256 JWT shaped like a Kubernetes service account token; `exp` in seconds, or none. */
export function makeJwt(exp: number | undefined): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = part({ alg: 'RS256', kid: 'test-key' });
  const payload = part({
    iss: 'https://kubernetes.default.svc.cluster.local',
    sub: 'system:serviceaccount:kt:ktctl',
    aud: ['https://kubernetes.default.svc.cluster.local'],
    iat: Math.floor(Date.now() / 1000) - 60,
    ...(exp === undefined ? {} : { exp }),
  });
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), privateKey).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

/** A self-signed client certificate valid for `days` days, and its key, both PEM, made by openssl. */
export function makeCertificate(days: number): { certificate: string; key: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ktctl-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        String(days),
        '-subj',
        '/CN=ktctl',
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
      ],
      { cwd: dir, stdio: 'pipe' },
    );
    return { certificate: readFileSync(path.join(dir, 'cert.pem'), 'utf8'), key: readFileSync(path.join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CLUSTER = `apiVersion: v1
kind: Config
clusters:
  - name: test-cluster
    cluster:
      server: https://127.0.0.1:6443
contexts:
  - name: test-context
    context:
      cluster: test-cluster
      user: test-user
      namespace: default
current-context: test-context
`;

/** A kubeconfig whose current context's user has this bearer token. */
export function kubeconfigWithToken(token: string): string {
  return `${CLUSTER}users:\n  - name: test-user\n    user:\n      token: ${token}\n`;
}

/** A kubeconfig whose current context's user has this client certificate and key. */
export function kubeconfigWithCertificate(pair: { certificate: string; key: string }): string {
  const b64 = (text: string): string => Buffer.from(text).toString('base64');
  return `${CLUSTER}users:\n  - name: test-user\n    user:\n      client-certificate-data: ${b64(pair.certificate)}\n      client-key-data: ${b64(pair.key)}\n`;
}

/** Every piece of `secret` of `length` characters: none may appear in any output. */
export function pieces(secret: string, length = 8): string[] {
  const result: string[] = [];
  for (let i = 0; i + length <= secret.length; i++) result.push(secret.slice(i, i + length));
  return result;
}
