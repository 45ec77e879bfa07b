/** A source of time in milliseconds since the epoch. Backends floor what it returns. */
export type Clock = () => number;

/** The process clock, `Date.now()`. */
export const systemClock: Clock = () => Date.now();
