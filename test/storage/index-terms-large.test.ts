import t from 'tap';
import { KEY, keyString, postingKey, TermsBuilder, type Terms } from '../../src/storage/embedded/index-terms.js';
import type { SearchIndex } from '../../src/storage/types.js';

/**
 * A large index (a VCF import's GenomicReport: 100,000 results, 200,000 values) has its room
 * reserved at once and its terms handed over as views, not copied: the same postings as value by
 * value, without the doublings' copies and the final copy at the import's peak.
 */
function postingsOf(terms: Terms, r: number): string[] {
  const out: string[] = [];
  for (let p = terms.res[4 * r]; p < terms.res[4 * r + 1]; p++) {
    const k = terms.post[2 * p];
    out.push(`${terms.strings[terms.key[KEY * k + 2]]} ${keyString(terms.words, terms.key[KEY * k + 3], terms.key[KEY * k + 4])} ${terms.post[2 * p + 1]}`);
  }
  return out.sort();
}
function expected(x: SearchIndex): string[] {
  const out = new Map<string, number>();
  for (const field in x) {
    const vs = x[field];
    if (field.endsWith('__t') || !Array.isArray(vs)) continue;
    for (const v of vs) {
      if (typeof v !== 'string') continue;
      const key = `${field} ${postingKey(v, field)}`;
      out.set(key, (out.get(key) ?? 0) | (postingKey(v, field) !== v ? 1 : 0));
    }
  }
  return [...out].map(([k, keyed]) => `${k} ${keyed}`).sort();
}

t.test('a large index: reserved at once, the same postings, handed over without a copy', async (t) => {
  const n = 6000;
  const result = Array.from({ length: n }, (_, i) => `Observation/vcfobs-${i.toString(16).padStart(32, '0')}${i % 5 ? '' : 'ü李'}`);
  const large = {
    result, 'gx-result': result, code: ['http://loinc.org|51969-4', '51969-4', 'http://loinc.org|51969-4'],
    code__t: ['genetic analysis report'], subject: ['Patient/p1'],
  } as unknown as SearchIndex;
  const small = { subject: ['Patient/p2'], code: ['http://loinc.org|1-8'] } as unknown as SearchIndex;
  const b = new TermsBuilder();
  b.add('DiagnosticReport', small);
  const before = b.nPost;
  b.add('DiagnosticReport', large);
  const reserved = b['post'].length;
  b.add('DiagnosticReport', small);
  // every value of the index counts (an upper bound: duplicates and :text values make none)
  const values = Object.values(large).reduce((k: number, v) => k + (Array.isArray(v) ? v.length : 0), 0);
  t.equal(reserved, 2 * (before + values), 'the postings of the large index were reserved at once, exactly');
  const grown = { post: b['post'], key: b['key'], words: b['words'] };
  const terms = b.finish();
  t.same(postingsOf(terms, 0), expected(small));
  t.same(postingsOf(terms, 1), expected(large), 'the large index: every value, keyed as value by value');
  t.same(postingsOf(terms, 2), expected(small));
  t.equal(terms.post.buffer, grown.post.buffer, 'postings handed over, not copied');
  t.equal(terms.key.buffer, grown.key.buffer, 'keys handed over, not copied');
  t.equal(terms.words.buffer, grown.words.buffer, 'key words handed over, not copied');
  t.equal(terms.post.length, 2 * b.nPost);
  t.equal(terms.key.length, KEY * b.nKey);
  const buffers = [terms.key, terms.words, terms.post, terms.rng, terms.rngKey, terms.res].map((a) => a.buffer);
  t.equal(new Set(buffers).size, buffers.length, 'each array on a buffer of its own (a transfer list refuses duplicates)');
});
