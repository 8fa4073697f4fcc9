// Entry point of dist/index.js, for both the main and the post step.
import { run } from './main.js';

await run();
