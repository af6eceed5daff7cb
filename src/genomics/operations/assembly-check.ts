import type { FhirContext } from '../../fhir/context.js';
import type { Issue } from '../../fhir/outcome.js';
import { type AccessionInfo, otherAssembly } from '../variant-notation/accession.js';
import { GX } from './gx-fields.js';
import { findDocs, x } from './query.js';

/**
 * Cross-build questions: a range or variant on GRCh37 is matched against GRCh37 data only (no
 * liftover). When the subject (or, for population operations, anyone) has data for the same
 * chromosome on the other build, the answer carries a warning saying so, so that "not found"
 * is never silently caused by a build mismatch. Accessions of neither build get a warning too.
 *
 * With a minimum cell size (FHIR_MIN_CELL_SIZE above 1), a population warning must not say
 * whether anyone has data there: "someone has variants on chromosome 9 in GRCh38" is a count of
 * at least one, below any cell size. The warning is then given for every question on either
 * build, without looking at the data. A warning names the input its item came from (`item.param`,
 * else `defaultParam`).
 */
export async function assemblyWarnings(
  ctx: FhirContext,
  items: Array<{ text: string; accession: string; info?: AccessionInfo; param?: string }>,
  subject: string | undefined,
  defaultParam: string,
): Promise<Issue[]> {
  const issues: Issue[] = [];
  // one lookup per chromosome and build, whichever input (`variants`, `ranges`) asks about it
  const checked = new Map<string, boolean>();
  for (const item of items) {
    const param = item.param ?? defaultParam;
    if (!item.info) {
      if (item.accession.startsWith('NC_')) {
        issues.push({ severity: 'warning', code: 'not-supported', expression: [param],
          diagnostics: `${item.text}: ${item.accession} is not a GRCh37 or GRCh38 chromosome accession; only data on exactly this accession can match` });
      }
      continue;
    }
    const { assembly, chromosome } = item.info;
    if (chromosome === 'MT') continue;
    const other = otherAssembly(assembly);
    if (!subject && ctx.config.minCellSize > 1) {
      issues.push({ severity: 'warning', code: 'incomplete', expression: [param],
        diagnostics: `${item.text} is on ${assembly}: variants on ${other} are not compared (no liftover). Ask again with the ${other} accession to include them.` });
      continue;
    }
    const key = `${other}|${chromosome}`;
    if (!checked.has(key)) {
      const filter = subject ? { [x(GX.subjectAssembly)]: `${subject}|${key}` } : { [x(GX.assembly)]: key };
      checked.set(key, (await findDocs(ctx, 'Observation', filter, 1)).length > 0);
    }
    if (checked.get(key)) {
      issues.push({ severity: 'warning', code: 'incomplete', expression: [param],
        diagnostics: `${item.text} is on ${assembly} but ${subject ?? 'the population'} has variants on chromosome ${chromosome} in ${other}; those are not compared (no liftover). Ask again with the ${other} accession.` });
    }
  }
  return issues;
}
