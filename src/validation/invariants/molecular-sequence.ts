import type { Issue } from '../../fhir/outcome.js';

/**
 * MolecularSequence invariants (https://hl7.org/fhir/R4/molecularsequence.html#invs):
 * - msq-3 (error): coordinateSystem is 0 (0-based) or 1 (1-based); anything else makes every
 *   position in the resource meaningless;
 * - msq-5: referenceSeq.chromosome and referenceSeq.genomeBuild come together;
 * - msq-6: referenceSeq has exactly one of genomeBuild, referenceSeqId, referenceSeqPointer,
 *   referenceSeqString.
 * msq-5/msq-6 are errors in the spec but are reported as warnings here: much real-world data
 * (and the IG's own producers) carries genomeBuild beside referenceSeqId, which is redundant but
 * not ambiguous.
 */
type Json = Record<string, unknown>;

export function checkMolecularSequence(seq: Json, path: string): Issue[] {
  const issues: Issue[] = [];
  const cs = seq.coordinateSystem;
  // A non-integer is already a structure error (the schema's integer type): one issue per fault.
  if (Number.isInteger(cs) && cs !== 0 && cs !== 1) {
    issues.push({ severity: 'error', code: 'invariant', diagnostics: `${path}.coordinateSystem must be 0 (0-based) or 1 (1-based), not ${cs} (msq-3)`, expression: [`${path}.coordinateSystem`] });
  }
  const ref = seq.referenceSeq;
  if (!ref || typeof ref !== 'object' || Array.isArray(ref)) return issues;
  const r = ref as Json;
  const at = `${path}.referenceSeq`;
  if (('chromosome' in r) !== ('genomeBuild' in r || '_genomeBuild' in r)) {
    issues.push({ severity: 'warning', code: 'invariant', diagnostics: `${at}: chromosome and genomeBuild go together (msq-5)`, expression: [at] });
  }
  const given = ['genomeBuild', 'referenceSeqId', 'referenceSeqPointer', 'referenceSeqString'].filter((k) => k in r || `_${k}` in r);
  if (given.length !== 1) {
    const found = given.length ? `found ${given.join(' and ')}` : 'found none';
    issues.push({ severity: 'warning', code: 'invariant', diagnostics: `${at} should name its reference one way only: genomeBuild, referenceSeqId, referenceSeqPointer or referenceSeqString; ${found} (msq-6)`, expression: [at] });
  }
  return issues;
}
