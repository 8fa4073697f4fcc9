// The documentation is split by reader (README.md and docs/*.md). A page that moves must not
// leave a dead link behind: every relative link in them must name a file of the repository,
// and every #anchor a heading of the page it points into (GitHub's heading ids).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const root = process.cwd();
const PAGES = ['README.md', ...readdirSync(path.join(root, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`)]; // prettier-ignore

/**
 * Pages other work in progress writes (docs/admin-checks.md: the checks before building, the
 * credential lifetime, dry-run, upx per OS). Links to them are allowed before they exist; once
 * a page exists, its anchors are checked like any other.
 */
const WRITTEN_ELSEWHERE = new Set<string>();

/** GitHub's id of a heading: lower case, punctuation but '-' and '_' dropped, spaces to '-'. */
function headingId(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Heading ids of a Markdown page, outside fenced code. */
function anchors(file: string): Set<string> {
  const ids = new Set<string>();
  let fenced = false;
  for (const line of readFileSync(path.join(root, file), 'utf8').split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = fenced ? undefined : /^#{1,6} (.+)$/.exec(line)?.[1];
    if (heading !== undefined) ids.add(headingId(heading));
  }
  return ids;
}

/** Relative links `[text](target)` outside fenced code, with their line numbers. */
function links(file: string): { target: string; line: number }[] {
  const found: { target: string; line: number }[] = [];
  let fenced = false;
  readFileSync(path.join(root, file), 'utf8')
    .split('\n')
    .forEach((line, index) => {
      if (line.startsWith('```') || line.startsWith('   ```')) fenced = !fenced;
      if (fenced) return;
      for (const match of line.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1]!;
        if (!/^[a-z]+:/.test(target)) found.push({ target, line: index + 1 });
      }
    });
  return found;
}

test('the documentation pages exist, each for its reader', () => {
  for (const page of ['docs/admin-guide.md', 'docs/credentials.md', 'docs/developers.md', 'docs/contributing.md', 'docs/installing-the-action.md']) {
    assert.ok(PAGES.includes(page), page);
  }
});

test('every relative link in README.md and docs/ leads to a file, and every anchor to a heading', () => {
  const broken: string[] = [];
  for (const page of PAGES) {
    for (const { target, line } of links(page)) {
      const [file, anchor] = target.split('#') as [string, string | undefined];
      const resolved = file === '' ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), file));
      if (!existsSync(path.join(root, resolved))) {
        if (!WRITTEN_ELSEWHERE.has(resolved)) broken.push(`${page}:${line}: ${target} (no file ${resolved})`);
        continue;
      }
      if (anchor === undefined || !resolved.endsWith('.md') || statSync(path.join(root, resolved)).isDirectory()) continue;
      if (!anchors(resolved).has(anchor)) broken.push(`${page}:${line}: ${target} (no heading #${anchor} in ${resolved})`);
    }
  }
  assert.deepEqual(broken, []);
});

test('each docs page but the shortest starts with a table of contents that matches its headings', () => {
  for (const page of PAGES.filter((p) => p.startsWith('docs/') && !WRITTEN_ELSEWHERE.has(p) && p !== 'docs/developers.md')) {
    const text = readFileSync(path.join(root, page), 'utf8');
    const ids = anchors(page);
    const listed = [...text.matchAll(/^ *- \[[^\]]+\]\(#([^)]+)\)$/gm)].map((match) => match[1]!);
    assert.ok(listed.length >= 3, `${page} has a table of contents`);
    for (const id of listed) assert.ok(ids.has(id), `${page}: #${id}`);
  }
});
