// The checks of both configs that need nothing from the network: run first, by the action and
// the local command alike, so a bad or expiring config fails before anything is fetched.
import { InputError } from '../shared/errors.js';
import type { Log } from '../shared/log.js';
import type { BuildInputs } from '../model.js';
import { kindWords, readCredentials, type CredentialReading } from './credentials.js';
import { validateKtConfig } from './kt-config.js';
import { validateKubeconfig } from './kubeconfig.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ConfigCheck {
  /** When the current context's credential stops working; undefined: no date in it, or no kubeconfig embedded. */
  readonly credentialsExpire: Date | undefined;
}

/** `2027-01-31`: the day, in UTC, that messages name. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The `credentials-expire` output: ISO 8601 in UTC to the second, or empty. */
export function credentialsExpireOutput(date: Date | undefined): string {
  return date === undefined ? '' : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Validates both configs (the kt config without knowing the upstream tag yet: the keys of the
 * newest release; validateForUpstream checks it again against the tag) and the kubeconfig's
 * credential lifetime. Throws InputError for a config that cannot work; warns for the rest.
 */
export function checkConfigs(inputs: Pick<BuildInputs, 'configs' | 'strict' | 'minCredentialDays'>, log: Log, now: Date = new Date()): ConfigCheck {
  const { kubeconfig, ktConfig } = inputs.configs;
  if (ktConfig !== undefined) validateKtConfig(ktConfig, 'latest');
  if (kubeconfig === undefined) {
    log.info("Kubeconfig: upstream's placeholder (input kubeconfig: upstream); ktctl will use each developer's own kubeconfig.");
    return { credentialsExpire: undefined };
  }
  for (const warning of validateKubeconfig(kubeconfig, inputs.strict).warnings) log.warning(`Input 'kubeconfig': ${warning}`);
  const readings = readCredentials(kubeconfig);
  return { credentialsExpire: judgeLifetime(readings, inputs.minCredentialDays ?? 30, now, log) };
}

/**
 * The current context's user decides: expired fails the run, expiring within `minDays` warns.
 * Other users are only reported (ktctl does not use them unless a developer switches context).
 */
export function judgeLifetime(readings: readonly CredentialReading[], minDays: number, now: Date, log: Log): Date | undefined {
  const current = readings.find((reading) => reading.current);
  for (const reading of readings) {
    const role = reading.current ? "the current context's user" : "not the current context's user";
    const when =
      reading.expires === undefined
        ? `expiry unknown: ${reading.unknownBecause ?? 'no date in it'}`
        : `${reading.expires.getTime() <= now.getTime() ? 'expired' : 'expires'} ${isoDay(reading.expires)} (UTC)`;
    log.info(`Kubeconfig ${reading.path} (${role}) authenticates with ${kindWords(reading.kind)}; ${when}.`);
  }
  if (current === undefined || current.expires === undefined) return undefined;
  const expires = current.expires;
  const what = `the credential of the current context's user (${current.path}, ${kindWords(current.kind)})`;
  if (expires.getTime() <= now.getTime()) {
    throw new InputError(
      'kubeconfig',
      `${what} expired on ${isoDay(expires)} (UTC): every ktctl built with it would fail to connect. Make a new credential, update the secret, and run again.`,
    );
  }
  const days = Math.floor((expires.getTime() - now.getTime()) / DAY_MS);
  if (expires.getTime() - now.getTime() < minDays * DAY_MS) {
    log.warning(
      `Input 'kubeconfig': ${what} expires on ${isoDay(expires)} (UTC), in ${days} days (min-credential-days is ${minDays}): every ktctl built now stops connecting then. Make a longer-lived credential, or rebuild before that day.`,
    );
  }
  return expires;
}
