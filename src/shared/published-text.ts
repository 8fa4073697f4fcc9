// One guard for every text the action publishes or writes: the release's name and body (given or
// generated), the assets made in memory (checksums, build-info.json), the SBOM, images.txt, the
// job summary and the step outputs. None of them may hold a fragment of either config that the
// log masks (secrets.ts secretFragments): the log would hide it, and a release would show it to
// everyone who can read the repository.
//
// A text the user gave (release-body, release-body-file, release-name) that holds one is refused
// as bad input, naming the input and never quoting it; a text the action made fails the run
// before it reaches GitHub or the disk. The scan is Aho-Corasick over all fragments at once:
// linear in the text, whatever the text and however many fragments.
//
// What the action publishes on purpose is allowed: the kubeconfig's current context and its
// namespace (the release notes name them, see release-notes.ts) and the image references of
// images.txt and the `images` output (the registry the images are mirrored to).
import { InputError } from './errors.js';
import { secretFragments } from './secrets.js';

export type ConfigName = 'kubeconfig' | 'kt-config';

/** Longest allowed text an exemption is looked for in: context names and image references are short. */
const MAX_ALLOWED_LENGTH = 1000;

/**
 * Finds any of many fragments in a text in one pass (Aho-Corasick over UTF-16 code units). Most
 * states of a trie have one child: that one is kept in two flat arrays, further ones in a Map of
 * the state. The arrays are typed and sized once (a state per code unit of the fragments at
 * most), and fail links are set in one breadth-first pass: fragments of a million code units build
 * in under 0.1 s here (arrays grown by push and a list of states per depth took a second).
 */
export class FragmentMatcher {
  private readonly firstCode: Int32Array;
  private readonly firstTo: Int32Array;
  private readonly more = new Map<number, Map<number, number>>();
  private readonly fail: Int32Array;
  /** Per state: the index of a fragment ending here (directly or through fail links), or -1. */
  private readonly output: Int32Array;

  constructor(fragments: readonly string[]) {
    const capacity = 1 + fragments.reduce((units, fragment) => units + fragment.length, 0);
    this.firstCode = new Int32Array(capacity).fill(-1);
    this.firstTo = new Int32Array(capacity);
    this.fail = new Int32Array(capacity);
    this.output = new Int32Array(capacity).fill(-1);
    let states = 1;
    fragments.forEach((fragment, index) => {
      let state = 0;
      for (let i = 0; i < fragment.length; i++) {
        const code = fragment.charCodeAt(i);
        let to = this.step(state, code);
        if (to === undefined) {
          to = states++;
          this.addEdge(state, code, to);
        }
        state = to;
      }
      if (fragment !== '' && this.output[state] === -1) this.output[state] = index;
    });
    // fail links breadth first: a state's is set after those of every shallower state; the
    // root's children fail to the root (their fail entry stays 0)
    const queue = new Int32Array(states);
    let head = 0;
    let tail = 0;
    this.forEachChild(0, (_code, child) => (queue[tail++] = child));
    while (head < tail) {
      const state = queue[head++]!;
      this.forEachChild(state, (code, child) => {
        let fallback = this.fail[state]!;
        let target = this.step(fallback, code);
        while (target === undefined && fallback !== 0) {
          fallback = this.fail[fallback]!;
          target = this.step(fallback, code);
        }
        this.fail[child] = target ?? 0;
        if (this.output[child] === -1) this.output[child] = this.output[this.fail[child]!]!;
        queue[tail++] = child;
      });
    }
  }

  /** The index of a fragment that occurs in `text`, or -1. */
  find(text: string): number {
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      let to = this.step(state, code);
      while (to === undefined && state !== 0) {
        state = this.fail[state]!;
        to = this.step(state, code);
      }
      state = to ?? 0;
      if (this.output[state] !== -1) return this.output[state]!;
    }
    return -1;
  }

  private step(state: number, code: number): number | undefined {
    if (this.firstCode[state] === code) return this.firstTo[state];
    return this.more.get(state)?.get(code);
  }

  private forEachChild(state: number, visit: (code: number, child: number) => void): void {
    if (this.firstCode[state] === -1) return;
    visit(this.firstCode[state]!, this.firstTo[state]!);
    for (const [code, child] of this.more.get(state) ?? []) visit(code, child);
  }

  private addEdge(state: number, code: number, to: number): void {
    if (this.firstCode[state] === -1) {
      this.firstCode[state] = code;
      this.firstTo[state] = to;
      return;
    }
    let edges = this.more.get(state);
    if (edges === undefined) this.more.set(state, (edges = new Map()));
    edges.set(code, to);
  }
}

interface Fragment {
  readonly text: string;
  readonly config: ConfigName;
}

export class PublishedTextGuard {
  private readonly cache = new Map<string, FragmentMatcher>();

  private constructor(
    private readonly fragments: readonly Fragment[],
    /** Texts the action publishes on purpose (see the top of this file). */
    private readonly published: readonly string[],
  ) {}

  /** `configs`: each config as given (raw, maybe base64) and as decoded; `published`: what may appear. */
  static forConfigs(
    configs: ReadonlyArray<{ readonly name: ConfigName; readonly text: string | undefined }>,
    published: readonly string[] = [],
  ): PublishedTextGuard {
    const fragments: Fragment[] = [];
    const seen = new Set<string>();
    for (const { name, text } of configs) {
      if (text === undefined) continue;
      for (const fragment of secretFragments(text)) {
        if (seen.has(fragment)) continue;
        seen.add(fragment);
        fragments.push({ text: fragment, config: name });
      }
    }
    return new PublishedTextGuard(fragments, published);
  }

  /** The config one of whose fragments `text` holds, or undefined. */
  configIn(text: string, allowed: readonly string[] = []): ConfigName | undefined {
    if (this.fragments.length === 0) return undefined;
    const index = this.matcherFor(allowed).find(text);
    return index === -1 ? undefined : this.fragments[index]!.config;
  }

  /** A text an input gave: no NUL, no fragment of a config. Names the input, never quotes the text. */
  checkGiven(input: string, text: string): void {
    if (text.includes('\0')) throw new InputError(input, 'holds a NUL character; give plain text.');
    const config = this.configIn(text);
    if (config !== undefined) {
      throw new InputError(
        input,
        `holds a part of the ${config} input (a line or value the log masks); remove it: the release shows it to everyone who can read the repository.`,
      );
    }
  }

  /** A text the action made, before it is published or written; returns it unchanged. */
  checkPublished(what: string, text: string, allowed: readonly string[] = []): string {
    const config = this.configIn(text, allowed);
    if (config !== undefined) {
      throw new Error(
        `The ${what} would hold a part of the ${config} input (a line or value the log masks), so it was not published or written. ` +
          `It can only come from an input the ${what} names (version, release-tag, release-name, asset-name-template, image-registry): give that input a value that is not taken from the ${config}.`,
      );
    }
    return text;
  }

  /** The matcher without the fragments that lie inside an allowed text. */
  private matcherFor(allowed: readonly string[]): FragmentMatcher {
    const exempt = [...this.published, ...allowed].filter((text) => text !== '' && text.length <= MAX_ALLOWED_LENGTH);
    const key = exempt.join('\0');
    let matcher = this.cache.get(key);
    if (matcher === undefined) {
      // a fragment inside a name published on purpose is published by that name anyway
      matcher = new FragmentMatcher(this.fragments.map((fragment) => (exempt.some((text) => text.includes(fragment.text)) ? '' : fragment.text)));
      this.cache.set(key, matcher);
    }
    return matcher;
  }
}

/** The guard of this process: none until run-inputs.ts (or cli.ts) arms it with the configs. */
let armed = PublishedTextGuard.forConfigs([]);

export function armPublishedTextGuard(guard: PublishedTextGuard): void {
  armed = guard;
}

/** A text the action made, checked before it is published or written (see PublishedTextGuard.checkPublished). */
export function publishedText(what: string, text: string, allowed: readonly string[] = []): string {
  return armed.checkPublished(what, text, allowed);
}

/** A text an input gave for the release (see PublishedTextGuard.checkGiven). */
export function checkGivenText(input: string, text: string): void {
  armed.checkGiven(input, text);
}

/** A step output's value, checked: later steps may publish what they get (report.ts sets it). */
export function checkedOutput(name: string, value: string, allowed: readonly string[] = []): string {
  return publishedText(`output '${name}'`, value, allowed);
}
