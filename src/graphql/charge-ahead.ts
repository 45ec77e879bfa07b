import { collectSubFields, getArgumentValues } from '@graphql-tools/utils';
import type { FieldNode, GraphQLFieldResolver, GraphQLObjectType, GraphQLOutputType, GraphQLResolveInfo } from 'graphql';
import { EXEMPTED, keyPart, type Decision, type Throttle } from '../core/index.js';
import type { FieldLimit } from './field-limits.js';
import type { HitBatcher } from './hit-batcher.js';
import { identityArgsKey } from './identity-args.js';
import type { Identify } from './limited-resolver.js';
import { settleWithin } from './settle-within.js';
import { isPromiseLike } from '../core/time-bounds.js';

/** What a list item's limited field finds when its hit was charged with the list: its decision, or EXEMPTED. */
export type ChargedAhead = Decision | typeof EXEMPTED;

/** A limited field, as the list wrapper needs it. */
export interface AheadPlan {
  readonly coordinate: string;
  /** Exactly one limit (fields with several are charged one resolution at a time). */
  readonly limit: FieldLimit;
}

type Resolver = GraphQLFieldResolver<unknown, unknown, Record<string, unknown>>;
type PathLike = { readonly prev: PathLike | undefined; readonly key: string | number };
type Entries = (ChargedAhead | undefined)[];

/**
 * Decisions charged with a list, before its items resolve. Keyed by the list
 * field's execution path object (graphql-js hands the same object to the
 * list's resolver and, as `path.prev.prev`, to each item's fields), then by
 * response key and item index. Each entry is taken once.
 */
export class AheadStore {
  private readonly byList = new WeakMap<object, Map<string, Entries>>();
  /** The entries found last (a list's items ask one after another): no map lookups per item. */
  private lastList: object | undefined;
  private lastKey: string | undefined;
  private lastEntries: Entries | undefined;

  /** Files the entries of one list field. */
  put(listPath: object, byResponseKey: Map<string, Entries>): void {
    this.byList.set(listPath, byResponseKey);
    if (this.lastList === listPath) this.lastList = undefined;
  }

  /** The entry charged for this resolution, if any (removing it). */
  take(info: GraphQLResolveInfo): ChargedAhead | undefined {
    const itemPath = (info.path as PathLike).prev;
    if (itemPath === undefined || typeof itemPath.key !== 'number' || itemPath.prev === undefined) return undefined;
    const responseKey = info.path.key as string;
    let entries: Entries | undefined;
    if (itemPath.prev === this.lastList && responseKey === this.lastKey) {
      entries = this.lastEntries;
    } else {
      entries = this.byList.get(itemPath.prev)?.get(responseKey);
      if (entries === undefined) return undefined;
      this.lastList = itemPath.prev;
      this.lastKey = responseKey;
      this.lastEntries = entries;
    }
    const entry = entries![itemPath.key];
    entries![itemPath.key] = undefined;
    return entry;
  }
}

/**
 * The kind of a graphql-js type by its `Symbol.toStringTag`
 * (`"GraphQLList"`, ...): unlike `instanceof`, it holds when two copies of
 * graphql are loaded (ESM and CommonJS builds side by side).
 */
function kindOf(type: unknown): string {
  return Object.prototype.toString.call(type).slice(8, -1);
}

/**
 * The object type of a field's items when the field is a plain list of an
 * object type (`[T]`, `[T!]!`), else undefined.
 */
export function listItemType(type: GraphQLOutputType): GraphQLObjectType | undefined {
  let list: unknown = type;
  if (kindOf(list) === 'GraphQLNonNull') list = (list as { ofType: unknown }).ofType;
  if (kindOf(list) !== 'GraphQLList') return undefined;
  let item = (list as { ofType: unknown }).ofType;
  if (kindOf(item) === 'GraphQLNonNull') item = (item as { ofType: unknown }).ofType;
  return kindOf(item) === 'GraphQLObjectType' ? (item as GraphQLObjectType) : undefined;
}


/** The hits of one (throttle, key), in item order, and where each one's decision goes. */
interface Group {
  readonly throttle: Throttle<unknown>;
  readonly key: string;
  readonly costs: number[];
  /** The entries array (one per selected response key) and item index of each cost. */
  readonly targets: Entries[];
  readonly items: number[];
}

/**
 * Wraps a list field whose item type has limited fields: once the list is
 * resolved, the hits its items will make on those fields (every selected
 * alias, `@include`/`@skip` and fragments applied) are charged together, in
 * item order, and filed in `store`; each item's field then finds its
 * decision and resolves without waiting. `identify` and cost functions see
 * the list field's `info`, and cost functions the item as `source`.
 * Anything that cannot be charged ahead (an identify or cost function that
 * throws or gives a bad value) is left to the item's own resolution.
 */
export function chargeAheadResolver(
  base: Resolver,
  itemTypeName: string,
  plans: ReadonlyMap<string, AheadPlan>,
  env: { batcher: HitBatcher; identify: Identify; store: AheadStore; functionTimeoutMs: number; perRequestBackend: boolean },
): Resolver {
  const { batcher, identify, store, functionTimeoutMs, perRequestBackend } = env;

  const charge = async (list: unknown[], context: unknown, info: GraphQLResolveInfo, selected: [string, AheadPlan, Record<string, unknown>][]): Promise<unknown[]> => {
    let caller: unknown;
    try {
      caller = identify(context, info);
      if (isPromiseLike(caller)) caller = await settleWithin(caller, functionTimeoutMs, `identify (for ${info.parentType.name}.${info.fieldName})`);
    } catch {
      return list;
    }
    const byResponseKey = new Map<string, Entries>();
    if (caller === EXEMPTED) {
      for (const [responseKey] of selected) byResponseKey.set(responseKey, new Array<ChargedAhead>(list.length).fill(EXEMPTED));
      store.put(info.path, byResponseKey);
      return list;
    }
    if (typeof caller === 'number' && Number.isFinite(caller)) caller = String(caller);
    if (typeof caller !== 'string') return list;
    // Each selected field's group, found once: the loop over items does no lookups.
    const groups: Group[] = [];
    const groupOf: Group[] = [];
    const targetOf: Entries[] = [];
    for (const [responseKey, plan, args] of selected) {
      const { limit } = plan;
      const key = limit.identityPaths.length === 0 ? caller : keyPart(caller) + identityArgsKey(args, limit.identityPaths);
      let group = groups.find((g) => g.throttle === limit.throttle && g.key === key);
      if (group === undefined) groups.push((group = { throttle: limit.throttle, key, costs: [], targets: [], items: [] }));
      groupOf.push(group);
      const entries: Entries = new Array(list.length);
      byResponseKey.set(responseKey, entries);
      targetOf.push(entries);
    }
    try {
      for (let item = 0; item < list.length; item++) {
        // A null item (or an Error graphql-js reports for it) resolves no field: nothing to charge.
        const source = list[item];
        if (source === null || source === undefined || source instanceof Error) continue;
        for (let s = 0; s < selected.length; s++) {
          const { limit } = selected[s]![1];
          let cost: unknown = limit.cost;
          if (typeof limit.cost !== 'number') {
            cost = limit.cost({ args: selected[s]![2], context, info, source });
            if (isPromiseLike(cost)) cost = await settleWithin(cost, functionTimeoutMs, `The cost function of ${selected[s]![1].coordinate}`);
            if (typeof cost !== 'number' || !Number.isSafeInteger(cost) || cost < 0) return list;
          }
          const group = groupOf[s]!;
          group.costs.push(cost as number);
          group.targets.push(targetOf[s]!);
          group.items.push(item);
        }
      }
    } catch {
      return list;
    }
    const sent: Promise<void>[] = [];
    for (const group of groups) {
      if (group.costs.length === 0) continue;
      sent.push(batcher.hitMany(group.throttle, group.key, group.costs, perRequestBackend ? context : undefined).then((decisions) => {
        const { targets, items } = group;
        for (let j = 0; j < decisions.length; j++) targets[j]![items[j]!] = decisions[j]!;
      }));
    }
    // A batch that rejects (onError: 'raise') leaves its items to charge themselves, and fail, one by one.
    if (sent.length === 1) await sent[0]!.catch(() => undefined);
    else await Promise.allSettled(sent);
    store.put(info.path, byResponseKey);
    return list;
  };

  const afterList = (value: unknown, context: unknown, info: GraphQLResolveInfo): unknown => {
    if (!Array.isArray(value) || value.length === 0) return value;
    const itemType = info.schema.getType(itemTypeName) as GraphQLObjectType | null | undefined;
    if (kindOf(itemType) !== 'GraphQLObjectType') return value;
    const { fields } = collectSubFields(info.schema, info.fragments, info.variableValues, itemType!, info.fieldNodes as FieldNode[]);
    const selected: [string, AheadPlan, Record<string, unknown>][] = [];
    for (const [responseKey, nodes] of fields) {
      const node = nodes[0]!;
      const plan = plans.get(node.name.value);
      const field = itemType!.getFields()[node.name.value];
      if (plan === undefined || field === undefined) continue;
      try {
        selected.push([responseKey, plan, getArgumentValues(field, node, info.variableValues)]);
      } catch {
        // Bad arguments: the item's own resolution reports it.
      }
    }
    if (selected.length === 0) return value;
    return charge(value, context, info, selected);
  };

  return function chargeListAhead(source, args, context, info) {
    const value = base(source, args, context, info);
    if (isPromiseLike(value)) return Promise.resolve(value).then((list) => afterList(list, context, info));
    return afterList(value, context, info);
  };
}
