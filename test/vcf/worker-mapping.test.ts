import t from 'tap';
import { Readable } from 'node:stream';
import { FhirError } from '../../src/fhir/errors.js';
import { importVcf } from '../../src/genomics/vcf/import.js';
import { readLines } from '../../src/genomics/vcf/line-reader.js';
import { emptySummary, mapVcf } from '../../src/genomics/vcf/map-vcf.js';
import type { ProducedResource, VcfImportOptions } from '../../src/genomics/vcf/types.js';
import { storedJson } from '../../src/storage/stored-json.js';
import { newStore } from './helpers.js';

/**
 * Files large enough that their data lines are mapped on the prepare pool's workers (map-lines.ts):
 * what is stored must be what mapping the file on this thread makes, byte for byte, with the
 * cross-record logic (duplicates, phase sets, the report) kept across the workers' chunks.
 */
const HEAD = '##fileformat=VCFv4.2\n##fileDate=20240102\n##reference=GRCh38\n##FORMAT=<ID=GT,Number=1,Type=String,Description="g">\n##FORMAT=<ID=PS,Number=1,Type=Integer,Description="p">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n';
// 700 records; data lines 200 and 201 (the pool's chunks are 200 lines) are one call twice
const rows = Array.from({ length: 700 }, (_, i) => {
  const pos = i === 200 ? 1000 + 199 * 10 : 1000 + i * 10;
  return `chr1\t${pos}\t.\tA\tG\t50\t${i % 11 ? 'PASS' : 'q10'}\t.\tGT:PS\t${i % 3 ? '0|1' : '1|0'}:${100 + Math.floor(i / 100)}`;
});
const text = (r: string[]) => HEAD + r.join('\n') + '\n';
const opts: VcfImportOptions = { patient: 'p1', annotations: 'chr1\t1010\tA\tG\tHGNC:1100^BRCA1^HGNC\tNM_007294.4\tc.1A>G\t\t\tPathogenic\n' };

async function mappedHere(vcf: string): Promise<{ resources: ProducedResource[]; summary: ReturnType<typeof emptySummary> }> {
  const summary = emptySummary();
  const resources: ProducedResource[] = [];
  for await (const r of mapVcf(readLines(Readable.from([vcf])), opts, summary)) resources.push(r);
  return { resources, summary };
}

t.test('a file mapped on the workers stores what mapping it here makes, byte for byte', async (t) => {
  const store = await newStore();
  t.teardown(() => store.close());
  const vcf = text(rows);
  const summary = await importVcf(store, Readable.from([vcf]), opts);
  const here = await mappedHere(vcf);
  t.equal(summary.skipped.duplicate, 1, 'the duplicate across two chunks is skipped');
  t.ok(summary.phaseRelationships > 600, 'phase relationships are made');
  t.equal(summary.implications, 1, 'the annotated call has its implication');
  for (const k of ['records', 'variants', 'phaseRelationships', 'implications', 'skipped', 'reportId', 'studyId'] as const) t.same(summary[k], here.summary[k], `summary ${k} as mapped here`);
  t.equal(summary.resources, here.resources.length, 'every resource mapped here is written');
  let same = 0;
  for (const r of here.resources) {
    const stored = await store.read(r.resourceType, r.id);
    if (stored?.json === storedJson(r, 1, stored!.lastUpdated)) same++;
  }
  t.equal(same, here.resources.length, 'every stored body is the one mapping here makes');
  const again = await importVcf(store, Readable.from([vcf]), opts);
  t.same([again.created, again.updated, again.unchanged], [0, 0, summary.resources], 'a re-import changes nothing (compared from the packed bodies)');
});

t.test('malformed lines mapped on the workers refuse the import with their line numbers, nothing stored', async (t) => {
  const store = await newStore();
  t.teardown(() => store.close());
  const bad = rows.map((r, i) => (i === 250 || i === 580 ? r.replace('\tA\tG\t', '\tA\tA\t') : r));
  const err = await importVcf(store, Readable.from([text(bad)]), opts).catch((e: unknown) => e);
  t.ok(err instanceof FhirError, 'refused');
  const e = err as FhirError;
  t.match(e.message, /^The VCF has malformed lines; nothing was imported \(first: line 257: /, 'the first malformed line named');
  t.same(e.issues?.map((i) => i.diagnostics?.split(':')[0]), ['line 257', 'line 587'], 'both reported, in order');
  t.equal((await store.search({ types: ['Observation'], filter: {}, limit: 10 })).records.length, 0, 'nothing stored');
  const allowed = await importVcf(store, Readable.from([text(bad)]), { ...opts, allowErrors: true });
  t.same([allowed.skipped.malformed, allowed.errors.map((x) => x.line)], [2, [257, 587]], 'allowErrors skips them, counted');
  // 25 malformed lines: the first 20 are reported
  const many = rows.map((r, i) => (i >= 300 && i < 325 ? r.replace('\tA\tG\t', '\tA\tA\t') : r));
  const other = await newStore();
  t.teardown(() => other.close());
  const e20 = (await importVcf(other, Readable.from([text(many)]), opts).catch((x: unknown) => x)) as FhirError;
  t.equal(e20.issues?.length, 20, 'the first 20 are reported');
});
