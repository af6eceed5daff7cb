/**
 * A yes/no answer to "does this resource pass the R4 JSON Schema?", compiled from the same schema
 * as the ajv validators (schema-validators.ts) into plain JavaScript (one function per
 * definition, `new Function`), for the hot path: nearly every resource written is valid, and
 * ajv's generated code builds an error path and an options object for every value it visits.
 *
 * Contract (test/validation/structure-check.test.ts): the same verdict as ajv for JSON data
 * (objects whose properties are own, enumerable data properties, as JSON.parse makes them).
 * validate.ts asks ajv (allErrors) only when this says no, so ajv still writes every error.
 *
 * Only the keywords the generated R4 schema uses are compiled (type, properties,
 * additionalProperties: false, required, items, anyOf, $ref, pattern, enum and const of strings,
 * minimum, maximum), with ajv's semantics: `number` is a finite number, `integer` one without a
 * fraction, `pattern` a `u`-flag RegExp applied to strings only, bounds to finite numbers only.
 * A definition using anything else makes compilation fail, and the caller uses ajv alone.
 */
type Schema = Record<string, unknown>;

export type StructureCheck = (value: unknown) => boolean;

class Unsupported extends Error {}

const OWN = Object.getOwnPropertyNames(Object.prototype);
const SIMPLE = new Set(['type', 'pattern', 'enum', 'const', 'minimum', 'maximum', 'properties', 'additionalProperties', 'required', 'items', 'anyOf', '$ref']);

interface Unit {
  definitions: Record<string, Schema>;
  /** definition name -> function name, for those compiled (or being compiled) into this unit. */
  names: Map<string, string>;
  functions: string[];
  patterns: RegExp[];
  patternIndex: Map<string, number>;
  enums: Array<ReadonlySet<string>>;
  /** property name -> case number, for objects with many properties. */
  keyMaps: Array<ReadonlyMap<string, number>>;
}

const REF = '#/definitions/';

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

/** An expression that is true when the value in variable `x` passes `schema`. */
function test(u: Unit, schema: Schema, x: string): string {
  for (const k of Object.keys(schema)) if (!SIMPLE.has(k)) throw new Unsupported(`keyword ${k}`);
  const parts: string[] = [];
  if (schema.$ref !== undefined) {
    if (Object.keys(schema).length !== 1) throw new Unsupported('$ref with siblings');
    const ref = String(schema.$ref);
    if (!ref.startsWith(REF)) throw new Unsupported(`$ref ${ref}`);
    parts.push(`${functionFor(u, ref.slice(REF.length))}(${x})`);
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
    parts.push(`(${(schema.anyOf as Schema[]).map((s) => test(u, s, x)).join(' || ')})`);
  }
  if (schema.items !== undefined) {
    if (typeof schema.items !== 'object' || Array.isArray(schema.items)) throw new Unsupported('items');
    parts.push(`(!Array.isArray(${x}) || ${arrayFunction(u, schema.items as Schema)}(${x}))`);
  }
  if (schema.properties !== undefined || schema.required !== undefined || schema.additionalProperties !== undefined) {
    const fn = `o${u.functions.length}`;
    u.functions.push(''); // reserve the slot (and the name) before compiling the properties, which may add functions
    const slot = u.functions.length - 1;
    u.functions[slot] = objectFunction(u, fn, schema);
    parts.push(`(!(${x} !== null && typeof ${x} === "object" && !Array.isArray(${x})) || ${fn}(${x}))`);
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
  u.functions.push(`function ${fn}(x) { return ${test(u, schema, 'x')}; }`);
  return fn;
}

/** A function checking every element of an array against `items`. */
function arrayFunction(u: Unit, items: Schema): string {
  const fn = `a${u.functions.length}`;
  u.functions.push(''); // reserve the name
  const slot = u.functions.length - 1;
  u.functions[slot] = `function ${fn}(x) { for (let i = 0; i < x.length; i++) { const y = x[i]; if (!${test(u, items, 'y')}) return false; } return true; }`;
  return fn;
}

/** Above this many properties, keys are numbered through a Map before the switch (a long string switch compares one by one). */
const SWITCH_LIMIT = 16;

/**
 * properties / required / additionalProperties: false of a value already known to be a non-array
 * object. One pass over its keys (for…in, as ajv's additionalProperties check), each checked
 * against its property schema; a key with no property schema fails. Keys holding undefined are
 * skipped, as ajv's `data.key !== undefined` does.
 */
function objectFunction(u: Unit, fn: string, s: Schema): string {
  if (s.additionalProperties !== false) throw new Unsupported('additionalProperties');
  const props = Object.entries((s.properties ?? {}) as Record<string, Schema>);
  for (const [name] of props) if (OWN.includes(name)) throw new Unsupported(`property ${name}`);
  const mapped = props.length > SWITCH_LIMIT;
  const lines: string[] = [`function ${fn}(x) {`, '  for (const k in x) {', '    const v = x[k];'];
  if (mapped) {
    u.keyMaps.push(new Map(props.map(([name], i) => [name, i])));
    lines.push(`    switch (m[${u.keyMaps.length - 1}].get(k)) {`);
  } else {
    lines.push('    switch (k) {');
  }
  props.forEach(([name, schema], i) => {
    lines.push(`      case ${mapped ? i : JSON.stringify(name)}: if (v !== undefined && !${test(u, schema, 'v')}) return false; break;`);
  });
  lines.push('      default: return false;', '    }', '  }');
  for (const r of (s.required ?? []) as string[]) lines.push(`  if (x[${JSON.stringify(r)}] === undefined) return false;`);
  lines.push('  return true;', '}');
  return lines.join('\n');
}

/**
 * Compiles the check for one definition of the schema (`Observation`), with every definition it
 * refers to. Returns undefined when the definition uses something this compiler does not support.
 */
export function compileStructureCheck(definitions: Record<string, Schema>, name: string): StructureCheck | undefined {
  const u: Unit = { definitions, names: new Map(), functions: [], patterns: [], patternIndex: new Map(), enums: [], keyMaps: [] };
  try {
    const entry = functionFor(u, name);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from the vendored schema only, never from input
    const make = new Function('p', 'e', 'm', `"use strict";\n${u.functions.join('\n')}\nreturn ${entry};`) as (
      p: RegExp[],
      e: Array<ReadonlySet<string>>,
      m: Array<ReadonlyMap<string, number>>,
    ) => StructureCheck;
    return make(u.patterns, u.enums, u.keyMaps);
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}
