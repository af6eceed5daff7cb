import type { CodeableConcept, Coding, Identifier } from '@medplum/fhirtypes';
import { codeToken } from '../../search/index-values.js';
import { SharedStrings } from '../../search/shared-strings.js';
import { fhirError } from '../../fhir/errors.js';

/**
 * Token handling shared by the index extractor and the operations' inputs. A coded value is
 * indexed as `system|code`, `code`, and `~display` (lower-cased), so that `token` inputs in either
 * `codesystem|code` or bare `code` form match, and so do the names people actually type for genes
 * and haplotypes (`BRCA1`, `CYP2C19*2/*2`, `HLA-A*23`).
 */
export function codingTokens(c: Coding | undefined): string[] {
  const out: string[] = [];
  pushCodingTokens(c, out);
  return out;
}

export function conceptTokens(cc: CodeableConcept | undefined): string[] {
  const out: string[] = [];
  pushConceptTokens(cc, out);
  return out;
}

/** conceptTokens(cc), appended to `out`. */
export function pushConceptTokens(cc: CodeableConcept | undefined, out: string[]): void {
  if (!cc) return;
  for (const c of cc.coding ?? []) pushCodingTokens(c, out);
  if (cc.text) out.push(typeof cc.text === 'string' ? nameTokens.get(cc.text, nameToken) : `~${(cc.text as string).trim().toLowerCase()}`);
}

function pushCodingTokens(c: Coding | undefined, out: string[]): void {
  if (!c) return;
  const { code, system, display } = c;
  if (code) {
    out.push(code);
    if (system) out.push(typeof system === 'string' && typeof code === 'string' ? codeToken(system, code) : `${system}|${code}`);
  }
  if (display) out.push(typeof display === 'string' ? nameTokens.get(display, nameToken) : `~${(display as string).trim().toLowerCase()}`);
}

/** `~name` tokens of displays and texts: gene symbols and answers repeat on every variant. */
const nameTokens = new SharedStrings(8192);
const nameToken = (s: string): string => `~${s.trim().toLowerCase()}`;

export function identifierTokens(ids: Identifier[] | Identifier | undefined): string[] {
  const list = Array.isArray(ids) ? ids : ids ? [ids] : [];
  return list.flatMap((i) => (i.value ? (i.system ? [i.value, `${i.system}|${i.value}`] : [i.value]) : []));
}

/**
 * The index values a token input matches: `system|code` matches exactly; a bare value matches a
 * code or a display. (FHIR token search: https://hl7.org/fhir/R4/search.html#token.)
 */
export function tokenQueryValues(input: string): string[] {
  const v = input.trim();
  const bar = v.indexOf('|');
  if (bar > 0) return [v];
  const bare = bar === 0 ? v.slice(1) : v;
  return [bare, `~${bare.toLowerCase()}`];
}

/**
 * A `genomicSourceClass` input as index values: a LOINC answer of the genomic source class value
 * set (LL378-1), with or without its system, or its word (`germline`, `somatic` …). Anything else
 * is refused: an unknown value would match nothing and answer "absent", a false negative.
 */
export function sourceClassQueryValues(input: string): string[] {
  const v = input.trim();
  const code = v.startsWith('http://loinc.org|') ? v.slice('http://loinc.org|'.length) : v.startsWith('|') ? v.slice(1) : v;
  if (Object.hasOwn(SOURCE_CLASS, code) || Object.values(SOURCE_CLASS).includes(code.toLowerCase())) return tokenQueryValues(v);
  const known = Object.entries(SOURCE_CLASS).map(([c, w]) => `${c} (${w})`).join(', ');
  throw fhirError('BAD_REQUEST', `genomicSourceClass '${input}' is not a genomic source class: use one of ${known}`, 'genomicSourceClass');
}

export const LOINC = 'http://loinc.org';

export function hasCode(cc: CodeableConcept | undefined, code: string): boolean {
  return !!cc?.coding?.some((c) => c.code === code);
}

/** Genomic source class (LOINC LL378-1) answers, by the words the operations accept. */
export const SOURCE_CLASS: Record<string, string> = {
  'LA6683-2': 'germline',
  'LA6684-0': 'somatic',
  'LA10429-1': 'fetal',
  'LA18194-3': 'likely-germline',
  'LA18195-0': 'likely-somatic',
  'LA18196-8': 'likely-fetal',
  'LA18197-6': 'unknown',
  'LA26807-0': 'de-novo',
};
