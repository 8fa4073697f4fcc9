// The local command's argument parser. Its own, not node:util's parseArgs: that one quotes what
// it was given in its errors, and a kubeconfig pasted where a path belongs must never be echoed.
// An error here names an option only when it looks like one (letters, digits, dashes), never a value.
import { editDistance } from '../inputs/index.js';

export interface ParsedArgs {
  readonly values: ReadonlyMap<string, string>;
  readonly flags: ReadonlySet<string>;
  readonly positionals: readonly string[];
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An option name as typed, safe to show: short and made of option characters only. */
function shown(name: string): string | undefined {
  return /^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/.test(name) ? name : undefined;
}

/** The known option closest to `name`, when it is close enough to be a typo. */
export function closestOption(name: string, known: readonly string[]): string | undefined {
  if (shown(name) === undefined) return undefined;
  let best: string | undefined;
  let distance = Infinity;
  for (const candidate of known) {
    const d = candidate.startsWith(name) || name.startsWith(candidate) ? Math.min(1, editDistance(name, candidate)) : editDistance(name, candidate);
    if (d < distance) {
      best = candidate;
      distance = d;
    }
  }
  return distance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/**
 * `--name VALUE`, `--name=VALUE`, boolean `--flag`, `-h`; `--` ends the options. A value option
 * takes the next argument whatever it looks like (a kubeconfig text may start with `---`).
 */
export function parseCliArgs(
  argv: readonly string[],
  valueOptions: readonly string[],
  flagOptions: readonly string[],
  shortFlags: Readonly<Record<string, string>>,
): ParsedArgs {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const positionals: string[] = [];
  const known = [...valueOptions, ...flagOptions];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const equals = arg.indexOf('=');
      const name = equals === -1 ? arg.slice(2) : arg.slice(2, equals);
      if (valueOptions.includes(name)) {
        const value = equals === -1 ? argv[++i] : arg.slice(equals + 1);
        if (value === undefined) throw new UsageError(`option --${name} needs a value.`);
        if (values.has(name)) throw new UsageError(`option --${name} is given twice.`);
        values.set(name, value);
        continue;
      }
      if (flagOptions.includes(name)) {
        if (equals !== -1) throw new UsageError(`option --${name} takes no value.`);
        flags.add(name);
        continue;
      }
      const printable = shown(name);
      const guess = closestOption(name, known);
      throw new UsageError(
        `unknown option ${printable === undefined ? '(not shown)' : `--${printable}`}${guess === undefined ? '' : `; did you mean --${guess}?`}`,
      );
    }
    if (arg.startsWith('-') && arg.length > 1) {
      const flag = shortFlags[arg.slice(1)];
      if (flag === undefined) throw new UsageError(`unknown option ${shown(arg.slice(1)) === undefined ? '(not shown)' : arg}.`);
      flags.add(flag);
      continue;
    }
    positionals.push(arg);
  }
  return { values, flags, positionals };
}
