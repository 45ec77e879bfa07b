/** `Throttle` and its option types; the code lives in `./throttle/` (one concern per file). */
export * from './throttle/index.js';
