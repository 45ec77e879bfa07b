import {
  GraphQLError, GraphQLIncludeDirective, GraphQLSkipDirective, getArgumentValues, getDirectiveValues, getNamedType,
  getVariableValues, isAbstractType, isInputObjectType, isListType, getNullableType, Kind,
  type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLCompositeType, type GraphQLField,
  type GraphQLInputType, type GraphQLNamedType, type GraphQLObjectType, type GraphQLSchema,
  type InlineFragmentNode, type FragmentSpreadNode, type OperationDefinitionNode,
} from 'graphql';
import { schemaCostSettings, typeWeight, type SchemaCostSettings } from './settings.js';

/** The defaults of the cost model; each can be overridden in `CostOptions`. */
export interface CostDefaults {
  /** Weight of an object, interface or union value (default 1). */
  objectCost: number;
  /** Weight of a scalar or enum value (default 0). */
  scalarCost: number;
  /** Weight of each root mutation field (default 10). */
  mutationCost: number;
  /** Size assumed for a list with no slicing argument and no `assumedSize` (default 10). */
  defaultListSize: number;
  /** Most selections the analysis visits (fields, spreads and inline fragments, with fragments expanded) before it refuses the operation (default 2000). */
  maxNodes: number;
}

/** Defaults like Shopify's: scalars and enums free, objects 1, mutations 10. */
export const COST_DEFAULTS: Readonly<CostDefaults> = Object.freeze({
  objectCost: 1, scalarCost: 0, mutationCost: 10, defaultListSize: 10, maxNodes: 2000,
});

/** The `code` of the error an operation gets when its cost cannot be computed (too many nodes, bad slicing arguments). */
export const COST_ANALYSIS_FAILED = 'COST_ANALYSIS_FAILED';

/** Thrown by the analysis when an operation's cost cannot be computed; a `GraphQLError` with `extensions.code = "COST_ANALYSIS_FAILED"`. */
export class CostAnalysisError extends GraphQLError {
  constructor(message: string, nodes?: readonly FieldNode[] | FieldNode) {
    super(message, { nodes, extensions: { code: COST_ANALYSIS_FAILED } });
    this.name = 'CostAnalysisError';
  }
}

/** Everything about one operation the two walks (requested and actual) share. */
export class OperationScope {
  readonly settings: SchemaCostSettings;
  readonly fragments = new Map<string, FragmentDefinitionNode>();
  readonly variables: Record<string, unknown>;
  /** False when the variables could not be coerced: execution will refuse the operation, so nothing runs. */
  readonly variablesValid: boolean;
  private nodes = 0;

  constructor(
    readonly schema: GraphQLSchema,
    readonly operation: OperationDefinitionNode,
    document: DocumentNode,
    variables: Record<string, unknown> | null | undefined,
    readonly defaults: CostDefaults,
  ) {
    this.settings = schemaCostSettings(schema);
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(definition.name.value, definition);
    }
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
    this.variablesValid = coerced.coerced !== undefined;
    this.variables = coerced.coerced ?? {};
  }

  /** Counts one visited selection; throws `CostAnalysisError` past `maxNodes`. */
  visit(): void {
    if (++this.nodes > this.defaults.maxNodes) {
      throw new CostAnalysisError(`Operation too complex to analyse: it expands to more than ${this.defaults.maxNodes} selections`);
    }
  }

  /** False when `@skip(if: true)` or `@include(if: false)` removes the selection. */
  included(node: FieldNode | InlineFragmentNode | FragmentSpreadNode): boolean {
    if (node.directives === undefined || node.directives.length === 0) return true;
    const skip = getDirectiveValues(GraphQLSkipDirective, node, this.variables);
    if (skip?.['if'] === true) return false;
    const include = getDirectiveValues(GraphQLIncludeDirective, node, this.variables);
    return include?.['if'] !== false;
  }

  /** True when a fragment with `typeCondition` applies to values of `type`. */
  applies(typeCondition: string | undefined, type: GraphQLCompositeType): boolean {
    if (typeCondition === undefined || typeCondition === type.name) return true;
    const condition = this.schema.getType(typeCondition);
    return condition !== undefined && condition !== null && isAbstractType(condition) && !isAbstractType(type)
      ? this.schema.isSubType(condition, type as GraphQLObjectType)
      : false;
  }

  /** The weight of a value of `type` (its `@cost`, or the default for its kind). */
  typeWeight(type: GraphQLNamedType): number {
    return typeWeight(this.settings, type, this.defaults);
  }

  /** The coerced arguments of `field` at `node` (literals, variables and defaults). */
  argumentValues(field: GraphQLField<unknown, unknown>, node: FieldNode): Record<string, unknown> {
    try {
      return getArgumentValues(field as never, node, this.variables);
    } catch (error) {
      throw new CostAnalysisError(error instanceof Error ? error.message : String(error), node);
    }
  }

  /** The `@cost` of the arguments given at `node`, with the input fields and input types inside their values. */
  argumentsCost(field: GraphQLField<unknown, unknown>, node: FieldNode): number {
    const given = new Set((node.arguments ?? []).map((a) => a.name.value));
    const values = this.argumentValues(field, node);
    let cost = 0;
    for (const argument of field.args) {
      if (!given.has(argument.name) || values[argument.name] === undefined) continue;
      cost += (this.settings.argumentWeights.get(argument) ?? 0) + this.inputCost(argument.type, values[argument.name]);
    }
    return cost;
  }

  private inputCost(type: GraphQLInputType, value: unknown): number {
    if (value === null || value === undefined) return 0;
    if (isListType(getNullableType(type))) {
      const item = (getNullableType(type) as { ofType: GraphQLInputType }).ofType;
      return Array.isArray(value) ? value.reduce((sum: number, v: unknown) => sum + this.inputCost(item, v), 0) : this.inputCost(item, value);
    }
    const named = getNamedType(type);
    if (!isInputObjectType(named) || !this.settings.costlyInputs.has(named.name) || typeof value !== 'object') return 0;
    let cost = this.settings.typeWeights.get(named.name) ?? 0;
    for (const inputField of Object.values(named.getFields())) {
      const inner = (value as Record<string, unknown>)[inputField.name];
      if (inner === undefined) continue;
      cost += (this.settings.inputFieldWeights.get(inputField) ?? 0) + this.inputCost(inputField.type, inner);
    }
    return cost;
  }
}

/** The operation `operationName` names (or the only one), or undefined. */
export function findOperation(document: DocumentNode, operationName?: string | null): OperationDefinitionNode | undefined {
  let found: OperationDefinitionNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    if (operationName === undefined || operationName === null) {
      if (found !== undefined) return undefined;
      found = definition;
    } else if (definition.name?.value === operationName) return definition;
  }
  return found;
}

/** The root type of an operation. */
export function rootType(schema: GraphQLSchema, operation: OperationDefinitionNode): GraphQLObjectType | undefined {
  if (operation.operation === 'mutation') return schema.getMutationType() ?? undefined;
  if (operation.operation === 'subscription') return schema.getSubscriptionType() ?? undefined;
  return schema.getQueryType() ?? undefined;
}

/** Adds `amount` to a breakdown entry. */
export function addTo(breakdown: Map<string, number> | undefined, coordinate: string, amount: number): void {
  if (breakdown === undefined || amount === 0) return;
  breakdown.set(coordinate, (breakdown.get(coordinate) ?? 0) + amount);
}

/**
 * The dearest of `candidates` (the possible types of an abstract type):
 * `price` prices each into its own breakdown map (undefined when no
 * breakdown is kept), the dearest one's shares are added to `outer`, and
 * its cost is returned (0 when there are none). The analysis and the
 * actual cost both price an abstract type this way.
 */
export function dearest<T>(candidates: Iterable<T>, outer: Map<string, number> | undefined, price: (candidate: T, breakdown: Map<string, number> | undefined) => number): number {
  let best = -1;
  let bestShares: Map<string, number> | undefined;
  for (const candidate of candidates) {
    const shares = outer === undefined ? undefined : new Map<string, number>();
    const cost = price(candidate, shares);
    if (cost > best) {
      best = cost;
      bestShares = shares;
    }
  }
  if (outer !== undefined && bestShares !== undefined) for (const [key, share] of bestShares) addTo(outer, key, share);
  return Math.max(best, 0);
}

/** A whole cost: fractional weights add up, then round up (a tiny float error is not a unit). */
export function wholeCost(total: number): number {
  return Math.max(0, Math.ceil(total - 1e-9));
}
