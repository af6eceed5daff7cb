import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { importVcfBatched } from '../../src/genomics/vcf/import-batched.js';
import { checkVcf, dryRunVcf } from '../../src/genomics/vcf/import.js';
import { EmbeddedStore } from '../../src/storage/embedded/embedded-store.js';
import { fixture, newStore, readAll } from './helpers.js';

const HEAD = '##fileformat=VCFv4.2\n##reference=GRCh38\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n';
const rows = (n: number) => Array.from({ length: n }, (_, i) => `chr2\t${1000 + i * 10}\t.\tA\tG\t50\tPASS\t.\tGT\t0/1`).join('\n') + '\n';

t.test('batched import: several transactions, same result, refusal before any write', async (t) => {
  const store = await newStore();
  t.teardown(() => store.close());
  const text = HEAD + rows(30);
  const s = await importVcfBatched(store, () => Readable.from([text]), { patient: 'p1' }, 7);
  t.equal(s.variants, 30);
  t.equal(s.created, 33, '30 variants + analysis + study + report');
  t.equal((await readAll(store, 'Observation')).length, 30);
  t.equal((await readAll(store, 'DiagnosticReport')).length, 1);
  const again = await importVcfBatched(store, () => Readable.from([text]), { patient: 'p1' }, 7);
  t.equal(again.unchanged, 33, 'idempotent');

  const bad = HEAD + rows(5) + 'chr2\t9999\t.\tA\tG\t50\tPASS\t.\tGT\t0/5\n';
  await t.rejects(importVcfBatched(store, () => Readable.from([bad]), { patient: 'p2' }, 2), /line 9: GT '0\/5'/);
  t.equal((await readAll(store, 'Observation')).filter((o) => (o as { subject?: { reference?: string } }).subject?.reference === 'Patient/p2').length, 0, 'nothing stored');
});

t.test('npm run import-vcf writes into the store at DATA_DIR and prints a summary', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vcf-cli-'));
  const bad = join(dataDir, 'bad.vcf');
  writeFileSync(bad, HEAD + 'chr2\tx\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\n');
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'scripts/import-vcf.ts', ...args], { encoding: 'utf8', env: { ...process.env, DATA_DIR: dataDir, FHIR_FSYNC: 'off' } });
  const ok = run(fixture('vcf_example3.vcf'), '--patient', 'cli1', '--specimen', 'sp1', '--genomic-source', 'somatic');
  t.equal(ok.status, 0, ok.stderr);
  t.match(ok.stdout, /records read\s+13/);
  t.match(ok.stdout, /variants imported\s+7/);
  t.match(ok.stdout, /filtered\s+6/);
  t.match(ok.stderr, /progress: 100%/, 'plain progress line when stderr is not a TTY');
  const refused = run(bad, '--patient', 'cli1');
  t.equal(refused.status, 1);
  t.match(refused.stderr, /nothing was stored.*line 4: POS 'x'/s);
  const usage = run(fixture('vcf_example3.vcf'));
  t.equal(usage.status, 2);
  t.match(usage.stderr, /--patient is required/);
  const twice = run(fixture('vcf_example3.vcf'), '--patient', 'cli1', '--patient', 'cli2');
  t.equal(twice.status, 2, 'a repeated option is a usage error');
  t.match(twice.stderr, /^--patient may be given only once/);
  // an input that cannot be used: one line, no stack trace, exit 2
  for (const flag of ['--studied', '--uncallable', '--annotations']) {
    const missing = run(fixture('vcf_example3.vcf'), '--patient', 'cli1', flag, join(dataDir, 'nope'));
    t.equal(missing.status, 2, `${flag}: ${missing.stderr}`);
    t.match(missing.stderr, new RegExp(`^cannot read ${flag} .*nope: ENOENT[^\n]*\n$`), 'one line');
  }
  const lockedDir = mkdtempSync(join(tmpdir(), 'vcf-cli-locked-'));
  writeFileSync(join(lockedDir, 'LOCK'), String(process.pid)); // this test process: alive
  const locked = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/import-vcf.ts', fixture('vcf_example3.vcf'), '--patient', 'cli1'], {
    encoding: 'utf8', env: { ...process.env, DATA_DIR: lockedDir, FHIR_FSYNC: 'off' },
  });
  t.equal(locked.status, 2, locked.stderr);
  t.match(locked.stderr, /^cannot open the store: The data directory .* is in use by process \d+[^\n]*\n$/, 'one line');

  const store = new EmbeddedStore(dataDir);
  await store.init();
  t.teardown(() => store.close());
  const obs = await readAll(store, 'Observation');
  t.equal(obs.filter((o) => (o as { code?: { coding?: Array<{ code?: string }> } }).code?.coding?.[0]?.code === '69548-6').length, 7);
  t.equal((await readAll(store, 'DiagnosticReport')).length, 1);
});

t.test('the batched pre-pass refuses exactly what mapping refuses, with the same line and reason', async (t) => {
  // each line is malformed in a way only a part of mapping notices (numbers, symbolic alleles)
  const bad = [
    'chr2\t1000\t.\tA\tG\t50\tPASS\t.\tGT:AD\t0/1:5,x',
    'chr2\t1000\t.\tA\tG\t50\tPASS\t.\tGT:AF\t0/1:0.5x',
    'chr2\t1000\t.\tA\t<DEL>\t50\tPASS\tSVTYPE=DEL;END=12x\tGT\t0/1',
    'chr2\t1000\t.\tA\t<DUP>\t50\tPASS\tSVTYPE=DUP\tGT\t0/1',
    'chr2\t1000\t.\tA\t<DEL>\t50\tPASS\tSVTYPE=DEL;END=900\tGT\t0/1',
    'chr2\t1000\t.\tA\tG\t50\tPASS\t.\tGT\t0/7',
    'chr2\t-5\t.\tA\tG\t50\tPASS\t.\tGT\t0/1',
  ];
  // and lines that look odd but import (filtered, no-call: their other fields are not read)
  const fine = ['chr2\t1000\t.\tA\tG\t50\tq10\t.\tGT:AD\t0/1:5,x', 'chr2\t1000\t.\tA\tG\t50\tPASS\t.\tGT:AD\t./.:x'];
  const outcome = (p: Promise<unknown>) => p.then(() => 'ok', (e: Error) => e.message);
  for (const line of [...bad, ...fine]) {
    const text = HEAD + rows(2) + line + '\n';
    const mapped = await outcome(dryRunVcf(Readable.from([text]), { patient: 'p9' }));
    t.equal(await outcome(checkVcf(Readable.from([text]), { patient: 'p9' })), mapped, `${line}: ${mapped}`);
    t.equal(mapped === 'ok', fine.includes(line), 'refused only when malformed');
  }
  const store = await newStore();
  t.teardown(() => store.close());
  await t.rejects(importVcfBatched(store, () => Readable.from([HEAD + rows(5) + bad[0] + '\n']), { patient: 'p9' }, 2), /line 9: .*AD/);
  t.equal((await readAll(store, 'Observation')).length, 0, 'nothing stored');
});

t.test('batched import that fails after some batches: they stay, and onBatchStored counted them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vcf-batches-'));
  const store = new EmbeddedStore(dir, { fsync: false });
  await store.init();
  let stored = 0;
  let batches = 0;
  // the store goes away after the second batch commits: a real failure of the next transaction
  const onBatchStored = (n: number) => {
    stored += n;
    if (++batches === 2) void store.close();
  };
  await t.rejects(importVcfBatched(store, () => Readable.from([HEAD + rows(30)]), { patient: 'p3' }, 7, { onBatchStored }));
  t.equal(batches, 2);
  t.equal(stored, 14, 'two batches of 7');
  const reopened = new EmbeddedStore(dir, { fsync: false });
  await reopened.init();
  t.teardown(() => reopened.close());
  const kept = (await Promise.all(['Observation', 'Procedure', 'DiagnosticReport'].map((ty) => readAll(reopened, ty)))).map((l) => l.length);
  t.equal(kept[0]! + kept[1]! + kept[2]!, 14, 'what the hook counted is what the store holds');
  t.equal(kept[2], 0, 'the GenomicReport comes last: not written');
});
