// The checks of both configs that need nothing from the network: run first, by the action and
// the local command alike, so a bad or expiring config fails before anything is fetched. Each
// config is parsed here once, and what the stages need of it leaves as the ConfigSummary that
// travels in BuildInputs: no stage parses a config again.
import { InputError, type Log } from '../shared/index.js';
import type { BuildInputs, ConfigSummary } from '../model.js';
import { kindWords, type CredentialReading } from './credentials.js';
import { readKtConfig } from './kt-config.js';
import { readKubeconfig } from './kubeconfig.js';

const DAY_MS = 24 * 60 * 60 * 1000;

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
 * newest release; validateForUpstream checks its settings again against the tag) and the
 * kubeconfig's credential lifetime, and returns what the stages need of them. Throws InputError
 * for a config that cannot work; warns for the rest.
 */
export function checkConfigs(inputs: Pick<BuildInputs, 'configs' | 'strict' | 'minCredentialDays'>, log: Log, now: Date = new Date()): ConfigSummary {
  const { kubeconfig, ktConfig } = inputs.configs;
  const kt = ktConfig === undefined ? { overridesImages: false, settings: new Map<string, string>() } : readKtConfig(ktConfig, 'latest');
  const ktPart = { ktSettings: kt.settings, overridesImages: kt.overridesImages };
  if (kubeconfig === undefined) {
    log.info("Kubeconfig: upstream's placeholder (input kubeconfig: upstream); ktctl will use each developer's own kubeconfig.");
    return { kube: { embedded: false }, credentialsExpire: undefined, ...ktPart };
  }
  const kube = readKubeconfig(kubeconfig, inputs.strict);
  for (const warning of kube.warnings) log.warning(`Input 'kubeconfig': ${warning}`);
  return {
    kube: { embedded: true, context: kube.context, ...(kube.namespace === undefined ? {} : { namespace: kube.namespace }) },
    credentialsExpire: judgeLifetime(kube.credentials, inputs.minCredentialDays ?? 30, now, log),
    ...ktPart,
  };
}

/** The inputs with both configs checked and read: what every stage after the input checks takes. */
export function withConfigsChecked<T extends BuildInputs>(inputs: T, log: Log, now: Date = new Date()): T & { readonly configSummary: ConfigSummary } {
  return { ...inputs, configSummary: checkConfigs(inputs, log, now) };
}

/** The summary checkConfigs made; a stage that needs it runs after the input checks, so its absence is a bug here, not bad input. */
export function configSummaryOf(inputs: Pick<BuildInputs, 'configSummary'>): ConfigSummary {
  if (inputs.configSummary === undefined) throw new Error('Internal error: the configs were used before checkConfigs read them.');
  return inputs.configSummary;
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
