// kt-connect's source: from git or the Go module proxy (checked against the checksum
// database), then customized: the hook files, patches, images; no link enters the build.
export { applyPatches, checkCustomizeHook, redirectImages } from './customize-tree.js';
export type { TreeImages } from './customize-tree.js';
export { checkHookLayout, checkout, resolveUpstream, writeEmbeddedConfigs } from './git.js';
export type { Checkout } from './git.js';
export { checkoutModule, resolveFromProxy } from './module-proxy.js';
export type { ModuleContext } from './module-proxy.js';
export { sourceLine, sourceMarkdown } from './source-record.js';
