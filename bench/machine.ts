// The machine the numbers were taken on: they mean little without it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Tools } from './setup.js';

export interface Machine {
  readonly cores: number;
  readonly lines: readonly string[];
}

export function describeMachine(tools: Tools): Machine {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const mhz = /^cpu MHz\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim();
  const memKiB = Number(/^MemTotal:\s*(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  const nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  return {
    cores: os.availableParallelism(),
    lines: [
      `nproc ${nproc} (availableParallelism ${os.availableParallelism()}), CPU ${model}${mhz === undefined ? '' : ` @ ${Math.round(Number(mhz))} MHz`}, memory ${(memKiB / 1048576).toFixed(1)} GiB`,
      `Linux ${os.release()}, Node ${process.version}, Go ${tools.goVersion} (tool cache copy of the test download), upx ${tools.upxVersion}`,
    ],
  };
}
