import { readFileSync } from 'node:fs';
import type { Resource } from '@medplum/fhirtypes';
import { fhirError } from './errors.js';
import { copyNumberText } from './json-decimals.js';
import { defInfo } from '../validation/element-model.js';

/**
 * `_summary` and `_elements` on reads (https://hl7.org/fhir/R4/search.html#summary and
 * #elements). Subsetting applies to top-level elements, using the `isSummary`/`min` flags of the
 * R4 StructureDefinitions (src/fhir/summary-elements.json, from scripts/gen-summary-elements.ts).
 * A subsetted resource is tagged SUBSETTED so that nobody stores it back as if it were complete.
 */
type Flags = { summary: string[]; mandatory: string[] };
let table: Record<string, Flags> | undefined;
function flags(type: string): Flags {
  table ??= JSON.parse(readFileSync(new URL('./summary-elements.json', import.meta.url), 'utf8')) as Record<string, Flags>;
  return table[type] ?? { summary: ['id', 'meta'], mandatory: [] };
}

const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED', display: 'subsetted' };
const ALWAYS = new Set(['resourceType', 'id', 'meta']);

export type SummaryMode = 'true' | 'text' | 'data' | 'count' | 'false';
const MODES = new Set<string>(['true', 'text', 'data', 'count', 'false']);

export function parseSummary(value: string | undefined): SummaryMode | undefined {
  if (value === undefined) return undefined;
  if (!MODES.has(value)) throw fhirError('BAD_REQUEST', `_summary must be one of true, text, data, count, false (got "${value}")`, '_summary');
  return value as SummaryMode;
}

/**
 * Whether element `key` (e.g. `valueQuantity`) is one of `names` (e.g. `value[x]`, or `value` as
 * FHIRPath and `_elements` clients name a choice: the model's choice groups say which keys are its
 * members, so `status` never takes `statusReason`).
 */
function listed(names: readonly string[], key: string, choiceOf: ReadonlyMap<string, string> | undefined): boolean {
  for (const n of names) {
    if (n === key) return true;
    if (n.endsWith('[x]') && key.startsWith(n.slice(0, -3)) && /^[A-Z]/.test(key.slice(n.length - 3))) return true;
  }
  const prefix = choiceOf?.get(key);
  return prefix !== undefined && names.includes(prefix);
}

/** The element a top-level key belongs to: `_status` holds status's id and extensions (json.html#primitive). */
const elementOf = (key: string) => (key.length > 1 && key.startsWith('_') ? key.slice(1) : key);

function tagSubsetted(out: Record<string, unknown>): void {
  const meta = { ...((out.meta as Record<string, unknown>) ?? {}) };
  const tags = Array.isArray(meta.tag) ? [...meta.tag] : [];
  if (!tags.some((t) => t?.code === 'SUBSETTED')) tags.push(SUBSETTED);
  meta.tag = tags;
  out.meta = meta;
}

/** Applies `_summary` / `_elements`; returns the resource unchanged when neither asks for a subset. */
export function subsetResource(resource: Resource, summary: SummaryMode | undefined, elements: string[] | undefined): Resource {
  const src = resource as unknown as Record<string, unknown>;
  const f = flags(resource.resourceType);
  const choiceOf = defInfo(resource.resourceType)?.choiceOf;
  let keep: (key: string) => boolean;
  if (summary === 'true') keep = (k) => ALWAYS.has(k) || listed(f.summary, k, choiceOf) || listed(f.mandatory, k, choiceOf);
  else if (summary === 'text') keep = (k) => ALWAYS.has(k) || k === 'text' || listed(f.mandatory, k, choiceOf);
  else if (summary === 'data') keep = (k) => k !== 'text';
  else if (elements?.length) keep = (k) => ALWAYS.has(k) || listed(elements, k, choiceOf) || listed(f.mandatory, k, choiceOf);
  else return resource;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) if (keep(elementOf(k))) out[k] = v;
  tagSubsetted(out);
  copyNumberText(resource, out);
  return out as unknown as Resource;
}
