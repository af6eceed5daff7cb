import { fhirError, FhirError } from '../fhir/errors.js';
import { indexFields } from './aliases.js';
import {
  bad, dateCond, lastUpdatedCond, numberCond, numberRangeCond, ofTypeCond, quantityCond, regionCond, stringCond, tokenCond, uriCond, type Cond,
} from './compile-values.js';
import { escapeRegex, fold, referenceKey } from './normalize.js';
import { compositePart } from './index-values.js';
import { mayReachType } from './element-types.js';
import { splitEscaped, unescape, type ParamClause } from './parse.js';
import { paramByUrl, RANGE_NUMBER_PARAMS, typeModifierProblem, type ParamDef } from './registry.js';

/**
 * Compiles parsed clauses into one MongoDB filter document over IndexedDoc (DESIGN.md "Search").
 * Pure: the same document runs on MongoDB and, through mingo, on the embedded store. Each clause
 * becomes one member of a top-level `$and`, which lets the embedded store pick its most selective
 * index from the document alone.
 */
export type Filter = Record<string, unknown>;

const MODIFIERS: Record<string, string[]> = {
  token: ['missing', 'not', 'text', 'of-type', 'exact'],
  string: ['missing', 'exact', 'contains'],
  reference: ['missing', 'identifier', 'not'],
  uri: ['missing', 'above', 'below', 'exact'],
  number: ['missing'],
  date: ['missing'],
  quantity: ['missing'],
  composite: ['missing'],
  special: ['missing'],
};

/** An OR over the fields of a parameter (one field, or two for a union alias). */
function onFields(fields: string[], cond: Cond): Filter {
  const f = fields.map((k) => ({ [`x.${k}`]: cond }));
  return f.length === 1 ? f[0] : { $or: f };
}

/** `$in` when every OR value is a plain equality, else an `$or` of conditions. */
function anyOf(fields: string[], conds: Cond[]): Filter {
  if (conds.every((c) => typeof c === 'string')) return onFields(fields, conds.length === 1 ? conds[0] : { $in: conds });
  const ors = conds.map((c) => onFields(fields, c));
  return ors.length === 1 ? ors[0] : { $or: ors };
}

const HISTORY = /\/_history\/[^/]+$/;

/**
 * Reference value -> the stored `Type/id` (or absolute URL / canonical) forms it matches; a
 * versioned value (`Type/id/_history/v`, `id/_history/v`) keeps its version, and is looked up among
 * the versioned references (referenceMatch).
 */
export function referenceForms(def: ParamDef, raw: string, typeModifier: string | undefined, baseUrl: string): string[] {
  const v = unescape(raw);
  if (!v) bad(def.code, 'empty reference');
  if (baseUrl && v.startsWith(`${baseUrl}/`)) return referenceForms(def, v.slice(baseUrl.length + 1), typeModifier, baseUrl);
  // Another server's URL matches only what was filed under that URL (index-values.ts referenceValues)
  if (/^[a-z][a-z0-9+.-]*:/i.test(v)) return [v];
  const version = HISTORY.exec(v)?.[0] ?? '';
  const key = referenceKey(v, ''); // (our own base was taken off above)
  if (key) {
    if (typeModifier && !key.startsWith(`${typeModifier}/`)) return [];
    return [key + version];
  }
  const id = version ? v.slice(0, -version.length) : v;
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) bad(def.code, `"${v}" is not a reference`);
  const types = typeModifier ? [typeModifier] : def.target?.length ? def.target : [];
  if (!types.length) bad(def.code, `"${v}" needs a type (Type/id)`);
  return types.map((t) => `${t}/${id}${version}`);
}

/**
 * Any of a reference parameter's values. An unversioned value (`Patient/p1`) names the resource,
 * whatever version a reference names, so it matches `Patient/p1` and `Patient/p1/_history/2`
 * alike (search.html#reference: the logical id). A versioned one (`Patient/p1/_history/2`) asks for
 * that version (R4 defines `/_history/` only as a version-specific reference, references.html), so
 * it matches only the references that name it, which are filed with their version in `p__v`
 * (index-values.ts referenceValues): not version 1, nor an unversioned reference, which points at
 * whatever version is current.
 */
function referenceMatch(fields: string[], forms: Cond[]): Filter {
  const versioned = forms.filter((f) => typeof f === 'string' && HISTORY.test(f));
  if (!versioned.length) return anyOf(fields, forms);
  const plain = forms.filter((f) => !versioned.includes(f));
  const byVersion = anyOf(fields.map((f) => `${f}__v`), versioned);
  return plain.length ? { $or: [anyOf(fields, plain), byVersion] } : byVersion;
}

function compositeCond(def: ParamDef, raw: string): Cond {
  const parts = splitEscaped(raw, '$');
  const comps = def.component ?? [];
  if (parts.length !== comps.length) bad(def.code, `expected ${comps.length} components separated by "$"`);
  if (comps.length === 2 && comps.every((c) => paramByUrl(c.definition)?.type === 'token')) {
    // token$token composites are indexed as joined strings (index-values.ts joinForms)
    const a = tokenCond(def.code, parts[0]);
    const b = tokenCond(def.code, parts[1]);
    if (typeof a !== 'string' || typeof b !== 'string') bad(def.code, 'composite token components need a code');
    return `${compositePart(a)}$${compositePart(b)}`;
  }
  const m: Record<string, unknown> = {};
  comps.forEach((c, i) => {
    const sub = paramByUrl(c.definition);
    if (!sub) bad(def.code, 'unknown component');
    try {
      m[`c${i}`] = valueCond(sub, parts[i], undefined, '');
    } catch (e) {
      // the client wrote the composite: name it, and which of its parts is wrong
      if (e instanceof FhirError) bad(def.code, `component ${i + 1} (${sub.code}): ${e.message.replace(/^Invalid value for search parameter \S+: /, '')}`);
      throw e;
    }
  });
  return { $elemMatch: m };
}

/** One value of a parameter (no `:missing`/`:not` here) -> condition on its index field. */
function valueCond(def: ParamDef, raw: string, modifier: string | undefined, baseUrl: string): Cond {
  switch (def.type) {
    case 'token':
      if (modifier === 'text') return { $regex: `(^|\\s)${escapeRegex(fold(unescape(raw)))}` };
      if (modifier === 'of-type') return ofTypeCond(def.code, raw);
      return tokenCond(def.code, raw);
    case 'string': return stringCond(def.code, raw, modifier);
    case 'uri': return uriCond(def.code, raw, modifier);
    case 'number': return numberCond(def.code, raw);
    case 'date': return dateCond(def.code, raw);
    case 'quantity': return quantityCond(def.code, raw);
    case 'composite': return compositeCond(def, raw);
    case 'reference': {
      if (modifier === 'identifier') return tokenCond(def.code, raw);
      const forms = referenceForms(def, raw, modifier, baseUrl);
      return forms.length === 1 ? forms[0] : { $in: forms };
    }
    case 'special':
      if (def.code === 'genomic-region') return regionCond(def.code, raw);
  }
  throw fhirError('INVALID_SEARCH', `Search parameter ${def.code} cannot be searched`, def.code);
}

/** Field suffix for modifiers that read a companion field (index-values.ts layout). */
function fieldSuffix(def: ParamDef, modifier: string | undefined): string {
  if (def.type === 'token' && modifier === 'text') return '__t';
  if (def.type === 'token' && modifier === 'of-type') return '__ot';
  if (def.type === 'string' && modifier === 'exact') return '__e';
  if (def.type === 'reference' && modifier === 'identifier') return '__i';
  return '';
}

export function compileClause(type: string | undefined, c: ParamClause, baseUrl: string): Filter {
  const { def } = c;
  let modifier = c.modifier;
  const isTypeModifier = def.type === 'reference' && modifier !== undefined && /^[A-Z]/.test(modifier);
  if (modifier && !isTypeModifier && !MODIFIERS[def.type]?.includes(modifier)) {
    throw fhirError('INVALID_SEARCH', `Modifier :${modifier} is not supported on ${def.type} parameter ${def.code}`, c.key);
  }
  if (modifier) checkModifierElements(type, def, modifier, c.key);
  const typeProblem = isTypeModifier ? typeModifierProblem(def, modifier!) : undefined;
  if (typeProblem) throw fhirError('INVALID_SEARCH', `${c.key}: ${typeProblem}`, c.key);
  if (def.type === 'token' && modifier === 'exact') modifier = undefined;
  if (def.type === 'uri' && modifier === 'exact') modifier = undefined;
  if (modifier === 'missing') {
    const v = c.values.join(',');
    if (v !== 'true' && v !== 'false') bad(c.key, ':missing takes true or false');
    // _id and _lastUpdated are the document's own id and lu (storage/types.ts IndexedDoc), not under x
    if (def.code === '_id') return { id: { $exists: v === 'false' } };
    if (def.code === '_lastUpdated') return { lu: { $exists: v === 'false' } };
    // (values, and `__m`: the element is there but gave none, index-values.ts; a number's Ranges in `__r`)
    const fields = indexFields(type, def.code).flatMap((f) => [`x.${f}`, `x.${f}__m`]);
    if (RANGE_NUMBER_PARAMS.has(def.url)) fields.push(`x.${def.code}__r`);
    if (v === 'true') return fields.length === 1 ? { [fields[0]]: { $exists: false } } : { $and: fields.map((f) => ({ [f]: { $exists: false } })) };
    return fields.length === 1 ? { [fields[0]]: { $exists: true } } : { $or: fields.map((f) => ({ [f]: { $exists: true } })) };
  }
  if (def.code === '_id') {
    const ids = c.values.map(unescape);
    if (ids.includes('')) bad(c.key, 'empty id'); // as an empty value of any other parameter: not "no id"
    const cond = ids.length === 1 ? ids[0] : { $in: ids };
    return modifier === 'not' ? { id: { $nin: ids } } : { id: cond };
  }
  if (def.code === '_lastUpdated') {
    const ors = c.values.map((v) => ({ lu: lastUpdatedCond(c.key, v) }));
    return ors.length === 1 ? ors[0] : { $or: ors };
  }
  const fields = indexFields(type, def.code).map((f) => f + fieldSuffix(def, modifier));
  if (RANGE_NUMBER_PARAMS.has(def.url)) {
    // a number or a Range (its own field): each value on both
    const ors = c.values.map((v) => ({ $or: [{ [`x.${def.code}`]: numberCond(def.code, v) }, { [`x.${def.code}__r`]: numberRangeCond(def.code, v) }] }));
    return ors.length === 1 ? ors[0] : { $or: ors };
  }
  const conds = c.values.map((v) => valueCond(def, v, modifier === 'not' ? undefined : modifier, baseUrl));
  const isRef = def.type === 'reference' && modifier !== 'identifier';
  const flat = conds.flatMap((x) => (x && typeof x === 'object' && '$in' in (x as object) && def.type === 'reference' ? (x as { $in: string[] }).$in : [x]));
  if (modifier === 'not') {
    // :not = resources without any matching value, including those with no value (search.html#token)
    return { $nor: [isRef ? referenceMatch(fields, flat) : anyOf(fields, conds)] };
  }
  return isRef ? referenceMatch(fields, flat) : anyOf(fields, flat);
}

/**
 * Token modifiers that read a companion field only some element types fill (index-values.ts
 * tokenValues): `:of-type` "only applies to Identifier" (search.html#token), and `:text` searches
 * "CodeableConcept.text, Coding.display, or Identifier.type.text" (a Quantity's unit is filed as
 * its display). On a token that reaches none of them (`Observation?code:of-type=…`, `status:text=…`)
 * the field is never filled and the answer would be an empty page for a question the server cannot
 * answer, so they are refused as any modifier a parameter does not take is (400 naming it, strict
 * or not: README "Limits").
 */
const MODIFIER_ELEMENTS: Record<string, { types: string[]; says: string }> = {
  'of-type': { types: ['Identifier'], says: 'applies to Identifier tokens only' },
  text: { types: ['CodeableConcept', 'Coding', 'Identifier', 'Quantity'], says: 'searches the text of a CodeableConcept, a Coding\'s display or an Identifier\'s type' },
};

function checkModifierElements(type: string | undefined, def: ParamDef, modifier: string, key: string): void {
  const rule = MODIFIER_ELEMENTS[modifier];
  if (!rule || def.type !== 'token' || !def.expression) return;
  // a search of no one type reads the Resource-level parameters; every resource has their elements (Basic stands in)
  const types = type ? [type] : def.base.map((b) => (b === 'Resource' || b === 'DomainResource' ? 'Basic' : b));
  if (types.some((t) => rule.types.some((e) => mayReachType(def.expression!, t, e)))) return;
  throw fhirError('INVALID_SEARCH', `Modifier :${modifier} ${rule.says}; ${def.code} is none of these${type ? ` on ${type}` : ''}`, key);
}

/** A resolved chain or reverse chain: the reference field must point at one of `refs`. */
export function refInFilter(type: string | undefined, code: string, refs: string[]): Filter {
  return onFields(indexFields(type, code), { $in: refs });
}

/** `_sort` field for a parameter of a search of `type` (https://hl7.org/fhir/R4/search.html#sort). */
export function sortField(def: ParamDef, type?: string): string {
  const parts = indexFields(type, def.code);
  if (parts.length > 1) {
    // a union alias has no field of its own (aliases.ts), and one sort key cannot span two fields:
    // sorting by a field that is never written would give an unsorted page without a word
    throw fhirError('INVALID_SEARCH', `Cannot sort on ${def.code}: it is the union of ${parts.join(' and ')}; sort on one of them`, '_sort');
  }
  if (def.code === '_id') return 'id';
  if (def.code === '_lastUpdated') return 'lu';
  if (def.type === 'date') return `x.${def.code}.s`;
  // a quantity by its order values: canonical where the unit converts (index-values.ts quantityValues)
  if (def.type === 'quantity') return `x.${def.code}__o`;
  if (def.type === 'special' || def.type === 'composite') throw fhirError('INVALID_SEARCH', `Cannot sort on ${def.code}`, '_sort');
  return `x.${def.code}`;
}
