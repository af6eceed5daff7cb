import t from 'tap';
import { MONGODB_DEFAULT_REPORT_RESULTS, withReportLimit } from '../../src/genomics/vcf/report-limit.js';

/**
 * A GenomicReport is one stored document; on MongoDB that is at most 16 MiB, which a report listing
 * the default 100,000 results overflows (~18.5 MB, measured by the MongoDB review): the write would
 * fail at the very end of the import. Pure rule, so it is tested without a server.
 */
t.test('a report lists fewer results by default on MongoDB, and a too-large limit is refused there', async (t) => {
  const opts = { patient: 'p1' };
  t.same(withReportLimit({ kind: 'embedded' }, opts), opts, 'the embedded store keeps the default');
  t.equal(withReportLimit({ kind: 'embedded' }, { ...opts, maxReportResults: 500_000 }).maxReportResults, 500_000);
  t.equal(withReportLimit({ kind: 'mongodb' }, opts).maxReportResults, MONGODB_DEFAULT_REPORT_RESULTS);
  t.equal(withReportLimit({ kind: 'mongodb' }, { ...opts, maxReportResults: 10 }).maxReportResults, 10, 'a smaller limit stands');
  let refused: unknown;
  try {
    withReportLimit({ kind: 'mongodb' }, { ...opts, maxReportResults: 100_000 });
  } catch (e) {
    refused = e;
  }
  t.match(refused, { status: 400, message: /at most 80,000/ }, 'more than MongoDB can hold is refused before anything is read');
});
