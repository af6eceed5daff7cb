/**
 * Compiles definitions of the generated R4 JSON Schema (schemas/r4/fhir.schema.json) into plain
 * JavaScript predicates (`new Function`, one function per definition), with ajv's semantics for
 * the keywords that schema uses: type, properties, additionalProperties: false, required, items,
 * anyOf, $ref, pattern (a `u`-flag RegExp, applied to strings only), enum and const of strings,
 * minimum and maximum (applied to finite numbers only); `number` is a finite number, `integer`
 * one without a fraction. Anything else makes compilation fail (Unsupported) and the caller
 * falls back to ajv. Used by structure-check.ts (the schema alone) and clean-check.ts (the schema
 * plus the invariant walk's rules, through the ObjectHooks below).
 *
 * Generated functions take (x, c, d): the value, a context for the hooks, the value's JSON depth.
 */
export type Schema = Record<string, unknown>;

export class Unsupported extends Error {}

/** Extra code for the objects of one definition (clean-check.ts); all optional. */
export interface ObjectHooks {
  /** Statements run first (x is the object, d its depth). */
  prelude?: string[];
  /** Replaces the schema check of a property (the statement run for key k, value v). */
  replace?(key: string): string | undefined;
  /** Statements run for key k before its schema check. */
  before?(key: string): string;
  /** Statements run for key k after its schema check passed. */
  after?(key: string): string;
  /** Statements run after the keys (`none` is true when the object had no key). */
  epilogue?: string[];
}

export interface Unit {
  definitions: Record<string, Schema>;
  /** definition name -> function name, for those compiled (or being compiled) into this unit. */
  names: Map<string, string>;
  functions: string[];
  patterns: RegExp[];
  patternIndex: Map<string, number>;
  enums: Array<ReadonlySet<string>>;
  /** property name -> case number, for objects with many properties. */
  keyMaps: Array<ReadonlyMap<string, number>>;
  /** Hooks for the object functions of a definition (undefined: the schema alone). */
  hooksFor?(definition: string | undefined, schema: Schema): ObjectHooks | undefined;
}

/** Object.prototype members, and `prototype`: never property names of a compiled object. */
const RESERVED = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);
const SIMPLE = new Set(['type', 'pattern', 'enum', 'const', 'minimum', 'maximum', 'properties', 'additionalProperties', 'required', 'items', 'anyOf', '$ref']);
const REF = '#/definitions/';
/** Above this many properties, keys are numbered through a Map before the switch (a long string switch compares one by one). */
const SWITCH_LIMIT = 16;

export function newUnit(definitions: Record<string, Schema>): Unit {
  return { definitions, names: new Map(), functions: [], patterns: [], patternIndex: new Map(), enums: [], keyMaps: [] };
}

/** The definition a property schema refers to (`{$ref}`, or its array items, or the non-null branch of an anyOf). */
export function refOf(schema: Schema): string | undefined {
  const one = (s: Schema | undefined): string | undefined => (typeof s?.$ref === 'string' && s.$ref.startsWith(REF) ? s.$ref.slice(REF.length) : undefined);
  const items = schema.items as Schema | undefined;
  if (schema.$ref !== undefined) return one(schema);
  if (items?.$ref !== undefined) return one(items);
  if (Array.isArray(items?.anyOf)) return (items.anyOf as Schema[]).map(one).find((r) => r !== undefined);
  return undefined;
}

function patternRef(u: Unit, source: string): string {
  let i = u.patternIndex.get(source);
  if (i === undefined) {
    i = u.patterns.length;
    u.patterns.push(new RegExp(source, 'u')); // as ajv builds them (unicodeRegExp: true)
    u.patternIndex.set(source, i);
  }
  return `p[${i}]`;
}

function typeTest(type: unknown, x: string): string {
  switch (type) {
    case 'object':
      return `(${x} !== null && typeof ${x} === "object" && !Array.isArray(${x}))`;
    case 'array':
      return `Array.isArray(${x})`;
    case 'string':
      return `(typeof ${x} === "string")`;
    case 'boolean':
      return `(typeof ${x} === "boolean")`;
    case 'null':
      return `(${x} === null)`;
    case 'number':
      return `(typeof ${x} === "number" && isFinite(${x}))`;
    case 'integer':
      return `(typeof ${x} === "number" && !(${x} % 1) && !isNaN(${x}) && isFinite(${x}))`;
    default:
      throw new Unsupported(`type ${JSON.stringify(type)}`);
  }
}

/**
 * An expression that is true when the value in variable `x` (at depth `dx`) passes `schema`.
 * `owner`: the definition whose own schema this is (for its object function's hooks).
 */
function test(u: Unit, schema: Schema, x: string, dx: string, owner?: string): string {
  for (const k of Object.keys(schema)) if (!SIMPLE.has(k)) throw new Unsupported(`keyword ${k}`);
  const parts: string[] = [];
  if (schema.$ref !== undefined) {
    if (Object.keys(schema).length !== 1) throw new Unsupported('$ref with siblings');
    const ref = String(schema.$ref);
    if (!ref.startsWith(REF)) throw new Unsupported(`$ref ${ref}`);
    parts.push(`${functionFor(u, ref.slice(REF.length))}(${x}, c, ${dx})`);
  }
  if (schema.type !== undefined) parts.push(typeTest(schema.type, x));
  if (schema.pattern !== undefined) parts.push(`(typeof ${x} !== "string" || ${patternRef(u, String(schema.pattern))}.test(${x}))`);
  if (schema.enum !== undefined) {
    const values = schema.enum as unknown[];
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) throw new Unsupported('enum');
    u.enums.push(new Set(values as string[]));
    parts.push(`(typeof ${x} === "string" && e[${u.enums.length - 1}].has(${x}))`);
  }
  if (schema.const !== undefined) {
    if (typeof schema.const !== 'string') throw new Unsupported('const');
    parts.push(`(${x} === ${JSON.stringify(schema.const)})`);
  }
  for (const [k, op] of [['minimum', '>='], ['maximum', '<=']] as const) {
    if (schema[k] === undefined) continue;
    if (typeof schema[k] !== 'number') throw new Unsupported(k);
    parts.push(`(typeof ${x} !== "number" || !isFinite(${x}) || ${x} ${op} ${schema[k]})`);
  }
  if (schema.anyOf !== undefined) {
    parts.push(`(${(schema.anyOf as Schema[]).map((s) => test(u, s, x, dx)).join(' || ')})`);
  }
  if (schema.items !== undefined) {
    if (typeof schema.items !== 'object' || Array.isArray(schema.items)) throw new Unsupported('items');
    parts.push(`(!Array.isArray(${x}) || ${arrayFunction(u, schema.items as Schema)}(${x}, c, ${dx}))`);
  }
  if (schema.properties !== undefined || schema.required !== undefined || schema.additionalProperties !== undefined) {
    const fn = `o${u.functions.length}`;
    u.functions.push(''); // reserve the slot (and the name) before compiling the properties, which may add functions
    const slot = u.functions.length - 1;
    u.functions[slot] = objectFunction(u, fn, schema, owner);
    parts.push(`(!(${x} !== null && typeof ${x} === "object" && !Array.isArray(${x})) || ${fn}(${x}, c, ${dx}))`);
  }
  return parts.length ? `(${parts.join(' && ')})` : 'true';
}

/** The name of the function checking a definition, compiling it (and what it refers to) on first use. */
function functionFor(u: Unit, name: string): string {
  const known = u.names.get(name);
  if (known) return known;
  const schema = u.definitions[name];
  if (!schema) throw new Unsupported(`no definition ${name}`);
  const fn = `d${u.names.size}_${name.replace(/\W/g, '_')}`;
  u.names.set(name, fn); // before the body: definitions refer to themselves (Extension.extension)
  u.functions.push(`function ${fn}(x, c, d) { return ${test(u, schema, 'x', 'd', name)}; }`);
  return fn;
}

/** A function checking every element of an array (at depth d) against `items`. */
function arrayFunction(u: Unit, items: Schema): string {
  const fn = `a${u.functions.length}`;
  u.functions.push(''); // reserve the name
  const slot = u.functions.length - 1;
  u.functions[slot] = `function ${fn}(x, c, d) { for (let i = 0; i < x.length; i++) { const y = x[i]; if (!${test(u, items, 'y', 'd + 1')}) return false; } return true; }`;
  return fn;
}

/**
 * properties / required / additionalProperties: false of a value already known to be a non-array
 * object. One pass over its keys (for…in, as ajv's additionalProperties check), each checked
 * against its property schema; a key with no property schema fails. Keys holding undefined are
 * skipped, as ajv's `data.key !== undefined` does.
 */
function objectFunction(u: Unit, fn: string, s: Schema, owner: string | undefined): string {
  if (s.additionalProperties !== false) throw new Unsupported('additionalProperties');
  const props = Object.entries((s.properties ?? {}) as Record<string, Schema>);
  for (const [name] of props) if (RESERVED.has(name)) throw new Unsupported(`property ${name}`);
  const hooks = u.hooksFor?.(owner, s);
  const mapped = props.length > SWITCH_LIMIT;
  const lines: string[] = [`function ${fn}(x, c, d) {`, ...(hooks?.prelude ?? []), '  let none = true;', '  for (const k in x) {', '    none = false;', '    const v = x[k];'];
  if (mapped) {
    u.keyMaps.push(new Map(props.map(([name], i) => [name, i])));
    lines.push(`    switch (m[${u.keyMaps.length - 1}].get(k)) {`);
  } else {
    lines.push('    switch (k) {');
  }
  props.forEach(([name, schema], i) => {
    const replaced = hooks?.replace?.(name);
    const body = replaced ?? `${hooks?.before?.(name) ?? ''}if (v !== undefined && !${test(u, schema, 'v', 'd + 1')}) return false; ${hooks?.after?.(name) ?? ''}`;
    lines.push(`      case ${mapped ? i : JSON.stringify(name)}: ${body} break;`);
  });
  lines.push('      default: return false;', '    }', '  }');
  for (const r of (s.required ?? []) as string[]) lines.push(`  if (x[${JSON.stringify(r)}] === undefined) return false;`);
  lines.push(...(hooks?.epilogue ?? []), '  return true;', '}');
  return lines.join('\n');
}

/**
 * The compiled predicate for definition `name`, called as fn(value, context) at depth 0, or
 * undefined when the definition uses something this compiler does not support. `helpers` are
 * handed to the generated code by name (clean-check.ts's pairing and date checks).
 */
export function compileUnit<C>(u: Unit, name: string, helpers: Record<string, unknown> = {}): ((value: unknown, context: C) => boolean) | undefined {
  try {
    const entry = functionFor(u, name);
    const names = Object.keys(helpers);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from the vendored schema only, never from input
    const make = new Function('p', 'e', 'm', ...names, `"use strict";\n${u.functions.join('\n')}\nreturn (x, c) => ${entry}(x, c, 0);`) as (
      ...args: unknown[]
    ) => (value: unknown, context: C) => boolean;
    return make(u.patterns, u.enums, u.keyMaps, ...names.map((n) => helpers[n]));
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}
