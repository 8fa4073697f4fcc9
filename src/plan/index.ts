// What a run will produce, decided from the inputs and the upstream tag alone: targets and
// their names, images, the source policy. Pure decisions.
export {
  configuredImages,
  IMAGE_CONSTANTS_FILE,
  IMAGE_KEYS,
  IMAGE_NAMES,
  mergeRegistryImages,
  mirrorList,
  parseImageRegistry,
  readImageConstants,
  registryImages,
  rewriteNavigator,
  writeImagesFile,
} from './images.js';
export type { ImageRole } from './images.js';
export { checkNameTemplate, defaultVersion, planBuild } from './plan.js';
export type { PlanInputs } from './plan.js';
export {
  checkPinnedCommit,
  checksumOffReason,
  classifyDownloadError,
  escapeModulePath,
  KT_CONNECT_MODULE,
  listedVersions,
  parseGoProxyList,
  parseModuleInfo,
  pickLatestFromList,
  sourceFor,
} from './source-policy.js';
export type { ChecksumSettings, ModuleInfo, SourceChoice } from './source-policy.js';
export { parseTargets, SUPPORTED_TARGETS, targetId } from './targets.js';
