// Types of dist-stamp.mjs, for the tests that import it.
export declare const STAMP_NAME: string;
export interface Stamp {
  readonly inputs: string;
  readonly outputs: string;
}
export declare function bundleInputs(root: string): string[];
export declare function bundleOutputs(dist: string): string[];
export declare function digestOf(dir: string, files: readonly string[]): string;
export declare function stampOf(root: string, dist: string): Stamp;
