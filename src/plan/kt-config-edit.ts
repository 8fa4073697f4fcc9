// Adds a setting to the kt config by editing its text, never by writing the YAML out again:
// a re-serialised config loses what the parser does not keep (`namespace: 0123` would ship as
// `123`, `+2223` as `2223`, quotes, comments, spacing). Each edit inserts at a place the
// parser's source ranges give: a line in a block mapping, an item in a flow mapping, or a new
// group at the end. Whatever results is parsed again and must read as the original plus the
// new settings; a form this cannot edit safely is refused, never guessed at. Pure and linear.
import { isMap, isScalar, type Document, type Node, type Pair, type YAMLMap } from 'yaml';

/** One insertion (or replacement of `remove` characters) at an offset of the original text. */
interface Edit {
  readonly at: number;
  readonly remove: number;
  readonly text: string;
}

/** A setting to add: `group.key: value`, where the group is absent, empty, or a mapping without the key. */
export interface NewSetting {
  readonly group: string;
  readonly key: string;
  /** Written plain in block style, double-quoted in flow style: no quote, backslash, '#' or space in it. */
  readonly value: string;
}

/** Why a setting could not be added by an edit of the text. */
export class UneditableError extends Error {}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The offset just past the end of the line holding `offset` (after its line break), or the text's end. */
function nextLine(text: string, offset: number): number {
  const end = text.indexOf('\n', offset);
  return end === -1 ? text.length : end + 1;
}

function rangeOf(node: unknown): [number, number, number] | undefined {
  const range = (node as Partial<Node> | null | undefined)?.range;
  return range ?? undefined;
}

/** The column of a key that stands first on its line, or undefined when something else precedes it (`- `, `? `). */
function keyColumn(text: string, key: unknown): number | undefined {
  const range = rangeOf(key);
  if (range === undefined) return undefined;
  const start = lineStart(text, range[0]);
  return /^ *$/.test(text.slice(start, range[0])) ? range[0] - start : undefined;
}

function quoted(value: string): string {
  return `"${value}"`;
}

/** Where a new `key: value` line goes in a block mapping, and its indentation. */
function blockMapEdit(text: string, map: YAMLMap, setting: NewSetting, eol: string): Edit {
  const first = map.items[0] as Pair | undefined;
  const column = first === undefined ? undefined : keyColumn(text, first.key);
  if (first === undefined || column === undefined) throw new UneditableError(`${setting.group}: its settings do not each start a line`);
  const line = `${' '.repeat(column)}${setting.key}: ${setting.value}${eol}`;
  // after the last setting when it sits on one line (a comment after it stays with it), else before the first
  const last = map.items[map.items.length - 1] as Pair;
  const keyRange = rangeOf(last.key);
  const valueRange = rangeOf(last.value);
  const end = valueRange?.[1] ?? keyRange?.[1];
  if (keyRange !== undefined && end !== undefined && (last.value === null || isScalar(last.value)) && !text.slice(keyRange[0], end).includes('\n')) {
    const at = nextLine(text, end);
    return { at, remove: 0, text: at === text.length && !text.endsWith('\n') ? `${eol}${line}` : line };
  }
  return { at: lineStart(text, rangeOf(first.key)![0]), remove: 0, text: line };
}

/** `key: "value"` as the first item of a flow mapping `{...}`. */
function flowMapEdit(text: string, map: YAMLMap, item: string, what: string): Edit {
  const range = rangeOf(map);
  if (range === undefined || text[range[0]] !== '{') throw new UneditableError(`${what} is a flow mapping whose opening brace was not found`);
  return { at: range[0] + 1, remove: 0, text: map.items.length === 0 ? item : `${item}, ` };
}

/**
 * The edits that add `settings` to the text of `doc`. `doc.contents` must be empty, a block
 * mapping or a flow mapping; each group absent, empty (`group:` with nothing after it) or a
 * mapping without the key. Throws UneditableError naming the place otherwise.
 */
export function insertSettings(text: string, doc: Document.Parsed, settings: readonly NewSetting[]): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const edits: Edit[] = [];
  let tail = '';
  const root = doc.contents;
  const rootIsEmpty = root === null || (isScalar(root) && root.value === null && rangeOf(root)?.[0] === rangeOf(root)?.[1]);
  for (const setting of settings) {
    const groupPair = isMap(root) ? root.items.find((pair) => isScalar(pair.key) && pair.key.value === setting.group) : undefined;
    if (groupPair === undefined) {
      if (rootIsEmpty || (isMap(root) && !root.flow)) {
        const indent = isMap(root) && root.items.length > 0 ? keyColumn(text, root.items[0]!.key) : 0;
        if (indent === undefined) throw new UneditableError('the top-level settings do not each start a line');
        const pad = ' '.repeat(indent);
        tail += `${pad}${setting.group}:${eol}${pad}  ${setting.key}: ${setting.value}${eol}`;
      } else if (isMap(root)) {
        edits.push(flowMapEdit(text, root, `${setting.group}: {${setting.key}: ${quoted(setting.value)}}`, 'the kt config'));
      } else {
        throw new UneditableError('the kt config is not a mapping of groups');
      }
      continue;
    }
    const body = groupPair.value;
    if (isMap(body)) {
      edits.push(body.flow ? flowMapEdit(text, body, `${setting.key}: ${quoted(setting.value)}`, setting.group) : blockMapEdit(text, body, setting, eol));
      continue;
    }
    const bodyRange = rangeOf(body);
    if (body === null || (isScalar(body) && body.value === null && bodyRange !== undefined && bodyRange[0] === bodyRange[1])) {
      // `group:` and nothing else on its line (a comment may follow): the new line goes right below
      const column = keyColumn(text, groupPair.key);
      const keyRange = rangeOf(groupPair.key);
      if (column === undefined || keyRange === undefined) throw new UneditableError(`${setting.group}: does not start a line`);
      const at = nextLine(text, keyRange[1]);
      const line = `${' '.repeat(column + 2)}${setting.key}: ${setting.value}${eol}`;
      edits.push({ at, remove: 0, text: at === text.length && !text.endsWith('\n') ? `${eol}${line}` : line });
      continue;
    }
    if (isScalar(body) && body.value === null && bodyRange !== undefined) {
      // `group: ~` or `group: null`: the null becomes a flow mapping holding the setting
      edits.push({ at: bodyRange[0], remove: bodyRange[1] - bodyRange[0], text: `{${setting.key}: ${quoted(setting.value)}}` });
      continue;
    }
    throw new UneditableError(`${setting.group}: is not a mapping of settings`);
  }
  // from the end backwards: each offset still points into the original text
  let result = text;
  for (const edit of [...edits].sort((a, b) => b.at - a.at)) {
    result = `${result.slice(0, edit.at)}${edit.text}${result.slice(edit.at + edit.remove)}`;
  }
  if (tail !== '') result = `${result}${result === '' || result.endsWith('\n') ? '' : eol}${tail}`;
  return result;
}
