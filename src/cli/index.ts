#!/usr/bin/env node
// Entry point of dist/cli/index.js, the local command. cli.ts does the work and runs nothing when
// imported, so tests and other modules can import it.
import { main, silenceRunnerCommands } from './cli.js';

silenceRunnerCommands();
process.exitCode = await main(process.argv.slice(2), process.env);
