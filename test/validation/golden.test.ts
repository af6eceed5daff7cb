import { readFileSync } from 'node:fs';
import t from 'tap';
import { validateResource } from '../../src/validation/validate.js';
import { goldenCorpus } from './golden/corpus.js';
import { GOLDEN, inputHash, issueText, thrownText, type GoldenFile } from './golden/format.js';

/**
 * Equivalence: validateResource must answer exactly what it answered when the fixture was frozen
 * (test/validation/golden/generate.ts, run on the implementation before the performance work):
 * the same issues — severity, code, diagnostics, expression, key order — in the same order, for
 * ~20,000 inputs (IG examples, demo data, generated and VCF-mapped resources, systematic
 * mutations of valid ones; test/validation/golden/corpus.ts).
 */
const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as GoldenFile;
const cases = await goldenCorpus();

t.test('the corpus is the one the fixture was made from', async (t) => {
  t.equal(cases.length, Object.keys(golden.cases).length, 'same number of cases');
  const changed = cases.filter((c) => golden.cases[c.id]?.[0] !== inputHash(c)).map((c) => c.id);
  t.same(changed.slice(0, 20), [], 'same inputs (a difference here means the corpus changed, not the validator)');
});

t.test('validateResource reproduces the frozen issues exactly', async (t) => {
  let compared = 0;
  let withIssues = 0;
  const failures: string[] = [];
  for (const c of cases) {
    const entry = golden.cases[c.id];
    if (!entry) continue;
    const expected = entry.slice(1).map((n) => golden.issues[n as number]);
    let actual: string[];
    try {
      actual = validateResource(c.input, c.opts).map(issueText);
    } catch (e) {
      actual = [thrownText(e)];
    }
    compared++;
    if (expected.length) withIssues++;
    if (actual.length !== expected.length || actual.some((a, i) => a !== expected[i])) {
      if (failures.length < 3) failures.push(`${c.id}\n  expected ${JSON.stringify(expected, null, 1)}\n  actual   ${JSON.stringify(actual, null, 1)}`);
      else failures.push(c.id);
    }
  }
  t.ok(compared > 15_000, `${compared} cases compared`);
  t.ok(withIssues > 10_000, `${withIssues} of them with issues`);
  t.equal(failures.length, 0, `cases whose issues differ:\n${failures.slice(0, 3).join('\n')}${failures.length > 3 ? `\n… and ${failures.length - 3} more` : ''}`);
});
