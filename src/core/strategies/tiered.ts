import { ConfigurationError, describeValue } from '../errors.js';
import { checkOptionNames } from '../options.js';
import { toPerMille } from './per-mille.js';
import { ScaledStrategy } from './scaled-strategy.js';
import type { AnyStrategy, StepArgs } from './strategy.js';

/** Options of `TieredStrategy`. */
export interface TieredOptions {
  /** The strategy whose limit is scaled. Default: `new FixedWindowStrategy()`. */
  base?: AnyStrategy;
  /**
   * Each tier's multiplier of the throttle's limit, e.g. `{ free: 1, pro: 5,
   * enterprise: 10 }`. Each in [0.001, 1000], at most 3 decimals.
   */
  tiers: Readonly<Record<string, number>>;
  /** The tier used when the caller's tier is missing or unknown. Default: the first in `tiers`. */
  defaultTier?: string;
  /**
   * The caller's tier from the hit's key and context, once per hit. Default:
   * `context.tier`. Missing or unknown tiers get `defaultTier`; whatever this
   * throws rejects the hit.
   */
  tierOf?: (key: string, context: unknown) => string | undefined;
}

/**
 * Tiered limits: any base strategy, its limit scaled by the caller's tier.
 * A hit by a caller of tier t (multiplier `m_t` in thousandths) runs the
 * base's step with the rate `max(1, floor(L * m_t / 1000))` per P (see
 * `ScaledStrategy`). One state per caller, whatever the tier: an upgrade
 * applies at the next hit, with the count so far. The step args are
 * `[tierIndex, ...base args]` (tiers in the order given).
 */
export class TieredStrategy extends ScaledStrategy {
  readonly name: string;
  /** The tier names, in the order given (a tier's index is its step arg). */
  readonly tierNames: readonly string[];
  /** Each tier's multiplier in thousandths, same order. */
  readonly multipliersPerMille: readonly number[];
  /** The index of the default tier. */
  readonly defaultTierIndex: number;
  protected readonly ownArgs = 1;
  /** A tier's limit is fixed, so a denial holds until its retry time exactly when the base's does. */
  get denialsHoldUntilRetry(): boolean {
    return this.base.denialsHoldUntilRetry === true;
  }
  /** `[tierIndex, ...base args]` per hit. */
  declare readonly argsFor: (key: string, context: unknown) => StepArgs;
  private readonly tierOf: ((key: string, context: unknown) => string | undefined) | undefined;
  private readonly indexOf: ReadonlyMap<string, number>;

  constructor(options: TieredOptions) {
    const owner = 'TieredStrategy';
    checkOptionNames(owner, options, ['base', 'tiers', 'defaultTier', 'tierOf']);
    if (options === undefined) throw new ConfigurationError(`${owner}: options are required ({ tiers })`);
    super(owner, options.base, true);
    const { tiers, defaultTier, tierOf } = options;
    if (tiers === null || typeof tiers !== 'object' || Array.isArray(tiers) || Object.keys(tiers).length === 0) {
      throw new ConfigurationError(`${owner}: tiers must name at least one tier, e.g. { free: 1, pro: 5 }, got ${describeValue(tiers)}`);
    }
    this.tierNames = Object.keys(tiers);
    this.multipliersPerMille = this.tierNames.map((tier) => toPerMille(owner, `tiers.${tier}`, tiers[tier], 0.001, 1000));
    this.indexOf = new Map(this.tierNames.map((tier, i) => [tier, i]));
    const fallback = defaultTier ?? this.tierNames[0]!;
    const index = this.indexOf.get(fallback);
    if (index === undefined) {
      throw new ConfigurationError(`${owner}: defaultTier ${describeValue(defaultTier)} is not one of the tiers (${this.tierNames.join(', ')})`);
    }
    this.defaultTierIndex = index;
    if (tierOf !== undefined && typeof tierOf !== 'function') {
      throw new ConfigurationError(`${owner}: tierOf must be a function, got ${describeValue(tierOf)}`);
    }
    this.tierOf = tierOf;
    const table = this.tierNames.map((tier, i) => `${i}=${this.multipliersPerMille[i]}`).join('/');
    this.name = `tiered:${table}:${this.base.name}`;
  }

  /** The index of the caller's tier (the default for a missing or unknown one). */
  tierIndex(key: string, context: unknown): number {
    const tier = this.tierOf !== undefined ? this.tierOf(key, context) : (context as { tier?: unknown } | null | undefined)?.tier;
    return (typeof tier === 'string' ? this.indexOf.get(tier) : undefined) ?? this.defaultTierIndex;
  }

  protected argsOwn(key: string, context: unknown): StepArgs {
    return [this.tierIndex(key, context)];
  }

  protected factorAt(_now: number, own: StepArgs): number {
    const index = own[0] === undefined ? this.defaultTierIndex : Number(own[0]);
    const factor = this.multipliersPerMille[index];
    if (factor === undefined) throw new TypeError(`TieredStrategy: step args hold tier ${describeValue(own[0])}, not one of 0..${this.tierNames.length - 1}`);
    return factor;
  }

  protected factors(): readonly number[] {
    return this.multipliersPerMille;
  }

  protected override defaultSlot(): number {
    return this.defaultTierIndex;
  }

  protected luaSlots(): { factors: readonly number[]; ranges: readonly (readonly [number, number, number])[] } {
    return { factors: this.multipliersPerMille, ranges: [] };
  }
}
