/**
 * Turns Medplum's R4 JSON Schema (official HL7 schema + Medplum's own resource types) into the
 * schema this server validates with: official R4 resource set only, no descriptions, and the
 * repairs ajv needs (https://hl7.org/fhir/R4/json.html#schema for the original).
 */
type Schema = Record<string, unknown>;
export interface JsonSchemaDoc { definitions: Record<string, Schema>; [k: string]: unknown }

const REF_PREFIX = '#/definitions/';
export const SCHEMA_ID = 'http://hl7.org/fhir/json-schema/4.0';

/** Every definition reachable from the official resource types (and nothing Medplum adds). */
function reachable(defs: Record<string, Schema>, roots: string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    const def = defs[name];
    if (!def) throw new Error(`dangling $ref to ${name} from the official set`);
    seen.add(name);
    collectRefs(def, (target) => stack.push(target));
  }
  return seen;
}

function collectRefs(node: unknown, onRef: (target: string) => void): void {
  if (Array.isArray(node)) return node.forEach((n) => collectRefs(n, onRef));
  if (!node || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith(REF_PREFIX)) onRef(v.slice(REF_PREFIX.length));
    else collectRefs(v, onRef);
  }
}

/** Deep copy without `description` (two thirds of the file; the StructureDefinitions carry them). */
function stripDescriptions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripDescriptions);
  if (!node || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'description' && typeof v === 'string') continue;
    // `properties` maps element names to schemas: an element could be called "description".
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Schema).map(([p, s]) => [p, stripDescriptions(s)])) : stripDescriptions(v);
  }
  return out;
}

/**
 * Primitive repairs. The HL7 schema puts `pattern` on number/boolean types (ignored by JSON
 * Schema, rejected by ajv's strictTypes), so integers were never checked to be integers, and
 * xhtml is `{}`. Ranges from https://hl7.org/fhir/R4/datatypes.html#primitive.
 */
const PRIMITIVE_REPAIRS: Record<string, Schema> = {
  boolean: { type: 'boolean' },
  decimal: { type: 'number' },
  integer: { type: 'integer', minimum: -2147483648, maximum: 2147483647 },
  unsignedInt: { type: 'integer', minimum: 0, maximum: 2147483647 },
  positiveInt: { type: 'integer', minimum: 1, maximum: 2147483647 },
  // https://hl7.org/fhir/R4/datatypes.html#base64Binary (whitespace allowed, as in the R4 regex)
  base64Binary: { type: 'string', pattern: '^(\\s*([0-9a-zA-Z+/=]){4}\\s*)+$' },
  // https://hl7.org/fhir/R4/narrative.html#xhtml: a <div> in the XHTML namespace
  xhtml: { type: 'string', pattern: '^\\s*<div[\\s>]' },
};

/** Choice-type primitives (valueInteger…) are inlined copies of the primitives: repair them too. */
const INLINE_BY_PATTERN: Record<string, Schema> = {
  '^true|false$': PRIMITIVE_REPAIRS.boolean!,
  '^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?$': PRIMITIVE_REPAIRS.decimal!,
  '^-?([0]|([1-9][0-9]*))$': PRIMITIVE_REPAIRS.integer!,
  '^[1-9][0-9]*$': PRIMITIVE_REPAIRS.positiveInt!,
  '^[0]|([1-9][0-9]*)$': PRIMITIVE_REPAIRS.unsignedInt!,
};

/**
 * FHIR's regexes are XML Schema regexes (https://hl7.org/fhir/R4/datatypes.html#primitive), where
 * `\s` is only space, tab, CR and LF; in JavaScript it is every Unicode space, so `^[ \r\n\t\S]+$`
 * (string, markdown) refused U+00A0, U+3000 and the like, which FHIR allows. Rewritten with the
 * XML meaning: `\s` -> `[ \t\n\r]`, `\S` -> `[^ \t\n\r]`, and inside a class `\s` -> its four
 * characters, `[…\S]` -> `(?:[…]|[^ \t\n\r])`, or any character when the class names all four
 * (string's); `\S` in a negated class is refused (no R4 pattern has one).
 */
export function xmlRegex(source: string): string {
  const WS = ' \\t\\n\\r';
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\\') {
      const next = source[i + 1];
      out += next === 's' ? `[${WS}]` : next === 'S' ? `[^${WS}]` : ch + next;
      i++;
    } else if (ch === '[') {
      let j = i + 1;
      let body = '';
      let nonSpace = false;
      const negated = source[j] === '^';
      if (negated) j++;
      for (; j < source.length && source[j] !== ']'; j++) {
        if (source[j] === '\\') {
          const next = source[++j];
          if (next === 's') body += WS;
          else if (next === 'S') nonSpace = true;
          else body += `\\${next}`;
        } else body += source[j];
      }
      if (nonSpace && negated) throw new Error(`cannot rewrite ${source}: \\S in a negated class`);
      const cls = `[${negated ? '^' : ''}${body}]`;
      // `[ \r\n\t\S]` (string) is any character at all
      const all = [' ', '\\t', '\\n', '\\r'].every((w) => body.includes(w));
      out += !nonSpace ? cls : all ? '[\\s\\S]' : body ? `(?:${cls}|[^${WS}])` : `[^${WS}]`;
      i = j;
    } else out += ch;
  }
  return out;
}

/**
 * base64Binary's R4 regex, `^(\s*([0-9a-zA-Z\+/=]){4}\s*)+$`, lets the spaces between two groups
 * go to either group's `\s*`: a failing match backtracks exponentially (160 bytes took 16 s).
 * The same language, unambiguous: spaces first, then groups of four each followed by its spaces.
 */
const BASE64_PATTERNS = new Set(['^(\\s*([0-9a-zA-Z+/=]){4}\\s*)+$', '^(\\s*([0-9a-zA-Z\\+/=]){4}\\s*)+$']);
const BASE64_SAFE = '^[ \\t\\n\\r]*(?:[0-9a-zA-Z+/=]{4}[ \\t\\n\\r]*)+$';

/**
 * uri, url and canonical (and their inlined choice copies, valueUri …) have the R4 regex `\S*`,
 * which matches '': FHIR JSON has no empty strings (ele-1, https://hl7.org/fhir/R4/json.html), and
 * every other string type's regex refuses one (src/validation/ajv-issues.ts words it as ele-1).
 */
const EMPTY_ALLOWED = '^\\S*$';
const NON_EMPTY = '^\\S+$';

function repairPatterns(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(repairPatterns);
  if (!node || typeof node !== 'object') return;
  const o = node as Schema;
  for (const [k, v] of Object.entries(o)) {
    if (k === 'pattern' && typeof v === 'string') o[k] = BASE64_PATTERNS.has(v) ? BASE64_SAFE : xmlRegex(v === EMPTY_ALLOWED ? NON_EMPTY : v);
    else repairPatterns(v);
  }
}

/**
 * The HL7 schema has no `_name` sibling for canonical elements (Meta.profile,
 * Task.instantiatesCanonical …), so their primitive extensions were refused although
 * https://hl7.org/fhir/R4/json.html#primitive allows one on every primitive but xhtml.
 */
function addCanonicalSiblings(def: Schema): void {
  const props = def.properties as Record<string, Schema> | undefined;
  if (!props) return;
  const CANONICAL = REF_PREFIX + 'canonical';
  const ELEMENT = { $ref: REF_PREFIX + 'Element' };
  for (const [name, prop] of Object.entries(props)) {
    if (name.startsWith('_') || `_${name}` in props) continue;
    const items = prop.items as Schema | undefined;
    if (prop.$ref === CANONICAL) props[`_${name}`] = { ...ELEMENT };
    else if (prop.type === 'array' && items?.$ref === CANONICAL) {
      // (the pair of a repeating primitive may hold null: repairProperties makes both sides say so)
      props[`_${name}`] = { items: { ...ELEMENT }, type: 'array' };
    }
  }
}

function repairInline(node: Schema): Schema {
  if (typeof node.pattern !== 'string' || node.type === 'string') return node;
  const fix = INLINE_BY_PATTERN[node.pattern];
  if (!fix) throw new Error(`no repair for a ${String(node.type)} with pattern ${node.pattern}`);
  return { ...fix };
}

/**
 * Repeating primitives may carry `null` where only the `_name` sibling has content, and vice
 * versa (https://hl7.org/fhir/R4/json.html#primitive). The HL7 schema forbids null items; we let
 * them through here and check the pairing in the invariant layer. That includes the repeating
 * codes whose items the HL7 schema enumerates inline (`AllergyIntolerance.category`,
 * `Timing.repeat.when`): they refused the null as a code outside the binding.
 */
function repairProperties(def: Schema): void {
  const props = def.properties as Record<string, Schema> | undefined;
  if (!props) return;
  for (const [name, prop] of Object.entries(props)) {
    props[name] = repairInline(prop);
  }
  for (const [name, prop] of Object.entries(props)) {
    const items = prop.items as Schema | undefined;
    if (prop.type !== 'array' || !items || (typeof items.$ref !== 'string' && !Array.isArray(items.enum))) continue;
    const isPrimitivePair = name.startsWith('_') ? name.slice(1) in props : `_${name}` in props;
    if (isPrimitivePair) prop.items = { anyOf: [items, { type: 'null' }] };
  }
}

export interface ReduceResult { schema: JsonSchemaDoc; kept: number; dropped: string[] }

/** Drops `Meta.project`-style additions (def.prop paths); a slot holding a resource is never one. */
function dropAdditions(defs: Record<string, Schema>, additions: string[]): string[] {
  const dropped: string[] = [];
  for (const path of additions) {
    const [def, prop, ...rest] = path.split('.');
    const props = defs[def!]?.properties as Record<string, Schema> | undefined;
    if (rest.length || !props || !props[prop!] || props[prop!]!.$ref === REF_PREFIX + 'ResourceList') continue;
    delete props[prop!];
    delete props[`_${prop!}`];
    dropped.push(path);
  }
  return dropped;
}

export function reduceSchema(source: JsonSchemaDoc, officialTypes: string[], additions: string[]): ReduceResult {
  const defs = source.definitions;
  const resourceList: Schema = { oneOf: officialTypes.map((t) => ({ $ref: REF_PREFIX + t })) };
  const working: Record<string, Schema> = { ...defs, ResourceList: resourceList };
  const keep = reachable(working, [...officialTypes, 'ResourceList']);
  const dropped = Object.keys(defs).filter((n) => !keep.has(n));

  const out: Record<string, Schema> = {};
  for (const name of [...keep].sort()) {
    const def = stripDescriptions(working[name]) as Schema;
    const repaired = PRIMITIVE_REPAIRS[name] ?? def;
    // Complex types lack `type: object` in the HL7 schema, so `"code": "abc"` passed untouched.
    if (repaired.properties && !repaired.type) repaired.type = 'object';
    addCanonicalSiblings(repaired);
    repairProperties(repaired);
    repairPatterns(repaired);
    out[name] = repaired;
  }
  dropped.push(...dropAdditions(out, additions));
  const schema: JsonSchemaDoc = { $id: SCHEMA_ID, definitions: out };
  return { schema, kept: keep.size, dropped };
}
