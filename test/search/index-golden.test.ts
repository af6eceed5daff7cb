import t from 'tap';
import { readFileSync } from 'node:fs';
import { genomicIndex } from '../../src/genomics/operations/genomic-index.js';
import { indexResource } from '../../src/search/search-service.js';
import { canonical, compact, type Stored } from './golden/canonical.js';
import { goldenCorpus } from './golden/corpus.js';
import { testConfig } from '../../src/config.js';
/** The test servers' base URL (testConfig): the own base indexing is told. */
const BASE = testConfig().baseUrl;

/**
 * Golden test of the write-time search index: indexResource over the corpus (golden/corpus.ts:
 * IG examples, demo data, generated and VCF-mapped genomics, random resources of every R4 type)
 * must give, per resource and field, the same values as the fixture recorded from the reference
 * implementation (golden/generate.ts), in the same order (see canonical.ts for why order counts).
 * What is compared is what the stores keep: the JSON of the index.
 */
const fixture = JSON.parse(readFileSync(new URL('./fixtures/index-golden.json', import.meta.url), 'utf8')) as { count: number; indexes: Record<string, Stored> };

t.test('indexResource reproduces the golden index of every corpus resource', async (t) => {
  const corpus = await goldenCorpus();
  t.same(corpus.map((c) => c.key), Object.keys(fixture.indexes), 'the corpus is the one the fixture was made from');
  const bySource = new Map<string, { n: number; bad: Array<{ key: string; got: Stored; want: Stored }> }>();
  for (const { key, resource } of corpus) {
    const source = key.slice(0, key.indexOf(':'));
    const group = bySource.get(source) ?? { n: 0, bad: [] };
    bySource.set(source, group);
    group.n++;
    const got = compact(canonical(JSON.parse(JSON.stringify(indexResource(resource, BASE))) as Record<string, unknown>));
    const want = fixture.indexes[key];
    if (JSON.stringify(got) !== JSON.stringify(want)) group.bad.push({ key, got, want });
  }
  for (const [source, { n, bad }] of bySource) {
    t.equal(bad.length, 0, `${source}: ${n} resources, same index values`);
    for (const b of bad.slice(0, 3)) t.same(b.got, b.want, b.key);
  }
});

t.test('genomicIndex on its own (filing the components itself) gives the gx-* fields of indexResource', async (t) => {
  let n = 0;
  let bad = 0;
  for (const { resource } of await goldenCorpus()) {
    let alone: Record<string, unknown>;
    try {
      alone = genomicIndex(resource, BASE);
    } catch {
      continue; // shapes it cannot read: indexResource throws on them too (index-internals.test.ts)
    }
    const x = indexResource(resource, BASE) as Record<string, unknown>;
    const gx = Object.fromEntries(Object.entries(x).filter(([k]) => k.startsWith('gx-')));
    n++;
    if (JSON.stringify(gx) !== JSON.stringify(alone)) bad++;
  }
  t.equal(bad, 0, `${n} resources`);
});
