import type { ParametersParameter } from '@medplum/fhirtypes';
import type { FhirContext } from '../../fhir/context.js';
import type { Issue } from '../../fhir/outcome.js';
import type { IndexedDoc } from '../../storage/types.js';
import { str } from './output.js';
import { subjectOf } from './query.js';

/**
 * Population answers count distinct patients. Privacy: a count below the configured minimum cell
 * size (FHIR_MIN_CELL_SIZE, ctx.config.minCellSize; default 1 = no suppression) is reported as
 * "< N" (Quantity.comparator) and the patient list is withheld, so small groups cannot be singled out.
 */
export class Counter {
  readonly issues: Issue[] = [];
  private cohort?: number;

  constructor(private readonly ctx: FhirContext, private readonly includePatientList: boolean) {}

  /** Patients known to the server: the cohort every population question is asked of. */
  private async denominator(): Promise<number> {
    if (this.cohort === undefined) {
      this.cohort = (await this.ctx.store.search({ types: ['Patient'], filter: {}, limit: 0, count: true })).total ?? 0;
    }
    return this.cohort;
  }

  /**
   * The subjects that are patients the server knows (the denominator's cohort): a deleted
   * patient's variants stay stored, but the patient is no longer counted, nor listed.
   */
  private async known(subjects: string[], list: boolean): Promise<{ n: number; list: string[] }> {
    const ids = subjects.filter((s) => s.startsWith('Patient/')).map((s) => s.slice('Patient/'.length));
    if (!ids.length) return { n: 0, list: [] };
    const filter = { id: { $in: ids } };
    if (!list) return { n: (await this.ctx.store.search({ types: ['Patient'], filter, limit: 0, count: true })).total ?? 0, list: [] };
    const live = await this.ctx.store.search({ types: ['Patient'], filter, limit: ids.length });
    const found = new Set(live.records.map((r) => `Patient/${r.id}`));
    const kept = subjects.filter((s) => found.has(s));
    return { n: kept.length, list: kept };
  }

  /** numerator, denominator and (if asked and allowed) subject parts for the matching docs. */
  async parts(docs: IndexedDoc[]): Promise<ParametersParameter[]> {
    const subjects = [...new Set(docs.map(subjectOf).filter((s): s is string => !!s))].sort();
    // the list only when asked for: counting is cheaper than reading every patient
    const known = await this.known(subjects, this.includePatientList);
    const min = Math.max(1, this.ctx.config.minCellSize);
    const out: ParametersParameter[] = [];
    const suppressed = known.n > 0 && known.n < min;
    out.push({ name: 'numerator', valueQuantity: suppressed ? { value: min, comparator: '<' } : { value: known.n } });
    const denominator = await this.denominator();
    out.push({ name: 'denominator', valueQuantity: denominator > 0 && denominator < min ? { value: min, comparator: '<' } : { value: denominator } });
    if (suppressed && !this.issues.length) {
      this.issues.push({ severity: 'information', code: 'suppressed',
        diagnostics: `Counts below the minimum cell size of ${min} are reported as "< ${min}" and their patient lists are withheld` });
    }
    if (this.includePatientList && !suppressed) for (const s of known.list) out.push(str('subject', s));
    return out;
  }
}
