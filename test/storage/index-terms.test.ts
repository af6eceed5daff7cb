import t from 'tap';
import { encodeKey, KEY, keyString, postingKey, TermsBuilder } from '../../src/storage/embedded/index-terms.js';
import { encodeHashed, encodePostingKey, hashField, hashHi, hashLo, keyedValue, paddedBytes, WIDE } from '../../src/storage/embedded/key-hash.js';
import { PostingStore } from '../../src/storage/embedded/posting-store.js';
import { RangeIndex, sortedOrder } from '../../src/search/range-index.js';
import { prng } from '../../scripts/seed-variants.js';

const reference = (v: string) => (v.indexOf('|') < 0 ? v : v.split('$').map((part) => part.slice(part.lastIndexOf('|') + 1)).join('$'));

function randomValues(n: number): string[] {
  const rnd = prng(17);
  const alphabet = ['a', 'b', '|', '$', '|', '$', 'ü', 'Ω', '😀', '0', '.', ':'];
  const out = ['', '|', '$', '|$|', 'a|', '|a', 'a$', '$a', 'a|b$c|d', 'http://loinc.org|48018-6$http://www.genenames.org/geneId|HGNC:1100'];
  for (let i = 0; i < n; i++) {
    let s = '';
    const len = Math.floor(rnd() * 12);
    for (let j = 0; j < len; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    out.push(s);
  }
  return out;
}

t.test('postingKey and the one-pass encoder agree with the reference definition', async (t) => {
  const values = randomValues(3000);
  let bad = 0;
  let badEncoded = 0;
  const a = new Uint8Array(256);
  const b = new Uint8Array(256);
  for (const v of values) {
    if (postingKey(v) !== reference(v)) bad++;
    hashField('Observation', 'code');
    let code = encodePostingKey(v, a, 0);
    if (code === WIDE) continue;
    const h = [hashHi, hashLo, keyedValue];
    const code2 = encodeHashed(reference(v), b, 0);
    const same = code === code2 && a.subarray(0, paddedBytes(code)).every((x, i) => x === b[i]);
    if (!same || h[0] !== hashHi || h[1] !== hashLo || h[2] !== (reference(v) !== v)) badEncoded++;
  }
  t.equal(bad, 0, `postingKey over ${values.length} values`);
  t.equal(badEncoded, 0, 'encodePostingKey = encodeHashed(postingKey(v)), same hash, keyed when the key differs');
  hashField('Observation', 'code');
  t.equal(encodePostingKey('Ω|x', a, 0), WIDE, 'a code unit above 255 takes the string path');
});

t.test('terms: one posting per key and field, keyed if any of its forms is, keys distinct across the batch', async (t) => {
  const b = new TermsBuilder();
  b.add('Observation', { code: ['http://loinc.org|1', '1', '|1'], subject: ['Patient/p1'], 'code__t': ['ignored'], date: [{ s: 1, e: 2 }, { s: 0, e: Infinity }] });
  b.add('Observation', { code: ['1'], subject: ['Patient/p2'], region: [{ a: 'NC_1', s: 5, e: 6 }] });
  b.add('Patient', { code: ['1'] });
  const terms = b.finish();
  const keys = (r: number) => {
    const out: string[] = [];
    for (let p = terms.res[4 * r]; p < terms.res[4 * r + 1]; p++) {
      const k = terms.post[2 * p];
      const m = KEY * k;
      out.push(`${terms.strings[terms.key[m + 2]]}=${keyString(terms.words, terms.key[m + 3], terms.key[m + 4])}${terms.post[2 * p + 1] ? ' keyed' : ''}#${k}`);
    }
    return out;
  };
  t.same(keys(0), ['code=1 keyed#0', 'subject=Patient/p1#1'], 'three forms of one code are one keyed posting; :text fields have none');
  t.same(keys(1), ['code=1#0', 'subject=Patient/p2#2'], 'the batch shares the key with the first resource');
  t.same(keys(2), ['code=1#3'], 'another type has a key of its own');
  t.same([...terms.rng], [1, 2, 5, 6], 'finite intervals only (JSON has no Infinity)');
  t.same([terms.strings[terms.rngKey[0]], terms.rngKey[1], terms.strings[terms.rngKey[2]], terms.rngKey[3]], ['date', 0, 'region\u0000NC_1', 1]);
});

t.test('terms of a batch whose values recur across resources and fields equal the reference definition', async (t) => {
  // Values repeat within and across resources (as codes and subjects do in a bulk load): every
  // one is keyed by postingKey, once per resource and field, keyed if any of its forms differs.
  const values = randomValues(400);
  const rnd = prng(5);
  const fields = ['code', 'gx-subject', 'subject'];
  const docs = Array.from({ length: 300 }, () => {
    const x: Record<string, string[]> = {};
    for (const f of fields) x[f] = Array.from({ length: Math.floor(rnd() * 6) }, () => values[Math.floor(rnd() * values.length)]);
    return x;
  });
  const b = new TermsBuilder();
  for (const x of docs) b.add('Observation', x);
  const terms = b.finish();
  let bad = 0;
  const seenKeys = new Map<string, number>();
  docs.forEach((x, r) => {
    const want = new Map<string, boolean>();
    for (const f of fields) {
      for (const v of x[f]) {
        const key = f.startsWith('gx-') ? v : reference(v);
        want.set(`${f}=${key}`, (want.get(`${f}=${key}`) ?? false) || key !== v);
      }
    }
    const got = new Map<string, boolean>();
    for (let p = terms.res[4 * r]; p < terms.res[4 * r + 1]; p++) {
      const k = terms.post[2 * p];
      const m = KEY * k;
      const name = `${terms.strings[terms.key[m + 2]]}=${keyString(terms.words, terms.key[m + 3], terms.key[m + 4])}`;
      if (got.has(name) || (seenKeys.get(name) ?? k) !== k) bad++; // once per resource; one key per name in the batch
      seenKeys.set(name, k);
      got.set(name, terms.post[2 * p + 1] === 1);
    }
    if (JSON.stringify([...got].sort()) !== JSON.stringify([...want].sort())) bad++;
  });
  t.equal(bad, 0, `${docs.length} resources`);
  t.equal(terms.key.length / KEY, seenKeys.size, 'keys distinct across the batch');
});

t.test('posting store: keys never share a list, even with equal hashes', async (t) => {
  const s = new PostingStore(5);
  const enc = (k: string) => {
    const [w, code] = encodeKey(k);
    return [new Int32Array(w), code] as const;
  };
  const [w1, c1] = enc('NC_000017.11:7662214:1:T-a-long-key');
  const [w2, c2] = enc('NC_000017.11:7662214:1:T-a-long-kez');
  const a = s.create(7, 9, 1, w1, 0, c1, 10);
  t.equal(s.find(7, 9, 1, w2, 0, c2), -1, 'same hash, different key (past the inline words): not found');
  const b = s.create(7, 9, 1, w2, 0, c2, 11);
  t.not(a, b);
  t.equal(s.find(7, 9, 1, w1, 0, c1), a);
  t.equal(s.find(7, 9, 1, w2, 0, c2), b);
  t.equal(s.find(7, 9, 2, w1, 0, c1), -1, 'another field');
  for (const slot of [12, 12, 13, 14]) s.append(a, slot);
  t.same([...s.slots(a)], [10, 12, 13, 14], 'a slot equal to the last is not added twice');
  s.append(a, 15);
  t.equal(s.count(a), 5);
  s.append(a, 16);
  t.equal(s.count(a), -1, 'a list already at the saturation length is dropped');
  t.same([...s.slots(a)], [], 'and yields nothing');
  const big = new PostingStore(1e9);
  const [w3, c3] = enc('x');
  const id = big.create(1, 1, 0, w3, 0, c3, 0);
  for (let i = 1; i < 5000; i++) big.append(id, i);
  const got = big.slots(id);
  t.equal(got.length, 5000);
  t.ok(got.every((v, i) => v === i), 'long lists keep insertion order across blocks');
  const [words, off, code] = big.key(id);
  t.equal(keyString(words, off, code), 'x', 'a key decodes back');
});

t.test('interval index: entries added between queries are merged in, stale ones left to the caller', async (t) => {
  const r = new RangeIndex('region');
  const rnd = prng(3);
  const all: Array<[number, number, number, number]> = [];
  const check = (s: number, e: number) => {
    const b = { sMin: -Infinity, sMax: e - 1, eMin: s + 1, eMax: Infinity };
    const got = [...r.query(b)].sort((x, y) => x - y);
    const want = all.filter(([es, ee]) => es <= e - 1 && ee >= s + 1).map(([, , slot]) => slot).sort((x, y) => x - y);
    return JSON.stringify(got) === JSON.stringify(want);
  };
  let bad = 0;
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 200; i++) {
      const s = Math.floor(rnd() * 100_000);
      const e = s + 1 + Math.floor(rnd() * (i % 50 === 0 ? 2_000_000 : 300));
      all.push([s, e, all.length, round]);
      r.add(s, e, all.length - 1, round);
    }
    for (let q = 0; q < 10; q++) {
      const s = Math.floor(rnd() * 100_000);
      if (!check(s, s + Math.floor(rnd() * 5000))) bad++;
    }
  }
  t.equal(bad, 0, 'every window query equals a scan, across 20 rounds of appends');
  const latest = r.query({ sMin: -Infinity, sMax: Infinity, eMin: -Infinity, eMax: Infinity }, (_s, _e, _slot, tag) => tag === 19);
  t.equal(latest.length, 200, 'a test sees each entry with its tag');
});

t.test('interval index sort: stable by start, equal to a comparator sort, on every input shape', async (t) => {
  const rnd = prng(29);
  const shapes: Record<string, (i: number) => number> = {
    random: () => Math.floor(rnd() * 1000),
    'many equal starts': () => Math.floor(rnd() * 4),
    ascending: (i) => i,
    descending: (i) => -i,
    'ascending with one out of place': (i) => (i === 700 ? -1 : i),
  };
  for (const [name, make] of Object.entries(shapes)) {
    for (const n of [0, 1, 2, 3, 1000, 1023, 1025]) {
      const from = n > 10 ? 7 : 0;
      const s = new Float64Array(n);
      for (let i = 0; i < n; i++) s[i] = make(i);
      const want = Array.from({ length: n - from }, (_v, i) => from + i).sort((x, y) => s[x] - s[y] || x - y);
      t.same([...sortedOrder(s, from, n)], want, `${name}, ${n} entries from ${from}`);
    }
  }
});

t.test('interval index: sort() ahead of a query, then queries equal a scan', async (t) => {
  const b = new RangeIndex('date');
  const rnd = prng(31);
  const entries: Array<[number, number, number]> = [];
  for (let i = 0; i < 3000; i++) {
    const s = Math.floor(rnd() * 1e6);
    const e = s + 1 + Math.floor(rnd() * 1e4);
    entries.push([s, e, i]);
    b.add(s, e, i);
  }
  t.ok(b.unsorted, 'entries wait to be sorted');
  b.sort();
  t.notOk(b.unsorted, 'sorted ahead of any query');
  const bounds = { sMin: -Infinity, sMax: 500_000, eMin: 400_000, eMax: Infinity };
  const want = entries.filter(([s, e]) => s <= 500_000 && e >= 400_000).map(([, , slot]) => slot).sort((x, y) => x - y);
  t.same([...b.query(bounds)].sort((x, y) => x - y), want, 'the slots a scan finds');
  const starts = [...b.query(bounds)].map((slot) => entries[slot][0]);
  t.ok(starts.every((s, i) => i === 0 || starts[i - 1] <= s), 'in start order');
});

t.test('terms of values whose forms come in runs (system|code then code, a composite\'s four forms) are laid out as if every form were encoded', async (t) => {
  // The builder skips a run of forms ending with the bare value they are keyed on
  // (index-terms.ts formsBefore): keys and postings must come in the same order, keyed the same,
  // as when each value is keyed on its own, also for runs that are not such runs.
  const rnd = prng(11);
  const systems = ['http://loinc.org', 'http://www.genenames.org/geneId', '', 'sΩ', 'a$b', 'x|y'];
  const codes = ['48018-6', 'HGNC:11998', 'c$d', '', 'Ω1', 'a\\$b', '|', 'p.(Ser1415Glu)'];
  const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)];
  const token = () => {
    const c = pick(codes);
    const s = pick(systems);
    return [`${s}|${c}`, c];
  };
  const part = (s: string) => s.replace(/[\\$]/g, '\\$&');
  const runOf = (): unknown[] => {
    const r = rnd();
    if (r < 0.3) return token();
    if (r < 0.6) {
      const [a, b] = [token(), token()];
      return [`${part(a[0])}$${part(b[0])}`, `${part(a[0])}$${part(b[1])}`, `${part(a[1])}$${part(b[0])}`, `${part(a[1])}$${part(b[1])}`];
    }
    if (r < 0.7) return [`${pick(systems)}|${pick(codes)}`, pick(codes)]; // a form before another value
    if (r < 0.8) return [{ s: 1, e: 2 }];
    if (r < 0.9) return [pick(codes)];
    return token().reverse();
  };
  const fields = ['code', 'combo', 'gx-subject'];
  const docs = Array.from({ length: 400 }, () => {
    const x: Record<string, unknown[]> = {};
    for (const f of fields) {
      const vs: unknown[] = [];
      for (let n = Math.floor(rnd() * 5); n > 0; n--) vs.push(...runOf());
      x[f] = vs;
    }
    return x;
  });
  const b = new TermsBuilder();
  for (const x of docs) b.add('Observation', x);
  const terms = b.finish();
  // the layout each value keyed on its own gives: keys numbered as first met in the batch,
  // postings per resource and field in the order their keys are first met, keyed if any form is
  const keyIds = new Map<string, number>();
  const want: string[] = [];
  const got: string[] = [];
  docs.forEach((x, r) => {
    for (const f of fields) {
      const inField = new Map<string, number>();
      const rows: Array<[string, boolean]> = [];
      for (const v of x[f]) {
        if (typeof v !== 'string') continue;
        const key = f.startsWith('gx-') ? v : reference(v);
        const name = `${f}=${key}`;
        if (!keyIds.has(name)) keyIds.set(name, keyIds.size);
        const at = inField.get(name);
        if (at === undefined) {
          inField.set(name, rows.length);
          rows.push([name, key !== v]);
        } else rows[at][1] ||= key !== v;
      }
      for (const [name, keyed] of rows) want.push(`${r} ${name}#${keyIds.get(name)}${keyed ? ' keyed' : ''}`);
    }
    for (let p = terms.res[4 * r]; p < terms.res[4 * r + 1]; p++) {
      const k = terms.post[2 * p];
      const m = KEY * k;
      got.push(`${r} ${terms.strings[terms.key[m + 2]]}=${keyString(terms.words, terms.key[m + 3], terms.key[m + 4])}#${k}${terms.post[2 * p + 1] ? ' keyed' : ''}`);
    }
  });
  t.ok(want.length > 1000, `${want.length} postings`);
  t.same(got, want);
  t.equal(terms.key.length / KEY, keyIds.size, 'the same keys, in the same order');
});
