// Types for the lint's local plugin (layers.js is plain JavaScript so ESLint loads it as it is).
import type { ESLint } from 'eslint';
export declare const FLOORS: readonly (readonly string[])[];
declare const plugin: ESLint.Plugin;
export default plugin;
