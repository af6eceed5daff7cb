import type { SearchIndexField } from '../storage/mongodb/index-specs.js';
import { GX_LOOKUP_FIELDS } from '../genomics/operations/gx-fields.js';
import { indexFields } from './aliases.js';
import { compartmentParams, patientCompartmentTypes } from './compartment.js';

/**
 * MongoDB secondary indexes wanted by search (index-specs.ts turns each into an index on
 * `resources` prefixed by `t`, created idempotently at start-up): the selective parameters of the
 * types the issue names. A collection has 64 index slots (`_id_` and the two base indexes take
 * three); other parameters still work, by scan within `t`.
 */
export function searchIndexFields(): SearchIndexField[] {
  const plain = [
    'identifier', 'code', 'subject', 'patient', 'status', 'category', 'encounter', 'based-on', 'specimen', 'result',
    'performer', 'gene-identifier', 'dna-variant', 'amino-acid-change', '_tag', '_profile', '_security', 'name', 'family',
    'given', 'referenceseqid', 'type', 'focus', 'requester', 'owner', 'component-code-value-concept', 'value-concept',
    'has-member', 'derived-from', 'url',
  ].map((c) => `x.${c}`);
  // Dates by the start of their stored ranges (eq, lt, le, sa, eb, ap bound it) and by their end
  // (gt, ge): compile-values.ts dateCond. The start index ends in the id tie-break: it hands out
  // `_sort=<date>` walked forwards (by the lowest start, MongoDB's ascending rule for an array:
  // an index walk meets a document first at its lowest key) and `_sort=-<date>` walked backwards
  // (by the highest start), since the tie-break follows the sort's direction (paging.ts fullSort);
  // on a first page that does not filter on the date: a multikey field bounded by the query, as a
  // keyset page's cursor does, makes MongoDB sort the matches in memory (top-k, by the page's limit).
  const dates = ['date', 'birthdate', 'authored', 'collected', 'issued'].flatMap((c): SearchIndexField[] => [[`x.${c}.s`, 'id'], `x.${c}.e`]);
  // The genomics operations look their gx-* fields up too (indexResource stores them beside ours).
  const gx = GX_LOOKUP_FIELDS.map((f) => `x.${f}`);
  const own = new Set([...plain, ...gx]);
  // Every reference that puts a resource in a Patient compartment (compartment.ts): a compartment
  // search, and a patient-level token's every search, asks for `x.<param>: Patient/p1` on each.
  // Those not indexed above are looked up only that way, one field at a time: one wildcard index.
  const compartment = [...new Set(patientCompartmentTypes().flatMap((t) => compartmentParams(t).filter((p) => p !== '{def}').flatMap((p) => indexFields(t, p))))]
    .map((f) => `x.${f}`)
    .filter((f) => !own.has(f))
    .sort();
  return [...plain, ...dates, ['x.genomic-region.a', 'x.genomic-region.b', 'x.genomic-region.s'], ...gx, { anyOf: compartment }];
}
