import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { touchedPatients } from '../../src/auth/audit-patients.js';
import { patientOf } from '../../src/auth/compartment.js';

/**
 * The stored-JSON scan of audit-patients.ts names exactly the patients the pattern it replaced
 * named (the reference below, kept verbatim), on crafted edge cases, on random texts built from
 * the pieces that matter (quotes, escapes, `"reference":"`, `Patient/`, `_history`, ids), and on
 * every JSON resource among the shared fixtures and the IG examples.
 */
const BASE = 'http://localhost/fhir';
const PATIENT_REF = /"reference":"([^"]*Patient\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[^"]*)?)"/g;
const OWN_ID = /^\{"resourceType":"Patient","id":"([A-Za-z0-9\-.]{1,64})"/;
function reference(json: string): string[] {
  const out = new Set<string>();
  if (!json.includes('Patient')) return [];
  const own = OWN_ID.exec(json);
  if (own) out.add(own[1]);
  for (const m of json.matchAll(PATIENT_REF)) {
    const id = patientOf(m[1], BASE);
    if (id !== undefined) out.add(id);
  }
  return [...out];
}
const scan = (json: string) => touchedPatients({ touched: [json] }, BASE);

t.test('crafted cases', async (t) => {
  const cases: Array<[string, string[]]> = [
    ['{"resourceType":"Observation","subject":{"reference":"Patient/p1"}}', ['p1']],
    ['{"resourceType":"Patient","id":"p2","link":[{"other":{"reference":"Patient/p3"}}]}', ['p2', 'p3']],
    [`{"subject":{"reference":"${BASE}/Patient/p4/_history/2"}}`, ['p4']],
    ['{"subject":{"reference":"http://elsewhere/fhir/Patient/p5"}}', []],
    ['{"note":"see Patient/p6","focus":{"reference":"Group/g1"}}', []],
    ['{"display":"Patient/p15","identifier":[{"value":"Patient/p16/_history/1"}]}', []],
    ['{"a\\"reference":"Patient/p7"}', ['p7']],
    ['{"text":"x \\"reference\\":\\"Patient/p8\\""}', []],
    ['{"subject":{"reference":"Patient/p9"},"x":{"reference":"Patient/"},"y":{"reference":"Patient/p10/x"}}', ['p9']],
    ['{"subject":{"reference":"Patient/p11', []],
    ['{"subject":{"reference":"Patient/p12/_history/"}}', ['p12']],
    ['{"a":{"reference":"Patient/p13Patient/p14"}}', ['p13Patient/p14']],
    [`{"a":{"reference":"Patient/${'x'.repeat(65)}"}}`, []],
  ];
  for (const [json, want] of cases) {
    t.same(reference(json).sort(), [...want].sort(), `reference: ${json}`);
    t.same(scan(json).sort(), [...want].sort(), `scan: ${json}`);
  }
});

t.test('random texts', async (t) => {
  let seed = 12345;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  const pieces = ['"reference":"', '"', '\\"', 'Patient/', 'Patient', '/_history/', '/', 'p1', 'a-b.c', ':', ',', '{', '}', ' ', `${BASE}/`, 'x'.repeat(64), 'Group/g', '"reference": "', '"display":"', '"Patient/p2"', '"reference":"Patient/p3"'];
  let differ = 0, named = 0;
  for (let i = 0; i < 20000; i++) {
    let s = rnd(4) === 0 ? '{"resourceType":"Patient","id":"' : '';
    for (let k = rnd(30); k > 0; k--) s += pieces[rnd(pieces.length)];
    const want = reference(s).sort();
    if (want.length) named++;
    if (JSON.stringify(scan(s).sort()) !== JSON.stringify(want)) {
      differ++;
      if (differ < 5) t.fail(`differs on ${s}`);
    }
  }
  t.equal(differ, 0);
  t.ok(named > 300, `texts that name patients: ${named}`);
});

t.test('fixture and example resources', async (t) => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.json')) files.push(p);
    }
  };
  walk(join(import.meta.dirname, '../../../shared/fixtures'));
  walk(join(import.meta.dirname, '../../schemas/genomics/examples'));
  let named = 0;
  for (const f of files) {
    let json: string;
    try {
      json = JSON.stringify(JSON.parse(readFileSync(f, 'utf8')));
    } catch {
      continue;
    }
    const want = reference(json).sort();
    if (want.length) named++;
    t.same(scan(json).sort(), want, f);
  }
  t.ok(named > 10, `files naming patients: ${named}`);
});
