import t from 'tap';
import { readFileSync } from 'node:fs';
import { GOLDEN_FILE, ID_CASES, type IdGolden, digest, idsOf } from './golden/ids.js';

/**
 * Ids are what makes a re-import idempotent: a file imported before a change to how calls are keyed
 * must map to the same ids after it, or a re-import would duplicate its calls. golden/ids.json is
 * what the code made when it was written (`npx tsx test/vcf/golden/ids.ts --write`, only when a
 * change of ids is intended). A small file's list may gain calls (ADDED, by identifier: records that
 * used to be skipped), never lose or change one.
 */
const golden = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as IdGolden;
const ADDED: Record<string, string[]> = {
  // copy-number calls with GT ./. and a FORMAT CN (copy-number-only.test.ts): VCF 4.3's <DUP:TANDEM>, and the <CN3> its CN names
  'vcf_structural_variants.vcf': ['p1|GRCh38|NA12877_S1|1:128:T><DUP:TANDEM>', 'p1|GRCh38|NA12877_S1|22:42523949:T><CN3>'],
  'vcf_structural_variants.vcf somatic specimen': [
    'p1|GRCh38|NA12877_S1|1:128:T><DUP:TANDEM>|somatic|specimen:tumorA', 'p1|GRCh38|NA12877_S1|22:42523949:T><CN3>|somatic|specimen:tumorA',
  ],
};

for (const c of ID_CASES) {
  t.test(`${c.name}: the ids of the golden file`, async (t) => {
    const g = golden[c.name];
    t.ok(g, 'in the golden file');
    const ids = await idsOf(c);
    if (!g.ids) {
      t.equal(ids.length, g.count);
      t.equal(digest(ids), g.sha256, 'the same ids and identifiers, in the same order');
      return;
    }
    const now = new Set(ids);
    t.same(g.ids.filter((x) => !now.has(x)), [], 'every id and identifier of the golden file is still produced');
    const before = new Set(g.ids);
    const added = ids.filter((x) => !before.has(x));
    t.same(added.map((x) => x.slice(x.indexOf(' ') + 1)), ADDED[c.name] ?? [], 'calls added');
    t.same(ids.filter((x) => before.has(x)), g.ids, 'in the same order');
  });
}
