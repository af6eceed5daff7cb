import t from 'tap';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeLine, frameLine, headerJson } from '../../src/storage/embedded/frame.js';
import { EmbeddedStore } from '../../src/storage/embedded/embedded-store.js';

const dirs: string[] = [];
t.teardown(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const piece = (s: string): [Buffer, number, number] => {
  const b = Buffer.from(`xx${s}`);
  return [b, 2, b.length - 2];
};

t.test('a framed line round-trips bodies and indexes byte for byte', async (t) => {
  const body = '{"resourceType":"Observation","id":"a","note":[{"text":"tab\\tand \\"quotes\\" and Müller"}]}';
  const index = '{"code":["http://loinc.org|1","1"]}';
  const line = frameLine(7, 1234, [{ t: 'Observation', id: 'a', v: 2 }, { t: 'Patient', id: 'p', v: 3, del: true }], [{ body: piece(body), index: piece(index) }, {}]);
  t.equal(line[line.length - 1], 10, 'ends with a newline');
  t.equal(line.indexOf(10), line.length - 1, 'no other newline inside');
  const rec = decodeLine(line, 0, line.length - 1);
  t.equal(rec.seq, 7);
  t.equal(rec.lu, 1234);
  t.equal(rec.ops[0].jb?.toString(), body, 'body bytes');
  t.equal(rec.ops[0].xjb?.toString(), index, 'index bytes');
  t.same(rec.ops[1], { t: 'Patient', id: 'p', v: 3, del: true }, 'a delete has no payload');
});

t.test('a line whose payload does not match its header is refused', async (t) => {
  const line = frameLine(1, 1, [{ t: 'Observation', id: 'a', v: 1 }], [{ body: piece('{"a":1}'), index: piece('{}') }]);
  t.throws(() => decodeLine(line, 0, line.length - 3), /payload length/, 'cut short');
  const longer = Buffer.concat([line.subarray(0, line.length - 1), Buffer.from('zz')]);
  t.throws(() => decodeLine(longer, 0, longer.length), /payload length/, 'extra bytes');
});

t.test('plain JSON lines of earlier releases are still read', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fgs-frame-'));
  dirs.push(dir);
  const legacy = { seq: 1, lu: Date.UTC(2025, 0, 1), ops: [{ t: 'Observation', id: 'old', v: 1, json: '{"resourceType":"Observation","id":"old","status":"final"}', x: { status: ['final'] } }] };
  writeFileSync(join(dir, 'journal-0000000000000001.ndjson'), JSON.stringify(legacy) + '\n');
  const s = new EmbeddedStore(dir);
  await s.init();
  t.equal((await s.read('Observation', 'old'))?.json, legacy.ops[0].json, 'body recovered');
  const found = await s.search({ types: ['Observation'], filter: { 'x.status': 'final' }, limit: 10 });
  t.same(found.docs.map((d) => d.id), ['old'], 'its index is searchable');
  await s.transaction((tx) => tx.put({ resourceType: 'Observation', id: 'new', status: 'final', code: {} }, { status: ['final'] }));
  await s.close();
  const again = new EmbeddedStore(dir);
  await again.init();
  const both = await again.search({ types: ['Observation'], filter: { 'x.status': 'final' }, limit: 10 });
  t.same(both.docs.map((d) => d.id).sort(), ['new', 'old'], 'legacy and framed lines recover together');
  await again.close();
});

t.test('a torn framed tail is cut off, earlier commits survive', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fgs-frame-'));
  dirs.push(dir);
  const s = new EmbeddedStore(dir);
  await s.init();
  await s.transaction((tx) => tx.put({ resourceType: 'Observation', id: 'kept', status: 'final', code: {} }, { status: ['final'] }));
  await s.close();
  const seg = readdirSync(dir).find((n) => n.startsWith('journal-'))!;
  // a header that promises more payload than was written, without its newline
  appendFileSync(join(dir, seg), '{"seq":2,"lu":1,"ops":[{"t":"Observation","id":"torn","v":1,"jn":500,"xn":2}]}\t{"resourceType":"Obs');
  const r = new EmbeddedStore(dir);
  await r.init();
  t.ok(await r.read('Observation', 'kept'), 'the durable commit is there');
  t.notOk(await r.read('Observation', 'torn'), 'the torn one is not');
  await r.close();
});

t.test('the line header is the JSON of its ops, for any type and id text', async (t) => {
  const ids = ['a', 'var-1.2', 'quote"d', 'back\\slash', 'tab\there', 'nul\u0000', 'ünï', '😀', '\ud800lone', 'x'.repeat(64)];
  const ops = ids.map((id, i) => ({ t: i % 2 ? 'Observation' : 'Pat"ient', id, v: i + 1, ...(i % 3 === 2 ? { del: true as const } : {}) }));
  const pieces = ops.map((op, i) => (op.del ? {} : i % 4 === 0 ? { body: piece('{"a":1}') } : { body: piece('{"a":1}'), index: piece('{}') }));
  const expected = JSON.stringify({
    seq: 12, lu: 99,
    ops: ops.map((op, i) => {
      const p = pieces[i] as { body?: [Buffer, number, number]; index?: [Buffer, number, number] };
      if (op.del || !p.body) return { t: op.t, id: op.id, v: op.v, del: true };
      return p.index ? { t: op.t, id: op.id, v: op.v, jn: p.body[2], xn: p.index[2] } : { t: op.t, id: op.id, v: op.v, jn: p.body[2] };
    }),
  });
  t.equal(headerJson(12, 99, ops, pieces), expected);
  const line = frameLine(12, 99, ops, pieces);
  t.same(decodeLine(line, 0, line.length - 1).ops.map((o) => o.id), ids, 'and decodes back');
});

t.test('reading lines in chunks: lines shorter and longer than a chunk, payload views valid afterwards', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fgs-lines-'));
  dirs.push(dir);
  const path = join(dir, 'journal.ndjson');
  const want: string[] = [];
  const lines: Buffer[] = [];
  for (let i = 0; i < 60; i++) {
    // sizes from a few bytes to several chunks of 64 bytes
    const body = JSON.stringify({ resourceType: 'Basic', id: `b${i}`, text: 'x'.repeat((i * 37) % 300) });
    want.push(body);
    lines.push(frameLine(i + 1, 1000 + i, [{ t: 'Basic', id: `b${i}`, v: 1 }], [{ body: piece(body), index: piece('{}') }]));
  }
  writeFileSync(path, Buffer.concat([...lines, Buffer.from('{"seq":61,"lu":1,"ops":[')]));
  const { replayRecordLines } = await import('../../src/storage/embedded/line-file.js');
  const got: Buffer[] = [];
  const seqs: number[] = [];
  const { size, goodBytes } = await replayRecordLines(path, (rec) => {
    seqs.push(rec.seq);
    got.push(rec.ops[0].jb!);
  }, 64);
  t.same(seqs, want.map((_b, i) => i + 1), 'every whole line, in order');
  t.same(got.map((b) => b.toString('utf8')), want, 'each body intact after the whole file was read');
  t.equal(goodBytes, size - '{"seq":61,"lu":1,"ops":['.length, 'the torn tail is reported, not decoded');
});
