/**
 * Freezes what validateResource answers today over the golden corpus (corpus.ts) into
 * test/validation/fixtures/golden-issues.json, which golden.test.ts then requires the
 * implementation to reproduce exactly. Regenerate only when validation behaviour is meant to
 * change (and say so in the commit):
 *
 *   node --import tsx test/validation/golden/generate.ts --write
 *
 * Without --write it does nothing (so that a test runner given the whole directory cannot
 * overwrite the fixture with what the code under test answers). With --add as well, it keeps every
 * case the fixture already has as it is and records only the corpus's new cases (for a change
 * that adds cases and is not meant to change the others).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { validateResource } from '../../../src/validation/validate.js';
import { goldenCorpus } from './corpus.js';
import { GOLDEN, inputHash, issueText, thrownText, type GoldenFile } from './format.js';

if (!process.argv.includes('--write')) {
  console.log('not writing the golden fixture: pass --write');
  process.exit(0);
}
const cases = await goldenCorpus();
const index = new Map<string, number>();
const file: GoldenFile = {
  about: 'validateResource issues over the corpus of test/validation/golden/corpus.ts; written by test/validation/golden/generate.ts',
  issues: [],
  cases: {},
};
const kept = process.argv.includes('--add') ? (JSON.parse(readFileSync(GOLDEN, 'utf8')) as GoldenFile) : undefined;
if (kept) {
  file.issues = kept.issues;
  kept.issues.forEach((text, n) => index.set(text, n));
  const ids = new Set(cases.map((c) => c.id));
  for (const [id, entry] of Object.entries(kept.cases)) if (ids.has(id)) file.cases[id] = entry;
}
let added = 0;
for (const c of cases) {
  if (kept && c.id in file.cases) continue;
  added++;
  if (c.id in file.cases) throw new Error(`duplicate case id ${c.id}`);
  let texts: string[];
  try {
    texts = validateResource(c.input, c.opts).map(issueText);
  } catch (e) {
    texts = [thrownText(e)]; // a crash is behaviour too: the test requires the same one
  }
  const refs = texts.map((text) => {
    let n = index.get(text);
    if (n === undefined) {
      n = file.issues.length;
      file.issues.push(text);
      index.set(text, n);
    }
    return n;
  });
  file.cases[c.id] = [inputHash(c), ...refs];
}
const json = JSON.stringify(file, null, 0).replace(/\],"/g, '],\n"');
writeFileSync(GOLDEN, json + '\n');
const withIssues = Object.values(file.cases).filter((c) => c.length > 1).length;
console.log(`${cases.length} cases (${withIssues} with issues; ${added} written now), ${file.issues.length} distinct issues, ${(json.length / 1e6).toFixed(2)} MB`);
