// How long any network step may wait: for a connection, and for the next byte once connected.
// A server that accepts and never answers must end the run with an error, not hold the job
// until its own timeout. Pure: read from the environment the run was given.

export interface NetworkLimits {
  /** Seconds to reach the server: name lookup, TCP connect. */
  readonly connectSeconds: number;
  /** Seconds without a byte (or, for git, without any output) once connected. */
  readonly idleSeconds: number;
}

const CONNECT_TIMEOUT_VARIABLE = 'KTCTL_CUSTOMIZE_CONNECT_TIMEOUT';
const IDLE_TIMEOUT_VARIABLE = 'KTCTL_CUSTOMIZE_IDLE_TIMEOUT';

export const DEFAULT_NETWORK_LIMITS: NetworkLimits = { connectSeconds: 30, idleSeconds: 60 };

/** An hour: beyond that the job's own timeout is the limit anyway. */
const MOST_SECONDS = 3600;

/** The limits, with KTCTL_CUSTOMIZE_CONNECT_TIMEOUT / _IDLE_TIMEOUT (whole seconds) overriding the defaults. */
export function networkLimits(env: NodeJS.ProcessEnv): NetworkLimits {
  return {
    connectSeconds: seconds(env, CONNECT_TIMEOUT_VARIABLE, DEFAULT_NETWORK_LIMITS.connectSeconds),
    idleSeconds: seconds(env, IDLE_TIMEOUT_VARIABLE, DEFAULT_NETWORK_LIMITS.idleSeconds),
  };
}

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name]?.trim() ?? '';
  if (text === '') return fallback;
  const value = /^\d{1,4}$/.test(text) ? Number(text) : NaN;
  if (!(value >= 1 && value <= MOST_SECONDS)) {
    throw new Error(`Environment variable ${name} must be a whole number of seconds from 1 to ${MOST_SECONDS} (default ${fallback}).`);
  }
  return value;
}

/** Said in every timeout error, so a user on a slow network knows which knob to turn. */
export function limitsHint(): string {
  return `the limits are set by ${CONNECT_TIMEOUT_VARIABLE} and ${IDLE_TIMEOUT_VARIABLE} (seconds)`;
}
