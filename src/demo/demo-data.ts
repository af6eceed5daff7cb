import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';

/**
 * The demo data set behind `npm run seed` and behind every example in the OpenAPI document: three
 * patients with Genomics Reporting IG 3.0.0 reports (an EGFR somatic variant with its therapeutic
 * and diagnostic implications, a BRCA1 germline pathogenic variant, a CYP2C19 pharmacogenomic
 * genotype), the lab, specimens, orders and a MolecularSequence. Ids are fixed (PUT entries) so
 * seeding twice changes nothing but versions, and the docs can name them.
 */
const GE = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'GE', display: 'Genetics' }] };
const LAB = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] };
const IG = 'http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition';
const TBD = 'http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs';
const loinc = (code: string, display?: string) => ({ coding: [{ system: 'http://loinc.org', code, ...(display ? { display } : {}) }] });
const comp = (code: string, value: Record<string, unknown>) => ({ code: loinc(code), ...value });
const cc = (system: string, code: string, display?: string) => ({ valueCodeableConcept: { coding: [{ system, code, ...(display ? { display } : {}) }] } });

export const DEMO = {
  lab: 'demo-lab',
  geneticist: 'demo-geneticist',
  patients: ['demo-p1', 'demo-p2', 'demo-p3'],
  egfrVariant: 'demo-var-egfr-l858r',
  egfrReport: 'demo-report-p1',
  molecularSequence: 'demo-molseq-egfr',
} as const;

interface VariantSpec {
  id: string;
  patient: string;
  gene: [hgnc: string, symbol: string];
  cHgvs: string;
  pHgvs?: string;
  accession: string;
  build: 'GRCh37' | 'GRCh38';
  start: number; // 0-based
  end: number; // exclusive
  ref: string;
  alt: string;
  source: 'germline' | 'somatic';
  zygosity?: [code: string, display: string];
  vaf?: number;
  specimen: string;
}

function variant(v: VariantSpec): Resource {
  const build = v.build === 'GRCh38' ? ['LA26806-2', 'GRCh38'] : ['LA14029-5', 'GRCh37'];
  return {
    resourceType: 'Observation',
    id: v.id,
    meta: { profile: [`${IG}/variant`] },
    status: 'final',
    category: [LAB, GE],
    code: loinc('69548-6', 'Genetic variant assessment'),
    subject: { reference: `Patient/${v.patient}` },
    effectiveDateTime: '2025-03-14',
    performer: [{ reference: `Organization/${DEMO.lab}` }],
    specimen: { reference: `Specimen/${v.specimen}` },
    method: loinc('LA26398-0', 'Sequencing'),
    valueCodeableConcept: loinc('LA9633-4', 'Present'),
    component: [
      comp('48018-6', cc('http://www.genenames.org', v.gene[0], v.gene[1])),
      comp('48004-6', cc('http://varnomen.hgvs.org', v.cHgvs)),
      ...(v.pHgvs ? [comp('48005-3', cc('http://varnomen.hgvs.org', v.pHgvs))] : []),
      comp('62374-4', cc('http://loinc.org', build[0], build[1])),
      comp('48013-7', cc('http://www.ncbi.nlm.nih.gov/refseq', v.accession)),
      comp('92822-6', cc('http://loinc.org', 'LA30100-4', '0-based interval counting')),
      comp('81254-5', { valueRange: { low: { value: v.start }, high: { value: v.end } } }),
      comp('69547-8', { valueString: v.ref }),
      comp('69551-0', { valueString: v.alt }),
      comp('48002-0', cc('http://loinc.org', v.source === 'germline' ? 'LA6683-2' : 'LA6684-0', v.source === 'germline' ? 'Germline' : 'Somatic')),
      ...(v.zygosity ? [comp('53034-5', cc('http://loinc.org', v.zygosity[0], v.zygosity[1]))] : []),
      ...(v.vaf !== undefined ? [comp('81258-6', { valueQuantity: { value: v.vaf, system: 'http://unitsofmeasure.org', code: '1' } })] : []),
    ],
  } as Resource;
}

function implication(kind: 'tx' | 'dx', id: string, patient: string, basisId: string, parts: Record<string, unknown>[]): Resource {
  return {
    resourceType: 'Observation',
    id,
    meta: { profile: [`${IG}/${kind === 'tx' ? 'therapeutic-implication' : 'diagnostic-implication'}`] },
    status: 'final',
    category: [LAB, GE],
    code: { coding: [{ system: TBD, code: kind === 'tx' ? 'therapeutic-implication' : 'diagnostic-implication' }] },
    subject: { reference: `Patient/${patient}` },
    effectiveDateTime: '2025-03-14',
    performer: [{ reference: `Organization/${DEMO.lab}` }],
    derivedFrom: [{ reference: `Observation/${basisId}` }],
    component: parts,
  } as unknown as Resource;
}

function report(id: string, patient: string, specimen: string, results: string[], conclusion: string): Resource {
  return {
    resourceType: 'DiagnosticReport',
    id,
    meta: { profile: [`${IG}/genomic-report`] },
    identifier: [{ system: 'urn:oid:2.16.840.1.113883.19.5.1', value: `ACC-${id}` }],
    basedOn: [{ reference: `ServiceRequest/demo-order-${patient}` }],
    status: 'final',
    category: [GE],
    code: loinc('51969-4', 'Genetic analysis report'),
    subject: { reference: `Patient/${patient}` },
    effectiveDateTime: '2025-03-14',
    issued: '2025-03-20T10:00:00Z',
    performer: [{ reference: `Organization/${DEMO.lab}` }],
    resultsInterpreter: [{ reference: `Practitioner/${DEMO.geneticist}` }],
    specimen: [{ reference: `Specimen/${specimen}` }],
    result: results.map((r) => ({ reference: `Observation/${r}` })),
    conclusion,
  } as Resource;
}

function patientResources(p: string, name: [string, string], gender: 'male' | 'female', birthDate: string, specimenType: [string, string]): Resource[] {
  return [
    {
      resourceType: 'Patient', id: p,
      identifier: [{ system: 'urn:oid:2.16.840.1.113883.19.5', value: `MRN-${p}` }],
      name: [{ family: name[1], given: [name[0]] }], gender, birthDate,
    },
    {
      resourceType: 'Specimen', id: `demo-spec-${p}`,
      identifier: [{ system: 'urn:oid:2.16.840.1.113883.19.5.2', value: `SPEC-${p}` }],
      type: { coding: [{ system: 'http://snomed.info/sct', code: specimenType[0], display: specimenType[1] }] },
      subject: { reference: `Patient/${p}` }, receivedTime: '2025-03-10T09:00:00Z',
    },
    {
      resourceType: 'ServiceRequest', id: `demo-order-${p}`, status: 'completed', intent: 'order',
      category: [GE], code: loinc('51969-4', 'Genetic analysis report'),
      subject: { reference: `Patient/${p}` }, requester: { reference: `Practitioner/${DEMO.geneticist}` },
      authoredOn: '2025-03-01',
    },
  ] as Resource[];
}

export function demoResources(): Resource[] {
  const [p1, p2, p3] = DEMO.patients;
  const egfr = variant({
    id: DEMO.egfrVariant, patient: p1, gene: ['HGNC:3236', 'EGFR'], cHgvs: 'NM_005228.5:c.2573T>G', pHgvs: 'NP_005219.2:p.Leu858Arg',
    accession: 'NC_000007.14', build: 'GRCh38', start: 55191821, end: 55191822, ref: 'T', alt: 'G', source: 'somatic', vaf: 0.31, specimen: `demo-spec-${p1}`,
  });
  const brca1 = variant({
    id: 'demo-var-brca1', patient: p2, gene: ['HGNC:1100', 'BRCA1'], cHgvs: 'NM_007294.4:c.5266dup', pHgvs: 'NP_009225.1:p.Gln1756ProfsTer74',
    accession: 'NC_000017.11', build: 'GRCh38', start: 43057062, end: 43057063, ref: 'G', alt: 'GG', source: 'germline',
    zygosity: ['LA6706-1', 'Heterozygous'], specimen: `demo-spec-${p2}`,
  });
  const cyp = variant({
    id: 'demo-var-cyp2c19', patient: p3, gene: ['HGNC:2621', 'CYP2C19'], cHgvs: 'NM_000769.4:c.681G>A', pHgvs: 'NP_000760.1:p.Pro227=',
    accession: 'NC_000010.11', build: 'GRCh38', start: 94781858, end: 94781859, ref: 'G', alt: 'A', source: 'germline',
    zygosity: ['LA6705-3', 'Homozygous'], specimen: `demo-spec-${p3}`,
  });
  // A somatic EGFR amplification, a copy number gain over the gene stated without bases: a
  // structural variant (variant-extent.ts isStructural), what the structural operations' examples find.
  const egfrAmp = {
    resourceType: 'Observation', id: 'demo-var-egfr-amp', meta: { profile: [`${IG}/variant`] }, status: 'final',
    category: [LAB, GE], code: loinc('69548-6', 'Genetic variant assessment'), subject: { reference: `Patient/${p1}` },
    effectiveDateTime: '2025-03-14', performer: [{ reference: `Organization/${DEMO.lab}` }], specimen: { reference: `Specimen/demo-spec-${p1}` },
    method: loinc('LA26398-0', 'Sequencing'), valueCodeableConcept: loinc('LA9633-4', 'Present'),
    component: [
      comp('48018-6', cc('http://www.genenames.org', 'HGNC:3236', 'EGFR')),
      comp('62374-4', cc('http://loinc.org', 'LA26806-2', 'GRCh38')),
      comp('48013-7', cc('http://www.ncbi.nlm.nih.gov/refseq', 'NC_000007.14')),
      comp('92822-6', cc('http://loinc.org', 'LA30100-4', '0-based interval counting')),
      comp('81254-5', { valueRange: { low: { value: 55019016 }, high: { value: 55211628 } } }),
      comp('48019-4', cc('http://www.sequenceontology.org', 'SO:0001742', 'copy_number_gain')),
      comp('48002-0', cc('http://loinc.org', 'LA6684-0', 'Somatic')),
    ],
  } as Resource;
  // The genotype the variant makes (IG Genotype profile): what the haplotype operations find
  const cypGenotype = {
    resourceType: 'Observation', id: 'demo-gt-cyp2c19', status: 'final',
    meta: { profile: ['http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/genotype'] },
    category: [
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] },
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'GE' }] },
    ],
    code: loinc('84413-4'), subject: { reference: `Patient/${p3}` }, effectiveDateTime: '2025-03-14',
    performer: [{ reference: `Organization/${DEMO.lab}` }], specimen: { reference: `Specimen/demo-spec-${p3}` },
    valueCodeableConcept: { coding: [{ system: 'http://www.pharmvar.org', code: 'CYP2C19*2/*2' }], text: 'CYP2C19*2/*2' },
    derivedFrom: [{ reference: 'Observation/demo-var-cyp2c19' }],
    component: [comp('48018-6', cc('http://www.genenames.org', 'HGNC:2621', 'CYP2C19'))],
  } as Resource;
  const rxnorm = 'http://www.nlm.nih.gov/research/umls/rxnorm';
  const sct = 'http://snomed.info/sct';
  const txEgfr = implication('tx', 'demo-tx-egfr-osimertinib', p1, DEMO.egfrVariant, [
    { code: { coding: [{ system: TBD, code: 'therapeutic-implication' }] }, ...cc('http://loinc.org', 'LA6677-4', 'Responsive') },
    comp('51963-7', cc(rxnorm, '1721560', 'osimertinib')),
    comp('81259-4', cc(sct, '254637007', 'Non-small cell lung cancer')),
    comp('93044-6', { valueCodeableConcept: { text: 'Tier I - Level A' } }),
  ]);
  const dxEgfr = implication('dx', 'demo-dx-egfr', p1, DEMO.egfrVariant, [
    comp('53037-8', cc('http://loinc.org', 'LA6668-3', 'Pathogenic')),
    comp('81259-4', cc(sct, '254637007', 'Non-small cell lung cancer')),
  ]);
  const dxBrca = implication('dx', 'demo-dx-brca1', p2, 'demo-var-brca1', [
    comp('53037-8', cc('http://loinc.org', 'LA6668-3', 'Pathogenic')),
    comp('81259-4', cc(sct, '718220008', 'Hereditary breast and ovarian cancer syndrome')),
  ]);
  // A pharmacogenomic implication rests on the diplotype (the genotype), which rests on the
  // variant: so `haplotypes=CYP2C19*2/*2` and `variants=…` both find it (README, Coverage evidence)
  const txCyp = implication('tx', 'demo-tx-cyp2c19-clopidogrel', p3, 'demo-gt-cyp2c19', [
    { code: { coding: [{ system: TBD, code: 'therapeutic-implication' }] }, ...cc('http://loinc.org', 'LA9657-3', 'Poor metabolizer') },
    comp('51963-7', cc(rxnorm, '32968', 'clopidogrel')),
  ]);
  const molseq = {
    resourceType: 'MolecularSequence', id: DEMO.molecularSequence, type: 'dna', coordinateSystem: 0,
    patient: { reference: `Patient/${p1}` }, specimen: { reference: `Specimen/demo-spec-${p1}` },
    performer: { reference: `Organization/${DEMO.lab}` },
    referenceSeq: {
      referenceSeqId: { coding: [{ system: 'http://www.ncbi.nlm.nih.gov/nuccore', code: 'NC_000007.14' }] },
      strand: 'watson', windowStart: 55191800, windowEnd: 55191850,
    },
    variant: [{ start: 55191821, end: 55191822, observedAllele: 'G', referenceAllele: 'T' }],
  } as Resource;
  return [
    { resourceType: 'Organization', id: DEMO.lab, name: 'Demo Molecular Diagnostics Lab', identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '1234567893' }] } as Resource,
    { resourceType: 'Practitioner', id: DEMO.geneticist, name: [{ family: 'Okafor', given: ['Ada'], prefix: ['Dr.'] }] } as Resource,
    ...patientResources(p1, ['Alex', 'Rivera'], 'female', '1961-07-04', ['119376003', 'Tissue specimen']),
    ...patientResources(p2, ['Sam', 'Chen'], 'female', '1984-02-11', ['122555007', 'Venous blood specimen']),
    ...patientResources(p3, ['Jordan', 'Mensah'], 'male', '1958-11-23', ['258529004', 'Throat swab']),
    egfr, egfrAmp, brca1, cyp, cypGenotype, txEgfr, dxEgfr, dxBrca, txCyp, molseq,
    report(DEMO.egfrReport, p1, `demo-spec-${p1}`, [DEMO.egfrVariant, 'demo-var-egfr-amp', 'demo-tx-egfr-osimertinib', 'demo-dx-egfr'], 'EGFR L858R and EGFR amplification detected: responsive to osimertinib.'),
    report('demo-report-p2', p2, `demo-spec-${p2}`, ['demo-var-brca1', 'demo-dx-brca1'], 'Pathogenic BRCA1 variant detected.'),
    report('demo-report-p3', p3, `demo-spec-${p3}`, ['demo-var-cyp2c19', 'demo-gt-cyp2c19', 'demo-tx-cyp2c19-clopidogrel'], 'CYP2C19 poor metabolizer: consider alternative to clopidogrel.'),
  ];
}

/**
 * The demo data as one transaction Bundle of PUTs (idempotent ids). No fullUrl: a fullUrl is an
 * absolute URI and the server's base is not known here; the references are already `Type/id`.
 */
export function demoTransactionBundle(): Bundle {
  const entry: BundleEntry[] = demoResources().map((resource) => ({
    resource,
    request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` },
  }));
  return { resourceType: 'Bundle', type: 'transaction', entry };
}
