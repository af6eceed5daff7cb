import t from 'tap';
import type { DiagnosticReport, Patient } from '@medplum/fhirtypes';
import { bodyString, indexJsonOf, PackedBatchWriter } from '../../src/storage/embedded/packed-batch.js';
import { storedJson } from '../../src/storage/stored-json.js';
import { indexResource, RELATIVE_REFS_ONLY } from '../../src/search/search-service.js';

/**
 * A large resource (a VCF import's GenomicReport lists up to 100,000 results) is packed into a
 * buffer grown once to its exact size, not to 3 bytes a code unit and then copied again at
 * `finish`: the same bytes, less memory at the import's end.
 */
const report = (n: number, id: string): DiagnosticReport & { id: string } => ({
  resourceType: 'DiagnosticReport', id, status: 'final', code: { text: 'Genetic analysis report' },
  subject: { reference: 'Patient/p1' },
  // multi-byte UTF-8 among them, so a byte count from code units would be wrong
  result: Array.from({ length: n }, (_, i) => ({ reference: `Observation/vcfobs-${i.toString(16).padStart(32, '0')}`, display: i % 7 ? 'x' : 'Nguyễn 李 😀' })),
});
const small: Patient & { id: string } = { resourceType: 'Patient', id: 'p1', name: [{ family: 'Zed' }] };
const LU = JSON.stringify('2026-12-03T00:00:00.000Z');

t.test('a large resource: the same body and index, packed without spare room or a copy', async (t) => {
  for (const order of ['small first', 'large first', 'large alone']) {
    const big = report(20_000, `r-${order.replace(' ', '-')}`);
    const rs: Array<(DiagnosticReport | Patient) & { id: string }> = order === 'small first' ? [small, big] : order === 'large first' ? [big, small] : [big];
    const w = new PackedBatchWriter();
    for (const r of rs) {
      const x = indexResource(r, RELATIVE_REFS_ONLY);
      w.add(r, x, JSON.stringify(x));
    }
    const grown = w['bytes'];
    const batch = w.finish();
    rs.forEach((r, i) => {
      t.equal(bodyString({ batch, i }, 1, LU), storedJson(r, 1, JSON.parse(LU) as string), `${order}: body of ${r.id}`);
      t.equal(indexJsonOf({ batch, i }), JSON.stringify(indexResource(r, RELATIVE_REFS_ONLY)), `${order}: index of ${r.id}`);
    });
    if (order !== 'large first') {
      // the large resource came last: the buffer grew to exactly its bytes and is sent as it is
      t.equal(grown.length, batch.bytes.byteLength, `${order}: no spare room`);
      t.equal(batch.bytes.buffer, grown.buffer, `${order}: not copied`);
    }
  }
});
