import type { Bundle, Parameters, Resource } from '@medplum/fhirtypes';
import { DEMO, demoResources } from '../../demo/demo-data.js';

/**
 * Realistic genomics examples for the OpenAPI document, built from the demo data set so that
 * "Try it out" returns data once `npm run seed` has run. Tests send every example to the server.
 */
const P1 = `Patient/${DEMO.patients[0]}`;
const P3 = `Patient/${DEMO.patients[2]}`;

function demo(id: string): Resource {
  const r = demoResources().find((x) => x.id === id);
  if (!r) throw new Error(`demo resource ${id} missing`);
  return r;
}

function withoutId<T extends Resource>(r: T): T {
  const { id: _id, ...rest } = r;
  return rest as T;
}

/** A Variant Observation: EGFR NM_005228.5:c.2573T>G (p.Leu858Arg), somatic, GRCh38. */
export function variantExample(): Resource {
  return withoutId(demo(DEMO.egfrVariant));
}

export function molecularSequenceExample(): Resource {
  return withoutId(demo(DEMO.molecularSequence));
}

/** A lab's GenomicReport transaction: specimen, variant and report linked by urn:uuid references. */
export function genomicReportTransactionExample(): Bundle {
  const spec = 'urn:uuid:4b1e7c1e-3a52-4a8e-9d1c-6c0b7d4f1a01';
  const varUrl = 'urn:uuid:4b1e7c1e-3a52-4a8e-9d1c-6c0b7d4f1a02';
  const variant = variantExample() as Resource & { specimen?: unknown };
  const report = withoutId(demo(DEMO.egfrReport)) as Resource & Record<string, unknown>;
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: spec,
        resource: { resourceType: 'Specimen', subject: { reference: P1 }, type: { coding: [{ system: 'http://snomed.info/sct', code: '119376003', display: 'Tissue specimen' }] } },
        request: { method: 'POST', url: 'Specimen' },
      },
      { fullUrl: varUrl, resource: { ...variant, specimen: { reference: spec } } as Resource, request: { method: 'POST', url: 'Observation' } },
      {
        fullUrl: 'urn:uuid:4b1e7c1e-3a52-4a8e-9d1c-6c0b7d4f1a03',
        resource: { ...report, identifier: undefined, basedOn: undefined, specimen: [{ reference: spec }], result: [{ reference: varUrl }] } as Resource,
        request: { method: 'POST', url: 'DiagnosticReport' },
      },
    ],
  } as Bundle;
}

/** Request body examples for create (POST /fhir/Type), by type. */
export function createExample(resourceType: string): Resource | undefined {
  if (resourceType === 'Observation') return variantExample();
  if (resourceType === 'MolecularSequence') return molecularSequenceExample();
  if (resourceType === 'Patient') return { resourceType: 'Patient', name: [{ family: 'Example', given: ['Pat'] }], gender: 'other' } as Resource;
  return undefined;
}

const params = (parts: Array<[string, string]>): Parameters => ({
  resourceType: 'Parameters',
  parameter: parts.map(([name, valueString]) => ({ name, valueString })),
});

/** Inputs for operation examples: GET query values (several values joined by '&') and a POST body. */
const OPERATION_EXAMPLES: Record<string, Array<[string, string]>> = {
  'find-subject-variants': [['subject', P1], ['ranges', 'NC_000007.14:55019016-55211628'], ['includeVariants', 'true']],
  'find-subject-specific-variants': [['subject', P1], ['variants', 'NC_000007.14:55191821:T:G']],
  'find-subject-structural-intersecting-variants': [['subject', P1], ['ranges', 'NC_000007.14:55019016-55211628']],
  'find-subject-structural-subsuming-variants': [['subject', P1], ['ranges', 'NC_000007.14:55100000-55100100']],
  'find-subject-haplotypes': [['subject', P3], ['genes', 'HGNC:2621']],
  'find-subject-specific-haplotypes': [['subject', P3], ['haplotypes', 'CYP2C19*2/*2']],
  'find-subject-tx-implications': [['subject', P3], ['treatments', 'http://www.nlm.nih.gov/research/umls/rxnorm|32968']],
  'find-subject-dx-implications': [['subject', P1], ['ranges', 'NC_000007.14:55019016-55211628']],
  'find-subject-molecular-consequences': [['subject', P1], ['variants', 'NC_000007.14:55191821:T:G']],
  'find-study-metadata': [['subject', P1]],
  'find-population-specific-variants': [['variants', 'NC_000007.14:55191821:T:G'], ['includePatientList', 'true']],
  'find-population-structural-intersecting-variants': [['ranges', 'NC_000007.14:55019016-55211628']],
  'find-population-structural-subsuming-variants': [['ranges', 'NC_000007.14:55100000-55100100']],
  'find-population-specific-haplotypes': [['haplotypes', 'CYP2C19*2/*2']],
  'find-population-tx-implications': [['treatments', 'http://www.nlm.nih.gov/research/umls/rxnorm|32968']],
  'find-population-dx-implications': [['conditions', 'http://snomed.info/sct|254637007']],
  'find-population-molecular-consequences': [['variants', 'NC_000007.14:55191821:T:G'], ['includePatientList', 'true']],
};

export function operationExample(name: string, resourceType?: string): { get?: Record<string, string>; post?: unknown } | undefined {
  if (name === 'validate' && resourceType === 'Observation') {
    return { post: { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: variantExample() }] } };
  }
  const parts = OPERATION_EXAMPLES[name];
  if (!parts) return undefined;
  const get: Record<string, string> = {};
  for (const [k, v] of parts) get[k] = get[k] ? `${get[k]}&${v}` : v;
  return { get, post: params(parts) };
}
