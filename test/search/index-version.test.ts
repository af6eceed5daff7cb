import t from 'tap';
import { readFileSync } from 'node:fs';
import { sha256 } from '../../src/sha256.js';
import { INDEX_CODE_VERSION, indexVersion } from '../../src/search/index-version.js';

/**
 * A bump of INDEX_CODE_VERSION must not be forgotten: the golden index fixture (what
 * indexResource computes for the corpus, test/search/golden/generate.ts) is pinned per code
 * version. Regenerating it with different indexes fails this test until the version is bumped
 * (src/search/index-version.ts) and the new fixture's hash is pinned here, beside the old ones.
 */
const GOLDEN_BY_VERSION: Record<number, string> = {
  1: '79f0e3eafce21aaa',
  2: '2a29f3bdef4bcbfb',
  3: '902a4c3cb17d2788',
  // 4 re-pinned before it shipped: the corpus gained the structural fixture's copy-number calls
  // (new VCF mapping, same index code), 84583f7edee20431 before
  4: '7bb5f75b4f15bb62',
  // 5 re-pinned before it shipped: UCUM units beyond the common table get their canonical form, and
  // the corpus gained a umol/L quantity to show it (139344d10131fa66 before); gene-identifier__m
  // for genes with a text only (65429b37f6304005 before)
  5: 'd7ba473eb3c0ce87',
  // 6: quantities' `__o` order values (canonical where the unit converts); re-pinned before it
  // shipped: temperatures (Cel, [degF], K) get their canonical K, and the corpus gained two to show
  // it (01c510ddf444f20c before); versioned references filed with their version in `__v`
  // (2367d1da7c74b368 before)
  6: 'e052a017996d2405',
};

t.test('the golden index output belongs to the current INDEX_CODE_VERSION', async (t) => {
  const golden = JSON.parse(readFileSync(new URL('fixtures/index-golden.json', import.meta.url), 'utf8')) as { indexes: unknown };
  const hash = sha256(JSON.stringify(golden.indexes), 'hex').slice(0, 16);
  t.equal(hash, GOLDEN_BY_VERSION[INDEX_CODE_VERSION],
    `test/search/fixtures/index-golden.json changed (${hash}): stored indexes are now stale, so bump INDEX_CODE_VERSION and pin the new hash here`);
});

t.test('the index version names the code version and the search definitions', async (t) => {
  t.match(indexVersion(), new RegExp(`^${INDEX_CODE_VERSION}-[0-9a-f]{16}$`));
  t.equal(indexVersion(), indexVersion(), 'stable');
});
