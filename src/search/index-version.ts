import { readFileSync } from 'node:fs';
import { sha256 } from '../sha256.js';
import { GENOMICS_PARAMS } from './genomics-params.js';

/**
 * The version of the search index code: what `indexResource` computes for a given resource.
 * Bump it (1 → 2 …) in the same commit as any change that makes `indexResource` answer
 * differently for a resource that is already stored: a new or changed value builder
 * (index-values.ts), genomics indexers (genomics-params.ts, operations/genomic-index.ts), implied
 * code systems (code-systems.ts)… The golden index fixture changing (test/search/fixtures/
 * index-golden.json) is the sign, and test/search/index-version.test.ts fails until the bump is made.
 * A store whose recorded index version differs is told to run `npm run reindex` at start-up.
 *   1: 2026-12-01 (variant extents without the VCF padding base, simple/structural flags, implicit code-system tokens)
 *   2: 2026-12-01 (references to another server's base no longer indexed as local Type/id)
 *   3: 2026-12-02 (genomic-region elements carry their bin `b`, which bounds a region query's index scan on MongoDB; a Timing is one date range, its outer limits, instead of one per event and bound)
 *   4: 2026-12-02 (a Quantity with a comparator and a Range are indexed as ranges `{lo, hi}`, a number parameter's Ranges in `<code>__r`; every term of a composite part's union is read, so Range and Period parts are indexed)
 *   5: 2026-12-03 (`<code>__m` records an element the parameter's expression selects that gave no value, a SampledData for value-quantity, a CodeableConcept with a text only, a Reference with a display only: `:missing` reads it; UCUM units beyond the common table, `umol/L`, `ng/mL`, `mL/min`, get their canonical `cn`/`cc`)
 *   6: 2026-12-04 (a quantity's `<code>__o` holds what `_sort` orders by: the canonical value where the unit converts, else the stated one; a range's bounded ends; temperatures, Cel, [degF] and K, get their canonical `cn`/`cc` in K; a versioned reference is also filed with its version in `<code>__v`, which a versioned search value reads)
 */
export const INDEX_CODE_VERSION = 6;

let cached: string | undefined;

/**
 * The index version a store records after a full reindex: the code version and a hash of the
 * search definitions the index is computed from (the R4 SearchParameters and ours), so that
 * regenerating schemas/search/search-parameters.json changes it without anyone remembering to.
 */
export function indexVersion(): string {
  if (cached) return cached;
  const r4 = readFileSync(new URL('../../schemas/search/search-parameters.json', import.meta.url), 'utf8');
  const defs = sha256(`${r4}\n${JSON.stringify(GENOMICS_PARAMS)}`, 'hex').slice(0, 16);
  return (cached = `${INDEX_CODE_VERSION}-${defs}`);
}
