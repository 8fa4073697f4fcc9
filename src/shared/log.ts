// The one way stages speak to the person watching. The action writes workflow
// commands through @actions/core; the local command writes plain lines.

export interface Log {
  info(message: string): void;
  warning(message: string): void;
  /** Runs `work` under a collapsible heading. */
  group<T>(title: string, work: () => Promise<T>): Promise<T>;
}

/** Plain text for terminals and other CI systems. */
export function consoleLog(write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Log {
  return {
    info: (message) => write(message),
    warning: (message) => write(`warning: ${message}`),
    group: async (title, work) => {
      write(`== ${title}`);
      return work();
    },
  };
}
