/** `casBackend`: an exact backend over any store with compare-and-set (`CasStore`). */
export { casBackend, CasBackend } from './cas-backend.js';
export type { CasStore, CasEntry, CasWritten } from './cas-store.js';
export type { CasBackendOptions } from './options.js';
