import {
  isAbstractType, isCompositeType, Kind,
  type DocumentNode, type FieldNode, type GraphQLCompositeType, type GraphQLField, type GraphQLNamedType, type GraphQLSchema,
  type OperationDefinitionNode, type SelectionSetNode,
} from 'graphql';
import { ConfigurationError, describeValue } from '../../core/errors.js';
import {
  COST_DEFAULTS, CostAnalysisError, OperationScope, addTo, dearest, findOperation, rootType, wholeCost, type CostDefaults,
} from './scope.js';

/** Options of `operationCost`: the cost model's defaults, the operation to price and whether to itemise. */
export interface CostOptions extends Partial<CostDefaults> {
  /** The operation to price when the document holds several. */
  operationName?: string | null;
  /** Also return the cost per field coordinate (`fields`). */
  breakdown?: boolean;
}

/** What `operationCost` returns. */
export interface OperationCost {
  /** The most the operation can cost: a whole number >= 0. */
  requested: number;
  /** The priced operation (undefined when the document names none that matches: execution refuses it, so it costs 0). */
  operation: OperationDefinitionNode | undefined;
  /** With `breakdown`: each field coordinate's share (`"Query.products": 20`); the shares add up to `requested`, before rounding. */
  fields?: Record<string, number>;
}

/** The sizes that a connection field's `sizedFields` hand down to its children. */
interface SizedChildren {
  readonly names: readonly string[];
  readonly size: number;
}

/** Checks the defaults given in options; throws `ConfigurationError` naming a bad one. */
export function costDefaults(owner: string, options: Partial<CostDefaults> = {}): CostDefaults {
  const defaults = { ...COST_DEFAULTS };
  for (const name of Object.keys(COST_DEFAULTS) as (keyof CostDefaults)[]) {
    const value = options[name];
    if (value === undefined) continue;
    const whole = name === 'defaultListSize' || name === 'maxNodes';
    if (typeof value !== 'number' || !Number.isFinite(value) || value < (name === 'maxNodes' ? 1 : 0) || (whole && !Number.isSafeInteger(value))) {
      throw new ConfigurationError(`${owner}: ${name} must be ${whole ? 'a whole number' : 'a number'} >= ${name === 'maxNodes' ? 1 : 0}, got ${describeValue(value)}`);
    }
    defaults[name] = value;
  }
  return defaults;
}

/**
 * The cost of one operation of `document` against `schema`, with its
 * variables, fragments, `@skip`/`@include` applied, following the IBM
 * GraphQL Cost Directives: a field costs its `@cost` (a root mutation field
 * `mutationCost`) plus its arguments' `@cost`, plus, for each value it can
 * return, the value's type weight (objects 1, scalars and enums 0) and its
 * selections' cost. A list returns as many values as its slicing argument
 * says (literal or variable), else `assumedSize`, else `defaultListSize`; a
 * connection's `sizedFields` get that size. Abstract types cost their most
 * expensive possible type. Introspection fields (`__typename`, `__schema`,
 * `__type`) are free; an alias or fragment named like them is not.
 *
 * Pure, no I/O; bounded: more than `maxNodes` visited selections throws
 * `CostAnalysisError` at once (a fragment bomb is refused within milliseconds).
 * Bad slicing arguments (`requireOneSlicingArgument`) throw it too. Bad
 * `@cost`/`@listSize` settings throw `ConfigurationError`.
 */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, variables?: Record<string, unknown> | null, options: CostOptions = {}): OperationCost {
  return analyse(schema, document, variables, costDefaults('operationCost', options), options);
}

/** `operationCost` with checked defaults (the budget checks them once). */
export function analyse(
  schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | null | undefined, defaults: CostDefaults,
  options: { operationName?: string | null | undefined; breakdown?: boolean | undefined },
): OperationCost {
  const operation = findOperation(document, options.operationName);
  const root = operation && rootType(schema, operation);
  if (operation === undefined || root === undefined) return { requested: 0, operation };
  const scope = new OperationScope(schema, operation, document, variables, defaults);
  if (!scope.variablesValid) return { requested: 0, operation };
  const walk = new RequestedWalk(scope, options.breakdown === true ? new Map() : undefined);
  const total = walk.fields(root, operation.selectionSet, undefined, 1, operation.operation === 'mutation');
  const result: OperationCost = { requested: wholeCost(total), operation };
  if (walk.breakdown !== undefined) result.fields = Object.fromEntries(walk.breakdown);
  return result;
}

/** The walk that prices the selections before execution. */
class RequestedWalk {
  constructor(private readonly scope: OperationScope, public breakdown: Map<string, number> | undefined) {}

  /** The cost of `selectionSet` on values of `type`; `m` multiplies breakdown shares (values above). */
  fields(type: GraphQLCompositeType, selectionSet: SelectionSetNode, sized: SizedChildren | undefined, m: number, mutationRoot = false): number {
    const { scope } = this;
    let cost = 0;
    for (const selection of selectionSet.selections) {
      scope.visit();
      if (!scope.included(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === '__typename' || name === '__schema' || name === '__type') continue; // introspection is free
        const field = 'getFields' in type ? type.getFields()[name] as GraphQLField<unknown, unknown> | undefined : undefined;
        if (field !== undefined) cost += this.field(type, field, selection, sized, m, mutationRoot);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (scope.applies(selection.typeCondition?.name.value, type)) cost += this.fields(type, selection.selectionSet, sized, m, mutationRoot);
      } else {
        const fragment = scope.fragments.get(selection.name.value);
        if (fragment !== undefined && scope.applies(fragment.typeCondition.name.value, type)) {
          cost += this.fields(type, fragment.selectionSet, sized, m, mutationRoot);
        }
      }
    }
    return cost;
  }

  private field(parent: GraphQLCompositeType, field: GraphQLField<unknown, unknown>, node: FieldNode, sized: SizedChildren | undefined, m: number, mutationRoot: boolean): number {
    const settings = this.scope.settings.fields.get(field)!;
    const coordinate = `${parent.name}.${field.name}`;
    const own = (settings.weight ?? (mutationRoot ? this.scope.defaults.mutationCost : 0))
      + (settings.argumentsCost ? this.scope.argumentsCost(field, node) : 0);
    addTo(this.breakdown, coordinate, m * own);
    let size = 1;
    let children: SizedChildren | undefined;
    if (settings.isList) size = sized?.names.includes(field.name) === true ? sized.size : this.listSize(field, node);
    if (settings.listSize !== undefined && settings.listSize.sizedFields.length > 0) {
      children = { names: settings.listSize.sizedFields, size: this.listSize(field, node) };
    }
    return own + size * this.value(settings.namedType, node.selectionSet, children, m * size, coordinate);
  }

  /** The cost of one value of `type` with its selections: the type's weight and, for composites, the selections (abstract: the dearest possible type). */
  private value(type: GraphQLNamedType, selectionSet: SelectionSetNode | undefined, sized: SizedChildren | undefined, m: number, coordinate: string): number {
    if (!isCompositeType(type) || selectionSet === undefined) {
      const weight = this.scope.typeWeight(type);
      addTo(this.breakdown, coordinate, m * weight);
      return weight;
    }
    if (!isAbstractType(type) || !selectionSet.selections.some((s) => s.kind !== Kind.FIELD)) {
      const weight = isAbstractType(type) ? this.dearestWeight(type) : this.scope.typeWeight(type);
      addTo(this.breakdown, coordinate, m * weight);
      return weight + this.fields(type, selectionSet, sized, m);
    }
    // Fragments narrow the selections by type: price each possible type, keep the dearest.
    const outer = this.breakdown;
    const cost = dearest(this.scope.schema.getPossibleTypes(type), outer, (possible, shares) => {
      this.breakdown = shares;
      const weight = this.scope.settings.typeWeights.get(possible.name) ?? this.scope.typeWeight(type);
      addTo(shares, coordinate, m * weight);
      return weight + this.fields(possible, selectionSet, sized, m);
    });
    this.breakdown = outer;
    return cost;
  }

  /** The largest weight among an abstract type's possible types (its own `@cost` when the types have none). */
  private dearestWeight(type: GraphQLCompositeType & { name: string }): number {
    let weight = this.scope.typeWeight(type);
    for (const possible of this.scope.schema.getPossibleTypes(type as never)) {
      const own = this.scope.settings.typeWeights.get(possible.name);
      if (own !== undefined && own > weight) weight = own;
    }
    return weight;
  }

  /** The size of a list field: its slicing argument (literal, variable or default), else `assumedSize`, else `defaultListSize`. */
  private listSize(field: GraphQLField<unknown, unknown>, node: FieldNode): number {
    const listSize = this.scope.settings.fields.get(field)!.listSize;
    const fallback = listSize?.assumedSize ?? this.scope.defaults.defaultListSize;
    if (listSize === undefined || listSize.slicingArguments.length === 0) return fallback;
    const values = this.scope.argumentValues(field, node);
    const given = new Set((node.arguments ?? []).map((a) => a.name.value));
    const explicit = listSize.slicingArguments.filter((name) => given.has(name) && values[name] !== undefined && values[name] !== null);
    const where = `${field.name} (${listSize.slicingArguments.join(', ')})`;
    if (listSize.requireOneSlicingArgument && explicit.length > 1) {
      throw new CostAnalysisError(`Give only one slicing argument of ${where}, not ${explicit.length}`, node);
    }
    const sizes = (explicit.length > 0 ? explicit : listSize.slicingArguments)
      .map((name) => values[name])
      .filter((v): v is number => typeof v === 'number');
    if (sizes.length === 0) {
      if (listSize.requireOneSlicingArgument) throw new CostAnalysisError(`Give one slicing argument of ${where}`, node);
      return fallback;
    }
    return Math.max(0, Math.floor(Math.max(...sizes)));
  }
}
