// The part of @actions/core the action uses, as an interface: main.ts is given one, so a test
// runs the action in process with a fake that takes inputs and records outputs, failures and the
// summary. The runner gets `actionsCore`, which is @actions/core itself.
import * as core from '@actions/core';
import type { Log } from './log.js';

export interface ActionCore {
  getInput(name: string, options?: { readonly trimWhitespace?: boolean }): string;
  /** A value the main step saved for the post step. */
  getState(name: string): string;
  saveState(name: string, value: string): void;
  /** Masks `secret` in every later log line. */
  setSecret(secret: string): void;
  setOutput(name: string, value: string): void;
  setFailed(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  /** Runs `work` under a collapsible heading. */
  group<T>(title: string, work: () => Promise<T>): Promise<T>;
  /** Appends HTML to the job summary. */
  appendSummary(html: string): Promise<void>;
}

export const actionsCore: ActionCore = {
  getInput: (name, options) => core.getInput(name, options === undefined ? undefined : { ...options }),
  getState: (name) => core.getState(name),
  saveState: (name, value) => core.saveState(name, value),
  setSecret: (secret) => core.setSecret(secret),
  setOutput: (name, value) => core.setOutput(name, value),
  setFailed: (message) => core.setFailed(message),
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  group: (title, work) => core.group(title, work),
  appendSummary: async (html) => {
    await core.summary.emptyBuffer().addRaw(html).write();
  },
};

/** The log the stages speak through (log.ts), as workflow commands of `actions`. */
export function logOf(actions: ActionCore): Log {
  return {
    info: (message) => actions.info(message),
    warning: (message) => actions.warning(message),
    group: (title, work) => actions.group(title, work),
  };
}
