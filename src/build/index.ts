// Cross-compiles ktctl for every target with the installed Go, and keeps Go's caches.
export { buildBinaries, buildSchedule, goEnvironment, scrubBuildCache } from './compile.js';
export { cacheWanted, goCacheKey, openGoCaches } from './go-cache.js';
