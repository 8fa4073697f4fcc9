// Parses YAML whose text must never be shown: the kubeconfig holds credentials and the kt
// config may name private registries. Errors give a line and column, never the line itself.
import { isAlias, isScalar, LineCounter, parseDocument } from 'yaml';
import type { Document, ErrorCode, Node, Pair, YAMLMap } from 'yaml';
import { InputError } from '../errors.js';


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
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const error = doc.errors[0];
  if (error !== undefined) {
    const at = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
    const what = YAML_ERROR_WORDS[error.code] ?? 'a YAML syntax error';
    throw new InputError(
      input,
      `is not valid YAML: line ${at.line}, column ${at.col}: ${what} (YAML error ${error.code}; the line is not shown because it may hold a secret). ${hint}`,
    );
  }
  const lineOf = (...nodes: readonly unknown[]): number => {
    for (const node of nodes) {
      const range = (node as Partial<Node> | null | undefined)?.range;
      if (range !== undefined && range !== null) return lineCounter.linePos(range[0]).line;
    }
    return 1;
  };
  return { doc, lineOf };
}

/** Follows an alias (`*name`) to the node it names; Go's YAML decoders expand them too. */
export function deref(doc: Document.Parsed, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

/** The key of a pair when it is a plain string key. */
export function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) && typeof pair.key.value === 'string' ? pair.key.value : undefined;
}

/** The pair with this key in a mapping. */
export function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((pair) => keyOf(pair) === key);
}
