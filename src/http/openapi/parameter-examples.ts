import { DEMO } from '../../demo/demo-data.js';

/**
 * Example values for search parameters in the OpenAPI document. On the genomic report flow types
 * every example matches the same demo resource (Swagger UI pre-fills all of them and ANDs them,
 * so together they still return it once `npm run seed` has run); their other parameters only show
 * a value of the right FHIR search type in the description. Other types get such a value as the
 * example (it runs, and usually matches nothing).
 */
const P1 = `Patient/${DEMO.patients[0]}`;
const SPECIFIC: Record<string, Record<string, string>> = {
  Observation: {
    subject: P1,
    patient: P1,
    code: 'http://loinc.org|69548-6',
    category: 'laboratory',
    status: 'final',
    'gene-identifier': 'HGNC:3236',
    'dna-variant': 'NM_005228.5:c.2573T>G',
    'amino-acid-change': 'NP_005219.2:p.Leu858Arg',
    'genomic-region': 'NC_000007.14:55019016-55211628',
    date: 'ge2025-01-01',
    'component-code': 'http://loinc.org|48018-6',
  },
  DiagnosticReport: {
    subject: P1,
    patient: P1,
    category: 'http://terminology.hl7.org/CodeSystem/v2-0074|GE',
    code: 'http://loinc.org|51969-4',
    status: 'final',
    issued: 'ge2025-01-01',
    date: 'ge2025-01-01',
    result: `Observation/${DEMO.egfrVariant}`,
    performer: `Organization/${DEMO.lab}`,
  },
  MolecularSequence: {
    patient: P1,
    type: 'dna',
    'genomic-region': 'NC_000007.14:55019016-55211628',
    referenceseqid: 'NC_000007.14',
  },
  Patient: { _id: DEMO.patients[0], family: 'Rivera', identifier: `urn:oid:2.16.840.1.113883.19.5|MRN-${DEMO.patients[0]}`, gender: 'female' },
  Specimen: { subject: P1, patient: P1 },
  ServiceRequest: { subject: P1, patient: P1, status: 'completed' },
};

const BY_TYPE: Record<string, string> = {
  token: 'http://loinc.org|69548-6',
  reference: P1,
  date: 'ge2025-01-01',
  string: 'a',
  number: '1',
  quantity: '1',
  uri: 'http://example.org/fhir',
  composite: 'http://loinc.org|69548-6$http://loinc.org|LA9633-4',
  special: 'x',
};

/** A demo resource of each type the demo data set holds: the `{id}` example, so "Try it out" reads it. */
const DEMO_IDS: Record<string, string> = {
  Patient: DEMO.patients[0],
  Observation: DEMO.egfrVariant,
  DiagnosticReport: DEMO.egfrReport,
  MolecularSequence: DEMO.molecularSequence,
  Specimen: `demo-spec-${DEMO.patients[0]}`,
  ServiceRequest: `demo-order-${DEMO.patients[0]}`,
  Organization: DEMO.lab,
  Practitioner: DEMO.geneticist,
};

/** `{id}` example for a type (none for types the demo data does not hold). */
export function idExample(resourceType: string): string | undefined {
  return DEMO_IDS[resourceType];
}

/** `{vid}` example: every demo resource has a version 1 once seeded. */
export const VID_EXAMPLE = '1';

/** The `example` of a search parameter (pre-filled by Swagger UI). */
export function searchParamExample(resourceType: string, name: string, type: string): string | undefined {
  if (SPECIFIC[resourceType]) return SPECIFIC[resourceType][name];
  return sampleValue(name, type);
}

/** A value of the parameter's FHIR search type, for descriptions and for the other types' examples. */
export function sampleValue(name: string, type: string): string | undefined {
  if (name === '_id') return 'example';
  if (name === '_lastUpdated') return 'ge2020-01-01';
  // Values of these shapes would be refused (400) on some parameters: leave them without example.
  if (type === 'special' || type === 'composite') return undefined;
  return BY_TYPE[type];
}
