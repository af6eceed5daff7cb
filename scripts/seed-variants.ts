/**
 * Synthetic but realistic genomics data for benchmarks (search, REST, storage): Patients, Genomics
 * Reporting IG 3.0.0 Variant Observations (https://hl7.org/fhir/uv/genomics-reporting/STU3/StructureDefinition-variant.html)
 * and GenomicReport DiagnosticReports whose `result` lists the variants. Deterministic (fixed-seed
 * PRNG). Variants are drawn from a pool of recurring alleles over real genes (GRCh38 coordinates,
 * HGNC ids), with a skewed gene frequency (a few hot genes, a long tail), HGVS c./p./g. notation,
 * 0-based half-open coordinates, dates over ten years and a mix of statuses.
 *
 *   import { generateGenomicData, seedStore } from '../seed-variants.js';
 *   for (const r of generateGenomicData({ variants: 1_000_000, patients: 10_000 })) …
 */
import type { DiagnosticReport, Observation, Patient, Resource } from '@medplum/fhirtypes';
import type { ResourceStore } from '../src/storage/types.js';
import { preparePool } from '../src/prepare/pool.js';
import { RELATIVE_REFS_ONLY } from '../src/search/search-service.js';

/** symbol, HGNC id, chromosome (GRCh38 accession), start, end (0-based), transcript */
export const GENES: Array<[string, string, string, number, number, string]> = [
  ['BRCA1', 'HGNC:1100', 'NC_000017.11', 43044294, 43125483, 'NM_007294.4'],
  ['BRCA2', 'HGNC:1101', 'NC_000013.11', 32315473, 32400266, 'NM_000059.4'],
  ['TP53', 'HGNC:11998', 'NC_000017.11', 7661778, 7687538, 'NM_000546.6'],
  ['EGFR', 'HGNC:3236', 'NC_000007.14', 55019016, 55211628, 'NM_005228.5'],
  ['KRAS', 'HGNC:6407', 'NC_000012.12', 25205245, 25250936, 'NM_004985.5'],
  ['BRAF', 'HGNC:1097', 'NC_000007.14', 140719326, 140924929, 'NM_004333.6'],
  ['PIK3CA', 'HGNC:8975', 'NC_000003.12', 179148113, 179240093, 'NM_006218.4'],
  ['CFTR', 'HGNC:1884', 'NC_000007.14', 117287119, 117715971, 'NM_000492.4'],
  ['APC', 'HGNC:583', 'NC_000005.10', 112707497, 112846239, 'NM_000038.6'],
  ['PTEN', 'HGNC:9588', 'NC_000010.11', 87863112, 87971930, 'NM_000314.8'],
  ['ALK', 'HGNC:427', 'NC_000002.12', 29192773, 29921586, 'NM_004304.5'],
  ['MLH1', 'HGNC:7127', 'NC_000003.12', 36993331, 37050918, 'NM_000249.4'],
  ['MSH2', 'HGNC:7325', 'NC_000002.12', 47403066, 47634501, 'NM_000251.3'],
  ['ATM', 'HGNC:795', 'NC_000011.10', 108222483, 108369102, 'NM_000051.4'],
  ['ERBB2', 'HGNC:3430', 'NC_000017.11', 39687913, 39730426, 'NM_004448.4'],
  ['MET', 'HGNC:7029', 'NC_000007.14', 116672195, 116798386, 'NM_000245.4'],
  ['RET', 'HGNC:9967', 'NC_000010.11', 43077068, 43130349, 'NM_020975.6'],
  ['NRAS', 'HGNC:7989', 'NC_000001.11', 114704468, 114716771, 'NM_002524.5'],
  ['IDH1', 'HGNC:5382', 'NC_000002.12', 208236226, 208266074, 'NM_005896.4'],
  ['CYP2C19', 'HGNC:2621', 'NC_000010.11', 94762680, 94855547, 'NM_000769.4'],
  ['CYP2D6', 'HGNC:2625', 'NC_000022.11', 42126498, 42130810, 'NM_000106.6'],
  ['CYP2C9', 'HGNC:2623', 'NC_000010.11', 94938657, 94990091, 'NM_000771.4'],
  ['DPYD', 'HGNC:3012', 'NC_000001.11', 97077742, 97921049, 'NM_000110.4'],
  ['TPMT', 'HGNC:12014', 'NC_000006.12', 18128310, 18155305, 'NM_000367.5'],
  ['VKORC1', 'HGNC:23663', 'NC_000016.10', 31090853, 31096095, 'NM_024006.6'],
  ['SLCO1B1', 'HGNC:10959', 'NC_000012.12', 21128192, 21239796, 'NM_006446.5'],
  ['HFE', 'HGNC:4886', 'NC_000006.12', 26087280, 26098343, 'NM_000410.4'],
  ['LDLR', 'HGNC:6547', 'NC_000019.10', 11089461, 11133820, 'NM_000527.5'],
  ['G6PD', 'HGNC:4057', 'NC_000023.11', 154531389, 154547572, 'NM_001360016.2'],
  ['HLA-B', 'HGNC:4932', 'NC_000006.12', 31353871, 31367067, 'NM_005514.8'],
];

const LOINC = 'http://loinc.org';
const AA = ['Ala', 'Arg', 'Asn', 'Asp', 'Cys', 'Gln', 'Glu', 'Gly', 'His', 'Ile', 'Leu', 'Lys', 'Met', 'Phe', 'Pro', 'Ser', 'Thr', 'Trp', 'Tyr', 'Val'];
const STATUSES: Array<Observation['status']> = ['final', 'final', 'final', 'final', 'final', 'final', 'amended', 'preliminary', 'corrected', 'entered-in-error'];
const DAY = 86_400_000;
const START = Date.UTC(2015, 0, 1);

export function prng(seed = 20240601): () => number {
  let s = seed >>> 0;
  return () => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface PoolVariant {
  gene: number;
  /** 0-based position of the first reference base */
  pos: number;
  ref: string;
  alt: string;
  cdna: number;
  protein: number;
  clinvar: number;
}

/** A pool of recurring alleles; gene i is drawn with weight 1/(i+1) (skewed: hot genes, long tail). */
export function variantPool(size: number, rnd: () => number): PoolVariant[] {
  const weights = GENES.map((_, i) => 1 / (i + 1));
  const sum = weights.reduce((a, b) => a + b, 0);
  const pool: PoolVariant[] = [];
  const bases = 'ACGT';
  for (let i = 0; i < size; i++) {
    let r = rnd() * sum;
    let g = 0;
    while (r > weights[g] && g < GENES.length - 1) r -= weights[g++];
    const [, , , start, end] = GENES[g];
    const pos = start + Math.floor(rnd() * (end - start - 1));
    const ref = bases[Math.floor(rnd() * 4)];
    const kind = rnd();
    const alt = kind < 0.9 ? bases[(bases.indexOf(ref) + 1 + Math.floor(rnd() * 3)) % 4] : ref + bases[Math.floor(rnd() * 4)];
    pool.push({ gene: g, pos, ref, alt, cdna: 1 + Math.floor(rnd() * 5000), protein: 1 + Math.floor(rnd() * 1600), clinvar: 10000 + i });
  }
  return pool;
}

const cc = (system: string, code: string, display?: string) => ({ coding: [{ system, code, ...(display ? { display } : {}) }] });
const comp = (code: string, display: string, value: Record<string, unknown>) => ({ code: cc(LOINC, code, display), ...value });

export function variantObservation(id: string, patient: string, v: PoolVariant, date: string, status: Observation['status'], rnd: () => number): Observation & { id: string } {
  const [symbol, hgnc, acc, , , tx] = GENES[v.gene];
  const cHgvs = `${tx}:c.${v.cdna}${v.ref}>${v.alt}`;
  const pHgvs = `p.(${AA[v.protein % 20]}${v.protein}${AA[(v.protein * 7 + v.alt.length) % 20]})`;
  const gHgvs = v.alt.length === 1 ? `${acc}:g.${v.pos + 1}${v.ref}>${v.alt}` : `${acc}:g.${v.pos + 1}_${v.pos + 2}ins${v.alt.slice(1)}`;
  const end = v.alt.length === 1 ? v.pos + 1 : v.pos + 1;
  return {
    resourceType: 'Observation', id, status,
    meta: { profile: ['http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/variant'] },
    category: [
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] },
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'GE', display: 'Genetics' }] },
    ],
    code: cc(LOINC, '69548-6', 'Genetic variant assessment'),
    subject: { reference: `Patient/${patient}` },
    effectiveDateTime: date,
    valueCodeableConcept: cc(LOINC, 'LA9633-4', 'Present'),
    component: [
      comp('48018-6', 'Gene studied [ID]', { valueCodeableConcept: cc('http://www.genenames.org/geneId', hgnc, symbol) }),
      comp('48004-6', 'DNA change (c.HGVS)', { valueCodeableConcept: cc('http://varnomen.hgvs.org', cHgvs) }),
      comp('48005-3', 'Amino acid change (pHGVS)', { valueCodeableConcept: cc('http://varnomen.hgvs.org', pHgvs) }),
      comp('81290-9', 'Genomic DNA change (gHGVS)', { valueCodeableConcept: cc('http://varnomen.hgvs.org', gHgvs) }),
      comp('81252-9', 'Discrete genetic variant', { valueCodeableConcept: cc('http://www.ncbi.nlm.nih.gov/clinvar', String(v.clinvar)) }),
      comp('62374-4', 'Human reference sequence assembly version', { valueCodeableConcept: cc(LOINC, 'LA26806-2', 'GRCh38') }),
      comp('48013-7', 'Genomic reference sequence [ID]', { valueCodeableConcept: cc('http://www.ncbi.nlm.nih.gov/refseq', acc) }),
      comp('92822-6', 'Genomic coord system', { valueCodeableConcept: cc(LOINC, 'LA30100-4', '0-based interval counting') }),
      comp('81254-5', 'Genomic allele start-end', { valueRange: { low: { value: v.pos }, high: { value: end } } }),
      comp('69547-8', 'Genomic ref allele [ID]', { valueString: v.ref }),
      comp('69551-0', 'Genomic alt allele [ID]', { valueString: v.alt }),
      comp('53034-5', 'Allelic state', { valueCodeableConcept: rnd() < 0.7 ? cc(LOINC, 'LA6706-1', 'Heterozygous') : cc(LOINC, 'LA6705-3', 'Homozygous') }),
    ],
  };
}

export interface GenerateOptions {
  variants: number;
  patients: number;
  /** Distinct alleles the variants are drawn from (default variants / 20, at least 1000). */
  poolSize?: number;
  /** Variants per DiagnosticReport (default 20). */
  perReport?: number;
  seed?: number;
}

/**
 * Yields, per patient: the Patient, its Variant Observations (variants / patients each), and
 * GenomicReport DiagnosticReports listing them as `result` (perReport variants each).
 */
export function* generateGenomicData(opts: GenerateOptions): Generator<Resource & { id: string }> {
  const rnd = prng(opts.seed);
  const pool = variantPool(opts.poolSize ?? Math.max(1000, Math.floor(opts.variants / 20)), rnd);
  const perPatient = Math.max(1, Math.floor(opts.variants / opts.patients));
  const perReport = opts.perReport ?? 20;
  let made = 0;
  for (let p = 0; p < opts.patients && made < opts.variants; p++) {
    const pid = `pat-${p}`;
    const patient: Patient & { id: string } = {
      resourceType: 'Patient', id: pid,
      identifier: [{ system: 'urn:oid:2.16.840.1.113883.19.5', value: `MRN${100000 + p}` }],
      name: [{ family: ['Smith', 'Müller', 'García', 'Nguyen', 'Okafor', 'Kowalski'][p % 6], given: [`Pat${p}`] }],
      gender: p % 2 ? 'female' : 'male',
      birthDate: `${1940 + (p % 60)}-0${1 + (p % 9)}-1${p % 10}`,
    };
    yield patient;
    const n = p === opts.patients - 1 ? opts.variants - made : Math.min(perPatient, opts.variants - made);
    let batch: string[] = [];
    const reportDate = START + Math.floor(rnd() * 3650) * DAY;
    for (let i = 0; i < n; i++) {
      const id = `var-${p}-${i}`;
      const v = pool[Math.floor(rnd() * pool.length)];
      const date = new Date(reportDate + Math.floor(rnd() * 30) * DAY).toISOString().slice(0, 10);
      yield variantObservation(id, pid, v, date, STATUSES[Math.floor(rnd() * STATUSES.length)], rnd);
      made++;
      batch.push(id);
      if (batch.length === perReport || i === n - 1) {
        const report: DiagnosticReport & { id: string } = {
          resourceType: 'DiagnosticReport', id: `rep-${p}-${Math.floor(i / perReport)}`,
          meta: { profile: ['http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/genomic-report'] },
          status: 'final',
          category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'GE', display: 'Genetics' }] }],
          code: cc(LOINC, '51969-4', 'Genetic analysis report'),
          subject: { reference: `Patient/${pid}` },
          effectiveDateTime: new Date(reportDate).toISOString().slice(0, 10),
          issued: new Date(reportDate + 30 * DAY).toISOString(),
          result: batch.map((r) => ({ reference: `Observation/${r}` })),
        };
        yield report;
        batch = [];
      }
    }
  }
}

/**
 * Loads resources into a store directly (no HTTP), `batch` resources per transaction. Each is
 * validated (validateResource) and indexed (indexResource) on the prepare pool's worker threads
 * (src/prepare/pool.ts), the next batch while this one is stored. Returns the count.
 */
export async function seedStore(store: ResourceStore, resources: Iterable<Resource & { id: string }>, batch = 2000): Promise<number> {
  const pool = preparePool();
  const it = resources[Symbol.iterator]();
  const take = () => {
    const b: Array<Resource & { id: string }> = [];
    for (let r = it.next(); !r.done; r = it.next()) {
      b.push(r.value);
      if (b.length >= batch) break;
    }
    return b;
  };
  let n = 0;
  let items = take();
  let prepared = pool.prepareAll(items, RELATIVE_REFS_ONLY);
  while (items.length) {
    const ready = await prepared;
    const current = items;
    items = take();
    prepared = pool.prepareAll(items, RELATIVE_REFS_ONLY);
    ready.forEach((p, i) => {
      const error = p.issues.find((x) => x.severity === 'error' || x.severity === 'fatal');
      if (error) throw new Error(`seed resource ${current[i].resourceType}/${current[i].id} is invalid: ${error.diagnostics}`);
    });
    await store.transaction(async (tx) => {
      for (let i = 0; i < current.length; i++) await tx.putPrepared(current[i], ready[i]);
    }, { multi: true });
    n += current.length;
  }
  return n;
}
