/**
 * The `traffik/testing` entry: a conformance kit for backends (your own
 * store included) and a manual clock for tests. Needs vitest or jest
 * globals (`describe`, `it`) only when `describeBackendConformance` is called.
 */
export {};
