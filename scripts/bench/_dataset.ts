/**
 * The large data set the search and operations benchmarks share (issues 3 and 5 ask for the
 * same one): BENCH_VARIANTS Variant Observations over BENCH_PATIENTS patients with their
 * GenomicReports (scripts/seed-variants.ts), plus five TherapeuticImplications per patient
 * derived from its variants. Seeded through the bulk load path (validation and indexing on the
 * prepare pool, durable transactions), so seeding is itself measured.
 *
 * A million variants take minutes to seed, so a bench run seeds once: the first module seeds into
 * BENCH_DATASET_DIR (bench.ts sets one per run and removes it at the end) and writes a marker; the
 * next one reopens the store from disk, which measures start-up recovery at that size too.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Observation, Resource } from '@medplum/fhirtypes';
import { EmbeddedStore } from '../../src/storage/embedded/embedded-store.js';
import { generateGenomicData, seedStore } from '../seed-variants.js';
import { preparePool } from '../../src/prepare/pool.js';
import { fullGc } from './_gc.js';

export const VARIANTS = Number(process.env.BENCH_VARIANTS ?? 50_000);
export const PATIENTS = Number(process.env.BENCH_PATIENTS ?? Math.max(10, Math.floor(VARIANTS / 100)));
const IMPLICATIONS = 5;
export const DRUGS: Array<[string, string]> = [['11289', 'Warfarin'], ['32968', 'Clopidogrel'], ['2002', 'Carbamazepine'], ['1256', 'Azathioprine'], ['4492', 'Fluorouracil']];

export interface Dataset {
  store: EmbeddedStore;
  /** SPDI expressions of stored variants (for the population operation). */
  spdi: string[];
  /** Set when this call seeded the data. */
  seeded?: { resources: number; seconds: number; rssMb: number };
  /** Set when this call reopened data seeded earlier in the run. */
  reopenSeconds?: number;
}

interface Marker {
  variants: number;
  patients: number;
  resources: number;
  spdi: string[];
}

function therapeuticImplication(id: string, patient: string, variant: string, drug: [string, string]): Observation & { id: string } {
  return {
    resourceType: 'Observation', id, status: 'final',
    meta: { profile: ['http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/therapeutic-implication'] },
    category: [
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] },
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'GE' }] },
    ],
    code: { coding: [{ system: 'http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs', code: 'therapeutic-implication' }] },
    subject: { reference: `Patient/${patient}` },
    derivedFrom: [{ reference: `Observation/${variant}` }],
    component: [
      { code: { coding: [{ system: 'http://loinc.org', code: '51963-7' }] }, valueCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: drug[0], display: drug[1] }] } },
      { code: { coding: [{ system: 'http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs', code: 'therapeutic-implication' }] }, valueCodeableConcept: { coding: [{ system: 'http://loinc.org', code: 'LA25390-8', display: 'Rapid metabolizer' }] } },
    ],
  };
}

/** Every resource of the data set, in load order; `spdi` collects sample SPDI expressions on the way. */
function* resources(spdi: string[]): Generator<Resource & { id: string }> {
  let patient = '';
  let firstVariants: string[] = [];
  const implications = function* () {
    for (let i = 0; i < firstVariants.length; i++) yield therapeuticImplication(`tx-${patient}-${i}`, patient, firstVariants[i], DRUGS[i % DRUGS.length]);
  };
  for (const r of generateGenomicData({ variants: VARIANTS, patients: PATIENTS })) {
    if (r.resourceType === 'Patient') {
      yield* implications();
      patient = r.id;
      firstVariants = [];
    }
    yield r;
    if (r.resourceType !== 'Observation') continue;
    if (firstVariants.length < IMPLICATIONS) firstVariants.push(r.id);
    if (spdi.length < 200 && r.id.endsWith('-7')) {
      const c = (r as Observation).component!;
      const val = (code: string) => c.find((x) => x.code?.coding?.[0]?.code === code)!;
      spdi.push(`${val('48013-7').valueCodeableConcept!.coding![0].code}:${val('81254-5').valueRange!.low!.value}:${val('69547-8').valueString}:${val('69551-0').valueString}`);
    }
  }
  yield* implications();
}

/**
 * The data set, ready to measure on: seeded (or reopened), its background compaction finished and
 * the load's garbage collected, so neither is timed inside the measured calls.
 */
export async function openDataset(): Promise<Dataset> {
  const data = await seededOrReopened();
  await compactionDone(data.store);
  fullGc();
  return data;
}

async function seededOrReopened(): Promise<Dataset> {
  // bench.ts sets the directory and removes it after the run; a module run on its own (not through
  // bench.ts) gets one that stays, for a later run to reopen
  const dir = process.env.BENCH_DATASET_DIR ?? (process.env.BENCH_DATASET_DIR = mkdtempSync(join(tmpdir(), 'fgs-bench-data-')));
  const markerFile = join(dir, 'bench-dataset.json');
  const marker = existsSync(markerFile) ? (JSON.parse(readFileSync(markerFile, 'utf8')) as Marker) : undefined;
  const t0 = performance.now();
  // as the server opens it (src/storage/create-store.ts): recovery uses the prepare pool
  const store = new EmbeddedStore(join(dir, 'store'), { fsync: true, recoveryTerms: preparePool().termsOf });
  await store.init();
  if (marker && marker.variants === VARIANTS && marker.patients === PATIENTS) {
    return { store, spdi: marker.spdi, reopenSeconds: (performance.now() - t0) / 1000 };
  }
  const spdi: string[] = [];
  const t1 = performance.now();
  const n = await seedStore(store, resources(spdi));
  const seconds = (performance.now() - t1) / 1000;
  const rssMb = process.memoryUsage().rss / 1e6;
  writeFileSync(markerFile, JSON.stringify({ variants: VARIANTS, patients: PATIENTS, resources: n, spdi } satisfies Marker));
  // A server gets a moment between a load and the queries on it: the store sorts the new interval
  // index entries once writes pause (search-indexes.ts); without the pause, the first query on
  // each chromosome would sort them itself.
  await new Promise((r) => setTimeout(r, 1000));
  return { store, spdi, seeded: { resources: n, seconds, rssMb } };
}

/**
 * Seeding leaves a journal big enough to start the store's background snapshot; it runs on this
 * thread, so measuring during it would time the compaction, not the queries. Wait it out.
 */
async function compactionDone(store: EmbeddedStore): Promise<void> {
  const c = (store as unknown as { compactor?: { running?: Promise<void> } }).compactor;
  while (c?.running) await c.running.catch(() => undefined);
}
