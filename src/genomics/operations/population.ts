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
  /** Subjects already looked up: whether each is a Patient on the server. */
  private readonly live = new Map<string, boolean>();

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
  private async known(subjects: string[]): Promise<string[]> {
    // asked once per patient and operation call, however many variants or ranges it has
    const ask = subjects.filter((s) => s.startsWith('Patient/') && !this.live.has(s)).map((s) => s.slice('Patient/'.length));
    if (ask.length) {
      for (const id of ask) this.live.set(`Patient/${id}`, false);
      const found = await this.ctx.store.search({ types: ['Patient'], filter: { id: { $in: ask } }, limit: ask.length, read: 'keys' });
      for (const r of found.records) this.live.set(`Patient/${r.id}`, true);
    }
    return subjects.filter((s) => this.live.get(s) === true);
  }

  /** numerator, denominator and (if asked and allowed) subject parts for the matching docs. */
  async parts(docs: IndexedDoc[]): Promise<ParametersParameter[]> {
    const subjects = [...new Set(docs.map(subjectOf).filter((s): s is string => !!s))].sort();
    const known = await this.known(subjects);
    const min = Math.max(1, this.ctx.config.minCellSize);
    const out: ParametersParameter[] = [];
    const suppressed = known.length > 0 && known.length < min;
    out.push({ name: 'numerator', valueQuantity: suppressed ? { value: min, comparator: '<' } : { value: known.length } });
    const denominator = await this.denominator();
    out.push({ name: 'denominator', valueQuantity: denominator > 0 && denominator < min ? { value: min, comparator: '<' } : { value: denominator } });
    if (suppressed && !this.issues.length) {
      this.issues.push({ severity: 'information', code: 'suppressed',
        diagnostics: `Counts below the minimum cell size of ${min} are reported as "< ${min}" and their patient lists are withheld` });
    }
    if (this.includePatientList && !suppressed) for (const s of known) out.push(str('subject', s));
    return out;
  }
}
