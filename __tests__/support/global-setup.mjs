// Runs once per test run, before any test file (node --test --test-global-setup, as
// scripts/test.mjs starts it): builds the served archives, unpacks the shared tool seed and warms
// the shared Go build cache, so the e2e files running in parallel find them made instead of each
// making its own. Plain JavaScript: node loads this module without tsx's hooks, so the TypeScript
// is loaded with tsx's own import.
import { tsImport } from 'tsx/esm/api';

export async function globalSetup() {
  const started = Date.now();
  const { prepareDownloads } = await tsImport('./downloads.ts', import.meta.url);
  const { ensureToolSeed, warmGoCache } = await tsImport('./shared-caches.ts', import.meta.url);
  await warmGoCache(ensureToolSeed(prepareDownloads()));
  console.log(`Shared test caches ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
