import t from 'tap';
import { appendFileSync, copyFileSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FhirError } from '../../src/fhir/errors.js';
import { EmbeddedStore, type EmbeddedStoreOptions } from '../../src/storage/embedded/embedded-store.js';

const dirs: string[] = [];
t.teardown(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'fgs-dur-'));
  dirs.push(d);
  return d;
};
const open = async (dir: string, opts: EmbeddedStoreOptions = {}) => {
  const s = new EmbeddedStore(dir, opts);
  await s.init();
  return s;
};
const create = (s: EmbeddedStore, id: string, code = 'c') =>
  s.transaction((tx) => tx.put({ resourceType: 'Observation', id, status: 'final', code: {} }, { code: [code] }));
const segments = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('journal'));

t.test('group commit: concurrent writers share fsync rounds', async (t) => {
  const rounds: number[] = [];
  const s = await open(tempDir(), { onFsync: (n) => rounds.push(n) });
  const N = 64;
  await Promise.all(Array.from({ length: N }, (_, i) => create(s, `g${i}`)));
  t.equal(rounds.reduce((a, b) => a + b, 0), N, 'every commit was fsynced');
  t.ok(rounds.length <= 3, `${N} concurrent commits took ${rounds.length} fsync rounds (at most 3)`);
  rounds.length = 0;
  // 16 closed-loop writers (each waits for its ack before its next commit), 10 commits each.
  await Promise.all(Array.from({ length: 16 }, async (_, w) => {
    for (let i = 0; i < 10; i++) await create(s, `loop${w}-${i}`);
  }));
  t.ok(rounds.length <= 12, `160 closed-loop commits took ${rounds.length} fsync rounds: every round carries (almost) every writer`);
  rounds.length = 0;
  for (let i = 0; i < 5; i++) await create(s, `seq${i}`);
  t.same(rounds, [1, 1, 1, 1, 1], 'a lone writer gets its own fsync per commit');
  rounds.length = 0;
  await s.transaction(async (tx) => tx.read('Observation', 'g1'));
  t.same(rounds, [], 'a read-only transaction with nothing pending costs no fsync');
  await s.close();
});

t.test('torn journal tail: cut off on reopen, earlier data intact', async (t) => {
  const dir = tempDir();
  const s1 = await open(dir);
  for (let i = 0; i < 5; i++) await create(s1, `t${i}`);
  await s1.close();
  const [seg] = segments(dir);
  const path = join(dir, seg);
  const goodSize = statSync(path).size;
  appendFileSync(path, '{"seq":6,"lu":1,"ops":[{"t":"Observation","id":"torn","v":1,"js');
  const s2 = await open(dir);
  t.equal(statSync(path).size, goodSize, 'a half line is truncated');
  t.equal((await s2.search({ types: ['Observation'], filter: {}, limit: 100, count: true })).total, 5, 'all complete records recovered');
  t.equal(await s2.read('Observation', 'torn'), undefined);
  await create(s2, 'after');
  await s2.close();
  appendFileSync(path, 'garbage that is not json\n{"seq":99}\n');
  const s3 = await open(dir);
  t.ok(await s3.read('Observation', 'after'), 'a write after the repair survives');
  t.equal((await s3.history({ limit: 100 })).total, 6, 'garbage lines are cut off');
  await s3.close();
});

t.test('runtime compaction: snapshot + journal tail recover everything', async (t) => {
  const dir = tempDir();
  const s1 = await open(dir, { compactBytes: 2048 });
  for (let i = 0; i < 60; i++) await create(s1, `k${i % 20}`, `code${i}`);
  await s1.transaction((tx) => tx.delete('Observation', 'k3'));
  const stats = s1.stats();
  t.ok(stats.compactions >= 2, `compacted at run time (${stats.compactions} times)`);
  t.ok(readdirSync(dir).includes('snapshot.ndjson'), 'a snapshot exists');
  t.ok(segments(dir).length <= 2, 'old journal segments are deleted');
  await s1.close();
  const s2 = await open(dir);
  t.equal((await s2.read('Observation', 'k5'))?.versionId, 3, 'current versions recovered');
  t.equal((await s2.read('Observation', 'k3'))?.deleted, true, 'tombstones recovered');
  t.equal((await s2.history({ limit: 1000 })).total, 61, 'every version recovered');
  const found = await s2.search({ types: ['Observation'], filter: { 'x.code': 'code45' }, limit: 10 });
  t.same(found.records.map((r) => r.id), ['k5'], 'search index of the current versions recovered');
  t.equal((await s2.search({ types: ['Observation'], filter: { 'x.code': 'code5' }, limit: 10 })).records.length, 0, 'superseded index values are gone');
  await s2.close();
});

t.test('a crash between snapshot and segment deletion replays nothing twice', async (t) => {
  const dir = tempDir();
  const s1 = await open(dir);
  for (let i = 0; i < 10; i++) await create(s1, `d${i}`);
  await s1.close();
  const [seg] = segments(dir);
  copyFileSync(join(dir, seg), join(dir, 'saved'));
  const s2 = await open(dir, { compactBytes: 1 });
  await create(s2, 'd0');
  await s2.close();
  t.notOk(segments(dir).includes(seg), 'the old segment was compacted away');
  copyFileSync(join(dir, 'saved'), join(dir, seg)); // as if the unlink never reached the disk
  writeFileSync(join(dir, 'snapshot.ndjson.tmp'), '{"half'); // and a compaction was cut short
  const s3 = await open(dir);
  t.equal((await s3.history({ limit: 100 })).total, 11, 'no version is applied twice');
  t.equal((await s3.read('Observation', 'd0'))?.versionId, 2);
  t.notOk(readdirSync(dir).includes('snapshot.ndjson.tmp'), 'a leftover temporary snapshot is removed');
  await s3.close();
});

t.test('reads wait for the durability of what they saw', async (t) => {
  const s = await open(tempDir());
  const write = create(s, 'w1');
  const read = s.transaction((tx) => tx.read('Observation', 'w1'));
  const order: string[] = [];
  await Promise.all([write.then(() => order.push('write')), read.then((r) => order.push(r ? 'read-found' : 'read-missing'))]);
  t.same(order, ['write', 'read-found'], 'a transaction that read an in-flight write is answered after that write is durable');
  await s.close();
});

t.test('a journal that cannot be written: no acknowledgement, then fail-stop', async (t) => {
  const dir = tempDir();
  // A real ENOSPC: the journal segment is /dev/full, where every write fails with "no space left".
  symlinkSync('/dev/full', join(dir, 'journal-0000000000000001.ndjson'));
  const s = await open(dir);
  try {
    await create(s, 'lost');
    t.fail('the write must not be acknowledged');
  } catch (e) {
    t.equal((e as FhirError).status, 503, 'the writer gets 503');
  }
  t.equal(await s.ping(), false, 'the store reports not ready');
  const status = (p: Promise<unknown>) => p.then(() => 200, (e: FhirError) => e.status);
  t.equal(await status(s.read('Observation', 'lost')), 503, 'reads refuse to answer from memory the disk does not hold');
  t.equal(await status(create(s, 'next')), 503, 'later writes are refused at once');
  await s.close();
});

t.test('replayBytes: what opening the directory replays (the server announces large ones)', async (t) => {
  const dir = tempDir();
  const fresh = new EmbeddedStore(join(dir, 'not-yet'));
  t.equal(fresh.replayBytes(), 0, 'no directory: nothing to replay');
  const s = await open(dir, { fsync: false });
  await create(s, 'r0');
  const one = s.replayBytes();
  t.ok(one > 0, 'a committed write is counted');
  for (let i = 1; i < 20; i++) await create(s, `r${i}`);
  const twenty = s.replayBytes();
  t.ok(twenty > 10 * one, `twenty writes count about twenty times one (${one} -> ${twenty} bytes)`);
  await s.close();
  const closed = new EmbeddedStore(dir).replayBytes();
  t.ok(closed >= twenty * 0.5, 'after close, the snapshot and journal still count');
  writeFileSync(join(dir, 'notes.txt'), 'x'.repeat(100_000));
  t.equal(new EmbeddedStore(dir).replayBytes(), closed, 'other files in the directory are not counted');
});
