// GitHub's write pacing (write-pacing.ts): one write at a time, writes a unit apart, requests
// that notify three units apart, in units of the retry wait. The queue logic on its own, then a
// real client against the local GitHub server with a half-second unit (the server sees a write when
// it has taken effect, after the client sent it and maybe after a busy moment of this process, which
// a loaded machine makes up to a few hundred milliseconds: gaps are checked to half a unit; unpaced,
// they are a few milliseconds).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createReleaseClient } from '../../src/publish/github.js';
import { pacingGroup } from '../../src/publish/write-pacing.js';
import { GitHubServer } from '../support/github-server.js';
import { makeArchives, memoryLog, tempDir } from './helpers.js';

test('a queue starts its jobs one at a time, each at least the gap after the one before, and goes on after a failure', async () => {
  const queue = pacingGroup(40).key('one');
  const starts: number[] = [];
  const ends: number[] = [];
  const job = async (fail: boolean): Promise<string> => {
    starts.push(performance.now());
    await new Promise((resolve) => setTimeout(resolve, 60));
    ends.push(performance.now());
    if (fail) throw new Error('deliberate');
    return 'done';
  };
  const results = await Promise.allSettled([queue.schedule({}, job, false), queue.schedule({}, job, true), queue.schedule({}, job, false)]);
  assert.deepEqual(
    results.map((result) => result.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  for (let i = 1; i < starts.length; i++) {
    assert.ok(starts[i]! >= ends[i - 1]! - 1, `job ${i} started before job ${i - 1} ended`);
    assert.ok(starts[i]! - starts[i - 1]! >= 39, `job ${i} started ${starts[i]! - starts[i - 1]!} ms after the one before`);
  }
});

test('queues of different ids do not wait for each other; the same gap and id share one queue', async () => {
  assert.equal(pacingGroup(40), pacingGroup(40));
  const started: Record<string, number> = {};
  const slow = (name: string) => async (): Promise<void> => {
    started[name] = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 200));
  };
  const t0 = performance.now();
  await Promise.all([pacingGroup(40).key('a').schedule({}, slow('a')), pacingGroup(40).key('b').schedule({}, slow('b'))]);
  assert.ok(started['b']! - t0 < 150, 'b did not wait for a');
});

let github: GitHubServer;
before(async () => {
  github = await GitHubServer.start();
});
after(() => github.close());

test('a client paces its writes: a unit between writes, three before a release is created or published', async (t) => {
  const unit = 500;
  const client = createReleaseClient({
    token: 'write-token',
    apiUrl: github.apiUrl,
    owner: github.owner,
    repo: github.repo,
    log: memoryLog(),
    retryBaseMs: unit,
    throttleId: 'pacing-test',
  });
  const writes: { op: string; at: number }[] = [];
  github.observe((op) => writes.push({ op, at: performance.now() }));
  const scratch = await tempDir();
  t.after(scratch.cleanup);
  const archives = await makeArchives(scratch.dir, ['a.zip', 'b.zip', 'c.zip'], 'f');
  const first = await client.createRelease({ tag: 'paced-1', name: 'paced-1', body: '', draft: true, prerelease: false, targetCommitish: undefined });
  for (const archive of archives)
    await client.uploadAsset(first, { name: archive.name, contentType: 'application/zip', path: archive.path, size: archive.size });
  await client.createRelease({ tag: 'paced-2', name: 'paced-2', body: '', draft: true, prerelease: false, targetCommitish: undefined });
  assert.deepEqual(
    writes.map((write) => write.op),
    ['repos/create-release', 'repos/upload-release-asset', 'repos/upload-release-asset', 'repos/upload-release-asset', 'repos/create-release'],
  );
  for (let i = 1; i < writes.length; i++) {
    const gap = writes[i]!.at - writes[i - 1]!.at;
    assert.ok(gap >= 0.5 * unit, `${writes[i]!.op} came ${gap.toFixed(0)} ms after ${writes[i - 1]!.op}`);
  }
  const releases = writes.filter((write) => write.op === 'repos/create-release');
  const gap = releases[1]!.at - releases[0]!.at;
  assert.ok(gap >= 2 * unit, `the second release was created ${gap.toFixed(0)} ms after the first`);
});
