import { getDirective } from '@graphql-tools/utils';
import {
  getNamedType, getNullableType, isInputObjectType, isLeafType, isListType, isObjectType, isInterfaceType,
  type GraphQLArgument, type GraphQLField, type GraphQLInputField, type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { ConfigurationError, describeValue } from '../../core/errors.js';

/** `@listSize` settings of one field (IBM GraphQL Cost Directives). */
export interface ListSizeSettings {
  /** The size assumed when no slicing argument gives one. */
  assumedSize?: number;
  /** Arguments whose value is the list's size (`first`, `last`, `limit`). */
  slicingArguments?: string[];
  /** On a connection: the child fields whose lists have the size (`edges`, `nodes`). */
  sizedFields?: string[];
  /** When true (the default once `slicingArguments` is set) exactly one slicing argument must be given. */
  requireOneSlicingArgument?: boolean;
}

/** What the analysis needs of one output field, read once per schema. */
export interface FieldCostSettings {
  /** `@cost` on the field itself, if any. */
  readonly weight: number | undefined;
  /** True when the field's type is a list (after non-null). */
  readonly isList: boolean;
  /** The field's named type. */
  readonly namedType: GraphQLNamedType;
  readonly listSize: Required<Pick<ListSizeSettings, 'slicingArguments' | 'sizedFields' | 'requireOneSlicingArgument'>> & { assumedSize: number | undefined } | undefined;
  /** True when some argument (or input field inside one) carries a `@cost`: arguments must then be read. */
  readonly argumentsCost: boolean;
}

/** The cost settings of a whole schema: read once per schema object (WeakMap cache). */
export interface SchemaCostSettings {
  readonly schema: GraphQLSchema;
  /** `@cost` on named types (objects, interfaces, unions, scalars, enums, input objects). */
  readonly typeWeights: ReadonlyMap<string, number>;
  /** By field object. */
  readonly fields: ReadonlyMap<GraphQLField<unknown, unknown>, FieldCostSettings>;
  /** `@cost` on arguments, by argument object. */
  readonly argumentWeights: ReadonlyMap<GraphQLArgument, number>;
  /** `@cost` on input fields, by input field object. */
  readonly inputFieldWeights: ReadonlyMap<GraphQLInputField, number>;
  /** Input object types that hold a `@cost` somewhere inside (themselves or a field, transitively). */
  readonly costlyInputs: ReadonlySet<string>;
}

/** The SDL of `@cost` and `@listSize`, as the IBM GraphQL Cost Directives specification defines them. */
export const costDirectivesTypeDefs = `directive @cost(weight: String!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR | INTERFACE | UNION
directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION`;

interface Directable {
  readonly extensions?: unknown;
  readonly astNode?: unknown;
}

/** The first `@name` settings on `node`: SDL / graphql-tools directives, else code-first `extensions[name]`. */
function settingOf(schema: GraphQLSchema, node: Directable, name: string): Record<string, unknown> | undefined {
  const found = getDirective(schema, node as never, name);
  if (found !== undefined && found.length > 0) return found[0] as Record<string, unknown>;
  const extension = (node.extensions as Record<string, unknown> | null | undefined)?.[name];
  if (extension === undefined || extension === null) return undefined;
  if (typeof extension !== 'object') return { weight: extension };
  return extension as Record<string, unknown>;
}

/** A `@cost` weight: a string or number holding a finite number >= 0. */
function weightOf(schema: GraphQLSchema, node: Directable, where: string): number | undefined {
  const setting = settingOf(schema, node, 'cost');
  if (setting === undefined) return undefined;
  const raw = setting['weight'];
  const weight = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
    throw new ConfigurationError(`@cost on ${where}: weight must be a number >= 0 (as a string in SDL), got ${describeValue(raw)}`);
  }
  return weight;
}

function stringList(value: unknown, what: string, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new ConfigurationError(`@listSize on ${where}: ${what} must be a list of names, got ${describeValue(value)}`);
  }
  return value as string[];
}

function listSizeOf(schema: GraphQLSchema, field: GraphQLField<unknown, unknown>, where: string): FieldCostSettings['listSize'] {
  const setting = settingOf(schema, field, 'listSize');
  if (setting === undefined) return undefined;
  const { assumedSize, requireOneSlicingArgument } = setting;
  if (assumedSize !== undefined && assumedSize !== null && (typeof assumedSize !== 'number' || !Number.isSafeInteger(assumedSize) || assumedSize < 0)) {
    throw new ConfigurationError(`@listSize on ${where}: assumedSize must be a whole number >= 0, got ${describeValue(assumedSize)}`);
  }
  const slicingArguments = stringList(setting['slicingArguments'], 'slicingArguments', where);
  for (const name of slicingArguments) {
    const argument = field.args.find((a) => a.name === name);
    if (argument === undefined) throw new ConfigurationError(`@listSize on ${where}: slicing argument "${name}" is not an argument of the field`);
    if (getNamedType(argument.type).name !== 'Int') throw new ConfigurationError(`@listSize on ${where}: slicing argument "${name}" must be of type Int`);
  }
  const sizedFields = stringList(setting['sizedFields'], 'sizedFields', where);
  const named = getNamedType(field.type);
  for (const name of sizedFields) {
    const child = isObjectType(named) || isInterfaceType(named) ? named.getFields()[name] : undefined;
    if (child === undefined) throw new ConfigurationError(`@listSize on ${where}: sized field "${name}" is not a field of ${named.name}`);
    if (!isListType(getNullableType(child.type))) throw new ConfigurationError(`@listSize on ${where}: sized field "${name}" of ${named.name} is not a list`);
  }
  if (requireOneSlicingArgument !== undefined && requireOneSlicingArgument !== null && typeof requireOneSlicingArgument !== 'boolean') {
    throw new ConfigurationError(`@listSize on ${where}: requireOneSlicingArgument must be true or false, got ${describeValue(requireOneSlicingArgument)}`);
  }
  return {
    assumedSize: typeof assumedSize === 'number' ? assumedSize : undefined,
    slicingArguments,
    sizedFields,
    requireOneSlicingArgument: slicingArguments.length > 0 && requireOneSlicingArgument !== false,
  };
}

const cache = new WeakMap<GraphQLSchema, SchemaCostSettings>();

/**
 * Reads every `@cost` and `@listSize` of `schema` (SDL directives, or
 * code-first `extensions.cost` / `extensions.listSize` on fields, types,
 * arguments and input fields), once per schema object. Throws
 * `ConfigurationError` naming the schema coordinate of a bad setting (a
 * negative weight, an unknown slicing argument or sized field).
 */
export function schemaCostSettings(schema: GraphQLSchema): SchemaCostSettings {
  const known = cache.get(schema);
  if (known !== undefined) return known;
  const typeWeights = new Map<string, number>();
  const fields = new Map<GraphQLField<unknown, unknown>, FieldCostSettings>();
  const argumentWeights = new Map<GraphQLArgument, number>();
  const inputFieldWeights = new Map<GraphQLInputField, number>();
  const types = Object.values(schema.getTypeMap()).filter((type) => !type.name.startsWith('__'));
  for (const type of types) {
    const weight = weightOf(schema, type, type.name);
    if (weight !== undefined) typeWeights.set(type.name, weight);
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        const fieldWeight = weightOf(schema, field, `${type.name}.${field.name}`);
        if (fieldWeight !== undefined) inputFieldWeights.set(field, fieldWeight);
      }
    }
  }
  const costlyInputs = costlyInputTypes(types, typeWeights, inputFieldWeights);
  for (const type of types) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
      const where = `${type.name}.${field.name}`;
      let argumentsCost = false;
      for (const argument of field.args) {
        const weight = weightOf(schema, argument, `${where}(${argument.name}:)`);
        if (weight !== undefined) argumentWeights.set(argument, weight);
        if (weight !== undefined || costlyInputs.has(getNamedType(argument.type).name)) argumentsCost = true;
      }
      fields.set(field, {
        weight: weightOf(schema, field, where),
        isList: isListType(getNullableType(field.type)),
        namedType: getNamedType(field.type),
        listSize: listSizeOf(schema, field, where),
        argumentsCost,
      });
    }
  }
  const settings: SchemaCostSettings = { schema, typeWeights, fields, argumentWeights, inputFieldWeights, costlyInputs };
  cache.set(schema, settings);
  return settings;
}

/** Input object types with a weight on themselves or on any input field reachable from them. */
function costlyInputTypes(types: readonly GraphQLNamedType[], typeWeights: ReadonlyMap<string, number>, inputFieldWeights: ReadonlyMap<GraphQLInputField, number>): Set<string> {
  const costly = new Set<string>();
  const inputs = types.filter(isInputObjectType);
  for (const type of inputs) if (typeWeights.has(type.name) || Object.values(type.getFields()).some((f) => inputFieldWeights.has(f))) costly.add(type.name);
  // Spread to the types holding a costly one, until nothing changes (input types may be recursive).
  let changed = true;
  while (changed) {
    changed = false;
    for (const type of inputs) {
      if (costly.has(type.name)) continue;
      if (Object.values(type.getFields()).some((f) => costly.has(getNamedType(f.type).name))) {
        costly.add(type.name);
        changed = true;
      }
    }
  }
  return costly;
}

/** The weight of an output type: its `@cost`, else `scalarCost` for scalars and enums and `objectCost` for objects, interfaces and unions. */
export function typeWeight(settings: SchemaCostSettings, type: GraphQLNamedType, defaults: { objectCost: number; scalarCost: number }): number {
  const weight = settings.typeWeights.get(type.name);
  if (weight !== undefined) return weight;
  return isLeafType(type) ? defaults.scalarCost : defaults.objectCost;
}
