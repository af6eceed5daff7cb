import { CUSTOM_INDEXERS } from './genomics-params.js';
import { joinForms, quantityEntries, tokenEntries, type IndexEntries } from './index-values.js';

/**
 * A hand-compiled indexer for Observation components. A Genomics Reporting Variant carries a
 * dozen coded components, and six R4 parameters read them (component-code, -value-concept,
 * -value-quantity, -data-absent-reason and the two code/value composites); walking the components
 * once for all of them, instead of once per FHIRPath expression, is what lets a million variants
 * load at tens of thousands per second. Semantics are those of the R4 expressions
 * (https://hl7.org/fhir/R4/observation.html#search), checked against the generic path in tests.
 */
export interface GroupIndexer {
  codes: string[];
  run: (r: Record<string, unknown>, out: IndexEntries) => void;
}

type Comp = Record<string, unknown> & { code?: unknown; dataAbsentReason?: unknown };

const GENETIC = ['gene-identifier', 'dna-variant', 'amino-acid-change', 'gene-dnavariant', 'gene-amino-acid-change', 'genomic-region'] as const;

function observationComponents(r: Record<string, unknown>, out: IndexEntries): void {
  const comps = r.component as Comp[] | undefined;
  if (Array.isArray(comps)) {
    for (const c of comps) {
      const codeOut: IndexEntries = {};
      if (c.code) {
        tokenEntries(out, 'component-code', { value: c.code });
        tokenEntries(codeOut, 'v', { value: c.code });
      }
      if (c.dataAbsentReason) tokenEntries(out, 'component-data-absent-reason', { value: c.dataAbsentReason });
      if (c.valueCodeableConcept) {
        tokenEntries(out, 'component-value-concept', { value: c.valueCodeableConcept, type: 'CodeableConcept' });
        if (codeOut.v) {
          const valOut: IndexEntries = {};
          tokenEntries(valOut, 'v', { value: c.valueCodeableConcept, type: 'CodeableConcept' });
          const arr = (out['component-code-value-concept'] ??= []);
          for (const j of joinForms(codeOut.v, valOut.v ?? [])) if (!arr.includes(j)) arr.push(j);
        }
      } else if (c.valueQuantity) {
        quantityEntries(out, 'component-value-quantity', { value: c.valueQuantity, type: 'Quantity' });
        const q: IndexEntries = {};
        quantityEntries(q, 'v', { value: c.valueQuantity, type: 'Quantity' });
        if (codeOut.v && q.v) (out['component-code-value-quantity'] ??= []).push({ c0: codeOut.v, c1: q.v });
      }
    }
  }
  const genetic = CUSTOM_INDEXERS.Observation;
  for (const code of GENETIC) genetic[code](r, out, code);
}

export const GROUP_INDEXERS: Record<string, GroupIndexer> = {
  Observation: {
    codes: [
      'component-code', 'component-data-absent-reason', 'component-value-concept', 'component-value-quantity',
      'component-code-value-concept', 'component-code-value-quantity', ...GENETIC,
    ],
    run: observationComponents,
  },
};
