/**
 * Returned by an identify function (or passed as the key) to skip limiting:
 * the hit is allowed, nothing is stored and no backend is called.
 */
export const EXEMPTED: unique symbol = Symbol.for('traffik.exempted');

/** The type of `EXEMPTED`. */
export type Exempted = typeof EXEMPTED;
