import type { ValidateOptions } from '../../../src/validation/validate.js';
import { prng as mulberry32 } from '../../../scripts/seed-variants.js';

/**
 * Systematic mutations of a valid resource for the validation golden test (corpus.ts): for every
 * element path, the mistakes real producers make — the element deleted, emptied, nulled, given the
 * wrong JSON type, a wrong code or value, a repeated item (a duplicated slice), an unknown
 * property beside it, a broken date, a bad reference, a second choice form, a primitive
 * extension, known extensions in and out of their contexts — plus a few seeded random
 * combinations of several at once. Deterministic.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
type Seg = string | number;

export interface Mutation {
  id: string;
  input: unknown;
  opts?: ValidateOptions;
}

const DATE_LIKE = /^\d{4}(-\d{2}(-\d{2}(T.*)?)?)?$/;

/** Every path below the root, depth first, in document order. */
function paths(node: unknown, prefix: Seg[] = [], out: Seg[][] = []): Seg[][] {
  if (Array.isArray(node)) {
    node.forEach((v, i) => {
      out.push([...prefix, i]);
      paths(v, [...prefix, i], out);
    });
  } else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      out.push([...prefix, k]);
      paths(v, [...prefix, k], out);
    }
  }
  return out;
}

const show = (p: Seg[]): string => p.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');

function parentOf(root: Json, p: Seg[]): Json {
  let n = root;
  for (const s of p.slice(0, -1)) n = n[s];
  return n;
}

function edit(base: Json, p: Seg[], fn: (parent: Json, key: Seg, value: Json) => void): Json {
  const copy = structuredClone(base);
  const parent = parentOf(copy, p);
  const key = p[p.length - 1];
  fn(parent, key, parent[key]);
  return copy;
}

function wrongType(v: Json): Json {
  if (typeof v === 'string') return 12;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return 'true';
  if (Array.isArray(v)) return v.length ? v[0] : {};
  if (v && typeof v === 'object') return [v];
  return 'x';
}

function emptyOf(v: Json): Json {
  if (typeof v === 'string') return '';
  if (Array.isArray(v)) return [];
  if (v && typeof v === 'object') return {};
  return undefined;
}

function wrongValue(key: Seg, v: Json): Json[] {
  if (typeof v === 'number') return [-1, 1.5, 1e12];
  if (typeof v === 'boolean') return [!v];
  if (typeof v !== 'string') return [];
  const out: Json[] = [];
  if (key === 'code') out.push('zz-not-a-code', ' spaced code');
  else if (key === 'system') out.push('http://example.org/unknown-system', 'not a uri');
  else if (key === 'reference') out.push('#nowhere', 'Patient/', 'http://ex ample.org/x', '#');
  else if (key === 'url') out.push('http://example.org/unknown-extension');
  else if (key === 'status') out.push('unknown-status');
  else if (key === 'id') out.push('bad id!');
  else out.push(`${v}-changed`);
  if (DATE_LIKE.test(v)) out.push('2023-02-30', '2021-02-29T10:00:00Z', '2023-13-01', '20230101', '2024-02-29');
  return out;
}

/**
 * Known extensions with valid values, each allowed in one kind of place only
 * (src/validation/invariants/extension-context.ts): refused on most elements, accepted where they belong.
 */
const KNOWN_EXTENSIONS = [
  { url: 'http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/repeat-motif-order', valuePositiveInt: 1 }, // Observation.component
  { url: 'http://hl7.org/fhir/StructureDefinition/iso21090-uncertainty', valueDecimal: 0.5 }, // Quantity (and Age, Duration …)
];
const KNOWN_PRIMITIVE_EXTENSION = { url: 'http://hl7.org/fhir/StructureDefinition/iso21090-SC-coding', valueCoding: { code: 'x' } }; // string (and code, id, markdown)

export function mutations(base: Json, seed = 1): Mutation[] {
  const out: Mutation[] = [];
  const add = (id: string, input: unknown, opts?: ValidateOptions) => out.push({ id, input, opts });
  for (const p of paths(base)) {
    const at = show(p);
    const key = p[p.length - 1];
    const value = parentOf(base, p)[key];
    if (key === 'resourceType') continue; // covered by the odd cases
    add(`${at}:delete`, edit(base, p, (parent, k) => (Array.isArray(parent) ? parent.splice(k as number, 1) : delete parent[k])));
    const empty = emptyOf(value);
    if (empty !== undefined) add(`${at}:empty`, edit(base, p, (parent, k) => (parent[k] = empty)));
    add(`${at}:null`, edit(base, p, (parent, k) => (parent[k] = null)));
    add(`${at}:type`, edit(base, p, (parent, k, v) => (parent[k] = wrongType(v))));
    wrongValue(key, value).forEach((w, i) => add(`${at}:value${i}`, edit(base, p, (parent, k) => (parent[k] = w))));
    if (typeof key === 'number') add(`${at}:duplicate`, edit(base, p, (parent, k, v) => parent.splice((k as number) + 1, 0, structuredClone(v))));
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      add(`${at}:unknown`, edit(base, p, (_parent, _k, v) => (v.unknownElement = 'x')));
      add(`${at}:extension`, edit(base, p, (_parent, _k, v) => (v.extension = [{ url: 'http://example.org/ext', valueString: 'x' }, { url: 'http://example.org/bad' }])));
      add(`${at}:known-extension`, edit(base, p, (_parent, _k, v) => (v.extension = [...(Array.isArray(v.extension) ? v.extension : []), ...structuredClone(KNOWN_EXTENSIONS)])));
    }
    if (typeof key === 'string' && /^value[A-Z]/.test(key)) {
      add(`${at}:second-choice`, edit(base, p, (parent) => (parent[key === 'valueBoolean' ? 'valueString' : 'valueBoolean'] = key === 'valueBoolean' ? 'x' : true)));
    }
    if (typeof key === 'string' && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) {
      add(`${at}:primitive-ext`, edit(base, p, (parent, k) => (parent[`_${String(k)}`] = { extension: [{ url: 'http://example.org/p', valueCode: 'x' }] })));
      add(`${at}:primitive-known-ext`, edit(base, p, (parent, k) => (parent[`_${String(k)}`] = { extension: [structuredClone(KNOWN_PRIMITIVE_EXTENSION)] })));
      add(`${at}:primitive-ext-only`, edit(base, p, (parent, k) => {
        delete parent[k];
        parent[`_${String(k)}`] = { id: 'e1' };
      }));
    }
    if (Array.isArray(value) && value.length && (typeof value[0] === 'string' || typeof value[0] === 'number')) {
      add(`${at}:paired-nulls`, edit(base, p, (parent, k, v) => (parent[k] = [...v, null])));
      add(`${at}:paired`, edit(base, p, (parent, k, v) => (parent[`_${String(k)}`] = v.map(() => null))));
    }
  }
  add('strict', base, { strictProfiles: true });
  add('max5', base, { maxIssues: 5 });
  // Random combinations: 3 to 6 mutations of the single kind above applied to one copy.
  const rnd = mulberry32(seed);
  for (let n = 0; n < 40; n++) {
    let copy = structuredClone(base);
    const k = 3 + Math.floor(rnd() * 4);
    for (let j = 0; j < k; j++) {
      const live = paths(copy).filter((p) => p[p.length - 1] !== 'resourceType');
      if (!live.length) break;
      const p = live[Math.floor(rnd() * live.length)];
      const kind = Math.floor(rnd() * 4);
      copy = edit(copy, p, (parent, key, v) => {
        if (kind === 0) Array.isArray(parent) ? parent.splice(key as number, 1) : delete parent[key];
        else if (kind === 1) parent[key] = wrongType(v);
        else if (kind === 2) parent[key] = wrongValue(key, v)[0] ?? emptyOf(v) ?? null;
        else if (Array.isArray(parent)) parent.push(structuredClone(v));
        else parent[`x${String(key)}`] = v;
      });
    }
    add(`combo${n}`, copy, n % 5 === 0 ? { strictProfiles: true } : undefined);
  }
  return out;
}
