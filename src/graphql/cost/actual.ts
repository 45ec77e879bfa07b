import {
  isAbstractType, isCompositeType, isObjectType, Kind,
  type DocumentNode, type GraphQLCompositeType, type GraphQLField, type GraphQLNamedType, type GraphQLObjectType,
  type GraphQLSchema, type SelectionSetNode,
} from 'graphql';
import { OperationScope, addTo, dearest, findOperation, rootType, wholeCost, type CostDefaults } from './scope.js';

/** What `actualCost` returns. */
export interface ActualCost {
  /** What the operation cost as run: a whole number >= 0. */
  actual: number;
  /** Each field coordinate's share, when asked for. */
  fields?: Record<string, number>;
}

type Data = Record<string, unknown>;

/** Options of `actualCost`. */
export interface ActualCostOptions {
  operationName?: string | null | undefined;
  /** Also return the cost per field coordinate. */
  breakdown?: boolean | undefined;
  /** The result's errors: the fields at their paths count nothing. */
  errors?: readonly { readonly path?: readonly (string | number)[] | undefined }[] | undefined;
}

/**
 * What an executed operation actually cost, from its result `data`: the
 * same weights as the requested cost, but lists count their real length and
 * only fields present in the result count (a field under a null parent never
 * ran), except those the result's `errors` point at (a resolver that
 * failed, a field `@rateLimit` denied: the caller got nothing for them). A
 * value of an abstract type counts its `__typename`'s type when the
 * selections ask for it, else the dearest possible type for the fields
 * present. Never throws for data that does not match (such parts count 0).
 */
export function actualCost(
  schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | null | undefined, data: unknown,
  defaults: CostDefaults, options: ActualCostOptions = {},
): ActualCost {
  const operation = findOperation(document, options.operationName);
  const root = operation && rootType(schema, operation);
  if (operation === undefined || root === undefined || data === null || typeof data !== 'object') return { actual: 0 };
  const scope = new OperationScope(schema, operation, document, variables, { ...defaults, maxNodes: Number.MAX_SAFE_INTEGER });
  const failed = new Set<string>();
  for (const error of options.errors ?? []) if (error.path !== undefined && error.path.length > 0) failed.add(error.path.join('.'));
  const walk = new ActualWalk(scope, options.breakdown === true ? new Map() : undefined, failed.size > 0 ? failed : undefined);
  const total = walk.fields(root, operation.selectionSet, data as Data, '', operation.operation === 'mutation');
  const result: ActualCost = { actual: wholeCost(total) };
  if (walk.breakdown !== undefined) result.fields = Object.fromEntries(walk.breakdown);
  return result;
}

/** The walk that prices the result after execution. */
class ActualWalk {
  /** `failed`: response paths (`products.3.price`) of fields that failed; paths are tracked only when there are some. */
  constructor(private readonly scope: OperationScope, public breakdown: Map<string, number> | undefined, private readonly failed: ReadonlySet<string> | undefined) {}

  fields(type: GraphQLCompositeType, selectionSet: SelectionSetNode, data: Data, path: string, mutationRoot = false): number {
    const { scope } = this;
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (!scope.included(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === '__typename' || name === '__schema' || name === '__type') continue;
        const key = selection.alias?.value ?? name;
        if (!(key in data)) continue; // never resolved
        const here = this.failed === undefined ? '' : path === '' ? key : `${path}.${key}`;
        if (this.failed?.has(here) === true) continue; // failed: the caller got nothing for it
        const field = 'getFields' in type ? type.getFields()[name] as GraphQLField<unknown, unknown> | undefined : undefined;
        if (field === undefined) continue;
        const settings = scope.settings.fields.get(field)!;
        const coordinate = `${type.name}.${name}`;
        const own = (settings.weight ?? (mutationRoot ? scope.defaults.mutationCost : 0))
          + (settings.argumentsCost ? scope.argumentsCost(field, selection) : 0);
        addTo(this.breakdown, coordinate, own);
        cost += own + this.values(settings.namedType, selection.selectionSet, data[key], coordinate, here);
      } else {
        const condition = selection.kind === Kind.INLINE_FRAGMENT
          ? selection.typeCondition?.name.value
          : scope.fragments.get(selection.name.value)?.typeCondition.name.value;
        const selections = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : scope.fragments.get(selection.name.value)?.selectionSet;
        if (selections !== undefined && scope.applies(condition, type)) cost += this.fields(type, selections, data, path, mutationRoot);
      }
    }
    return cost;
  }

  /** The cost of a field's value: each item of a (nested) list, nothing for null. */
  private values(type: GraphQLNamedType, selectionSet: SelectionSetNode | undefined, value: unknown, coordinate: string, path: string): number {
    if (value === null || value === undefined) return 0;
    if (Array.isArray(value)) {
      let cost = 0;
      for (let i = 0; i < value.length; i++) {
        const here = this.failed === undefined ? '' : `${path}.${i}`;
        if (this.failed?.has(here) !== true) cost += this.values(type, selectionSet, value[i], coordinate, here);
      }
      return cost;
    }
    if (!isCompositeType(type) || selectionSet === undefined || typeof value !== 'object') {
      const weight = this.scope.typeWeight(type);
      addTo(this.breakdown, coordinate, weight);
      return weight;
    }
    if (!isAbstractType(type)) {
      const weight = this.scope.typeWeight(type);
      addTo(this.breakdown, coordinate, weight);
      return weight + this.fields(type, selectionSet, value as Data, path);
    }
    const named = this.typename(selectionSet, value as Data);
    const candidates: readonly GraphQLObjectType[] = named !== undefined ? [named] : this.scope.schema.getPossibleTypes(type);
    const outer = this.breakdown;
    const cost = dearest(candidates, outer, (possible, shares) => {
      this.breakdown = shares;
      const weight = this.scope.settings.typeWeights.get(possible.name) ?? this.scope.typeWeight(type);
      addTo(shares, coordinate, weight);
      return weight + this.fields(possible, selectionSet, value as Data, path);
    });
    this.breakdown = outer;
    return cost;
  }

  /** The value's object type when its selections (top level) include `__typename`. */
  private typename(selectionSet: SelectionSetNode, value: Data): GraphQLObjectType | undefined {
    for (const selection of selectionSet.selections) {
      if (selection.kind !== Kind.FIELD || selection.name.value !== '__typename') continue;
      const name = value[selection.alias?.value ?? '__typename'];
      const type = typeof name === 'string' ? this.scope.schema.getType(name) : undefined;
      if (isObjectType(type)) return type;
    }
    return undefined;
  }
}
