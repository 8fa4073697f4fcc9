// Parses YAML whose text must never be shown: the kubeconfig holds credentials and the kt
// config may name private registries. Errors give a line and column, never the line itself.
import { Composer, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Parser } from 'yaml';
import type { Alias, CST, Document, ErrorCode, Node, Pair, YAMLMap } from 'yaml';
import { InputError } from './errors.js';

/** What a parse error was, in words that never quote the input. */
const YAML_ERROR_WORDS: Partial<Record<ErrorCode, string>> = {
  BAD_INDENT: 'bad indentation',
  TAB_AS_INDENT: 'a tab used for indentation (YAML indents with spaces only)',
  MISSING_CHAR: 'a missing character, such as a closing quote or bracket, or the space after a colon',
  UNEXPECTED_TOKEN: 'unexpected text, often a missing colon or a stray character',
  DUPLICATE_KEY: 'a key that appears twice in the same mapping',
  MULTIPLE_DOCS: 'a second YAML document (a --- separator); give one document',
  BLOCK_AS_IMPLICIT_KEY: 'a key that spans several lines, often a missing colon or bad indentation',
  MULTILINE_IMPLICIT_KEY: 'a key that spans several lines, often a missing colon or bad indentation',
  BAD_DQ_ESCAPE: 'an invalid escape sequence in a double-quoted string',
  BAD_SCALAR_START: 'a plain value that starts with a reserved character; quote it',
  BLOCK_IN_FLOW: 'a block collection inside a flow collection ([...] or {...})',
  BAD_ALIAS: 'an alias (*name) with no matching anchor',
  TAG_RESOLVE_FAILED: 'a tag (!name) that cannot be resolved',
  KEY_OVER_1024_CHARS: 'an implicit key longer than 1024 characters',
  NON_STRING_KEY: 'a key that is not a string',
  RESOURCE_EXHAUSTION: 'too many alias expansions',
};

export interface SecretYaml {
  readonly doc: Document.Parsed;
  /** 1-based line where a node starts, or where the nearest node that has a position starts. */
  readonly lineOf: (...nodes: readonly (unknown | null | undefined)[]) => number;
}

/**
 * Parses YAML for an input whose text must never be shown. On a syntax error it throws an
 * InputError with the line and column only: the parser's own message can quote the offending
 * line (the "pretty" snippet) or a token of it, and that line may hold a credential.
 */
export function parseSecretYaml(text: string, input: string, hint: string): SecretYaml {
  const lineCounter = new LineCounter();
  const invalid = (offset: number, code: ErrorCode): never => {
    const at = lineCounter.linePos(offset);
    const what = YAML_ERROR_WORDS[code] ?? 'a YAML syntax error';
    throw new InputError(
      input,
      `is not valid YAML: line ${at.line}, column ${at.col}: ${what} (YAML error ${code}; the line is not shown because it may hold a secret). ${hint}`,
    );
  };
  // As yaml's parseDocument, in its two steps, with a check between them. Linear in the text,
  // whatever it holds: the library's `uniqueKeys` compares each key with every earlier one
  // (quadratic in a mapping's size) and its pretty errors scan the text once per error
  // (quadratic in a run of quotes), so both are off and keys are checked here.
  const tokens = [...new Parser(lineCounter.addNewLine).parse(text)];
  // The composer recurses once per level: `- - - … x` a few thousand deep exhausts the stack,
  // and V8 may then abort the whole process instead of throwing.
  const tooDeep = firstTooDeep(tokens);
  if (tooDeep !== undefined) {
    const at = lineCounter.linePos(tooDeep);
    throw new InputError(
      input,
      `is not valid YAML for a config: line ${at.line}, column ${at.col} is nested more than ${MAX_DEPTH} levels deep (the line is not shown because it may hold a secret). ${hint}`,
    );
  }
  const documents = new Composer({ uniqueKeys: false, prettyErrors: false }).compose(tokens, true, text.length);
  const doc = documents.next().value as Document.Parsed;
  const error = doc.errors[0];
  if (error !== undefined) invalid(error.pos[0], error.code);
  const second = documents.next();
  if (second.done !== true) invalid(second.value.range[0], 'MULTIPLE_DOCS');
  const duplicate = resolveAliases(doc);
  if (duplicate !== undefined) invalid(duplicate, 'DUPLICATE_KEY');
  const lineOf = (...nodes: readonly unknown[]): number => {
    for (const node of nodes) {
      const range = (node as Partial<Node> | null | undefined)?.range;
      if (range !== undefined && range !== null) return lineCounter.linePos(range[0]).line;
    }
    return 1;
  };
  return { doc, lineOf };
}

/** Nesting no config comes near: a kubeconfig is some eight levels deep, a kt config three. */
const MAX_DEPTH = 64;

/** The offset of a collection nested deeper than MAX_DEPTH, if there is one: a walk without recursion. */
function firstTooDeep(tokens: readonly CST.Token[]): number | undefined {
  const pending: [CST.Token | undefined, number][] = tokens.map((token) => [token, 0]);
  while (pending.length > 0) {
    const [token, depth] = pending.pop()!;
    if (token === undefined) continue;
    if (depth > MAX_DEPTH) return token.offset;
    if (token.type === 'document') pending.push([token.value, depth]);
    if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      for (const item of token.items) pending.push([item.key ?? undefined, depth + 1], [item.value ?? undefined, depth + 1]);
    }
  }
  return undefined;
}

/** What each alias of a parsed document names: filled by one walk in parseSecretYaml. */
const ALIAS_TARGETS = new WeakMap<Document.Parsed, Map<Alias, unknown>>();

/**
 * Walks the document once, in document order, without recursion: records the node each alias
 * names (the last anchor of that name before it, as yaml's Alias.resolve finds, which walks the
 * whole document on every call) and finds the first key that appears twice in one mapping.
 * Returns that key's offset, if there is one.
 */
function resolveAliases(doc: Document.Parsed): number | undefined {
  const anchors = new Map<string, unknown>();
  const targets = new Map<Alias, unknown>();
  ALIAS_TARGETS.set(doc, targets);
  const pending: unknown[] = [doc.contents];
  while (pending.length > 0) {
    const node = pending.pop();
    if (isPair(node)) {
      pending.push(node.value, node.key);
      continue;
    }
    if (isAlias(node)) {
      targets.set(node, anchors.get(node.source));
      continue;
    }
    const anchor = (node as Partial<Node> | null | undefined)?.anchor;
    if (anchor !== undefined) anchors.set(anchor, node);
    if (isMap(node)) {
      // as yaml's uniqueKeys: scalar keys with the same value are the same key
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        if (seen.has(pair.key.value)) return pair.key.range?.[0] ?? 0;
        seen.add(pair.key.value);
      }
    }
    if (isMap(node) || isSeq(node)) for (let i = node.items.length - 1; i >= 0; i--) pending.push(node.items[i]);
  }
  return undefined;
}

/** Follows an alias (`*name`) to the node it names; Go's YAML decoders expand them too. */
export function deref(doc: Document.Parsed, node: unknown): unknown {
  if (!isAlias(node)) return node;
  const targets = ALIAS_TARGETS.get(doc);
  return targets !== undefined ? targets.get(node) : node.resolve(doc);
}

/** The key of a pair when it is a plain string key. */
export function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) && typeof pair.key.value === 'string' ? pair.key.value : undefined;
}

/** The pair with this key in a mapping. */
export function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((pair) => keyOf(pair) === key);
}
