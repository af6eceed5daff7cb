import type { CodeableConcept, Coding, Identifier } from '@medplum/fhirtypes';

/**
 * Token handling shared by the index extractor and the operations' inputs. A coded value is
 * indexed as `system|code`, `code`, and `~display` (lower-cased), so that `token` inputs in either
 * `codesystem|code` or bare `code` form match, and so do the names people actually type for genes
 * and haplotypes (`BRCA1`, `CYP2C19*2/*2`, `HLA-A*23`).
 */
export function codingTokens(c: Coding | undefined): string[] {
  if (!c) return [];
  const out: string[] = [];
  if (c.code) {
    out.push(c.code);
    if (c.system) out.push(`${c.system}|${c.code}`);
  }
  if (c.display) out.push(`~${c.display.trim().toLowerCase()}`);
  return out;
}

export function conceptTokens(cc: CodeableConcept | undefined): string[] {
  if (!cc) return [];
  const out = (cc.coding ?? []).flatMap(codingTokens);
  if (cc.text) out.push(`~${cc.text.trim().toLowerCase()}`);
  return out;
}

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
