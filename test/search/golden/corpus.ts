import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { demoResources } from '../../../src/demo/demo-data.js';
import { readLines } from '../../../src/genomics/vcf/line-reader.js';
import { emptySummary, mapVcf } from '../../../src/genomics/vcf/map-vcf.js';
import type { VcfImportOptions } from '../../../src/genomics/vcf/types.js';
import { generateGenomicData } from '../../../scripts/seed-variants.js';
import { buildDataset } from '../dataset.js';
import { fixture, fixtureText } from '../../vcf/helpers.js';
import { randomGenomic } from './random-genomic.js';
import { randomResources } from './random-resources.js';

/**
 * The corpus of the golden index test (index-golden.test.ts): every resource the repository ships
 * (IG examples and their Bundle entries, IG conformance resources, demo data, the oracle data set),
 * generated Variants / reports / patients, VCF-mapped resources of the shared fixtures, and seeded
 * random resources of every R4 type. Keys are unique and stable across runs.
 */
export interface CorpusItem {
  key: string;
  resource: Resource;
}

const ROOT = new URL('../../../', import.meta.url).pathname;
const IG_DIRS = ['examples', 'operations', 'structure-definitions', 'supplement', 'terminology'];

function igResources(): CorpusItem[] {
  const out: CorpusItem[] = [];
  for (const dir of IG_DIRS) {
    const base = join(ROOT, 'schemas/genomics', dir);
    for (const f of readdirSync(base).filter((n) => n.endsWith('.json')).sort()) {
      const r = JSON.parse(readFileSync(join(base, f), 'utf8')) as Resource & { entry?: Array<{ resource?: Resource }> };
      if (!r.resourceType) continue;
      out.push({ key: `ig:${dir}/${f}`, resource: r });
      if (r.resourceType === 'Bundle') (r.entry ?? []).forEach((e, i) => e.resource && out.push({ key: `ig:${dir}/${f}#${i}`, resource: e.resource }));
    }
  }
  return out;
}

/** The fixture VCFs with their side files (as in test/vcf/fixtures.test.ts). */
const VCF_CASES: Array<{ file: string; opts: Omit<VcfImportOptions, 'patient'> }> = [
  { file: 'vcf_example1.vcf', opts: { build: 'GRCh37', allowErrors: true } },
  { file: 'vcf_example2.vcf', opts: { build: 'GRCh37' } },
  { file: 'vcf_example3.vcf', opts: {} },
  { file: 'vcf_example4.vcf', opts: { build: 'GRCh37', allowErrors: true } }, // three M calls past 16,569: malformed
  { file: 'vcftests.vcf', opts: { build: 'GRCh38' } },
  { file: 'vcf_structural_variants.vcf', opts: {} },
  {
    file: 'NB6TK328_filtered.vcf',
    opts: { genomicSource: 'somatic', annotations: fixtureText('NB6TK328_annotations.txt'), studiedBed: { name: 'NB6TK328_region_studied.bed', text: fixtureText('NB6TK328_region_studied.bed') } },
  },
  {
    file: 'HG00404_b37.vcf',
    opts: {
      studiedBed: { name: 'HG00404_b37_studied.bed', text: fixtureText('HG00404_b37_studied.bed') },
      uncallableBed: { name: 'HG00404_b37_noncallable.bed', text: fixtureText('HG00404_b37_noncallable.bed') },
    },
  },
  { file: 'HG00403A.vcf.gz', opts: { studiedBed: { name: 'HG00403A_studied.bed', text: fixtureText('HG00403A_studied.bed') } } },
];

/** Every resource mapVcf produces from one fixture (the report lists all of them). */
export async function vcfResources(file: string, opts: Omit<VcfImportOptions, 'patient'>): Promise<Resource[]> {
  const out: Resource[] = [];
  const patient = 'pt-' + file.replace(/[^A-Za-z0-9]/g, '').slice(0, 20);
  for await (const r of mapVcf(readLines(createReadStream(fixture(file))), { patient, ...opts }, emptySummary())) out.push(r as Resource);
  return out;
}

/** Of a VCF's resources: up to `perKind` of each resource type and Observation code (the report lists them all). */
async function* vcfSample(perKind: number): AsyncGenerator<CorpusItem> {
  for (const c of VCF_CASES) {
    const seen = new Map<string, number>();
    for (const r of await vcfResources(c.file, c.opts)) {
      const kind = `${r.resourceType}|${(r as { code?: { coding?: Array<{ code?: string }> } }).code?.coding?.[0]?.code ?? ''}`;
      const n = seen.get(kind) ?? 0;
      seen.set(kind, n + 1);
      if (n < perKind) yield { key: `vcf:${c.file}:${r.resourceType}/${r.id}`, resource: r };
    }
  }
}

/** The whole corpus, in a fixed order. */
export async function goldenCorpus(): Promise<CorpusItem[]> {
  const out: CorpusItem[] = [];
  out.push(...igResources());
  for (const r of demoResources()) out.push({ key: `demo:${r.resourceType}/${r.id}`, resource: r });
  // The data set's generated part (var-*, rep-*, pat-*) is sampled: the gen: part below covers it.
  let generated = 0;
  for (const r of buildDataset()) if (!/^(var|rep|pat)-/.test(r.id) || generated++ < 20) out.push({ key: `dataset:${r.resourceType}/${r.id}`, resource: r });
  for (const r of generateGenomicData({ variants: 50, patients: 2, perReport: 20, seed: 31 })) out.push({ key: `gen:${r.resourceType}/${r.id}`, resource: r });
  for (const r of randomGenomic(260, 77)) out.push({ key: `rg:${r.resourceType}/${r.id}`, resource: r });
  for (const r of randomResources(4, 1234)) out.push({ key: `rnd:${r.resourceType}/${r.id}`, resource: r });
  for await (const it of vcfSample(25)) out.push(it);
  const seen = new Set<string>();
  for (const it of out) {
    if (seen.has(it.key)) throw new Error(`duplicate corpus key ${it.key}`);
    seen.add(it.key);
  }
  return out;
}
