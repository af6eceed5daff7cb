import t from 'tap';
import { progressReporter, type ProgressOut } from '../../src/genomics/vcf/progress-text.js';

function out(isTTY: boolean, columns?: number): ProgressOut & { text: string } {
  return { isTTY, columns, text: '', write(s: string) { this.text += s; } };
}
const clock = () => {
  let ms = 0;
  return { now: () => ms, advance: (d: number) => { ms += d; } };
};

t.test('on a terminal: each redraw fits the width (a wrapped line leaves a row behind per redraw), 100% once', async (t) => {
  for (const columns of [80, 40, 20, undefined]) {
    const o = out(true, columns);
    const c = clock();
    const p = progressReporter(o, 1000, c.now);
    for (let i = 1; i <= 12; i++) {
      c.advance(1000);
      // the reader runs ahead: every byte is read before the last records are counted
      p.update({ bytesRead: Math.min(1000, i * 150), records: i * 1_000_000, variants: i * 300_000 });
    }
    p.finish({ records: 12_345_678, variants: 3_456_789 });
    t.ok(o.text.endsWith('\x1b[K\n'), 'the finished bar ends its line');
    const draws = o.text.slice(0, -1).split('\r').slice(1).map((d) => d.replace('\x1b[K', ''));
    t.equal(draws.length, 13);
    for (const d of draws) t.ok(d.length < (columns ?? 80), `${d.length} < ${columns}: ${d}`);
    t.equal(draws.filter((d) => /\b100%/.test(d)).length, 1, `100% once (columns ${columns})`);
    t.match(draws.at(-1), /100%/);
    t.ok(draws.slice(0, -1).every((d) => /\b99%|\b\d{1,2}%/.test(d)), 'at most 99% before it is stored');
    if (columns === 80) t.match(draws.at(-1), /^\[#{10,}\] 100% 12,345,678 records/, 'a full bar when there is room');
  }
});

t.test('not a terminal: plain lines, at most one per 5 s, the first at once, 100% once at the end', async (t) => {
  const o = out(false);
  const c = clock();
  const p = progressReporter(o, 2000, c.now);
  p.update({ bytesRead: 100, records: 5000, variants: 10 });
  c.advance(1000);
  p.update({ bytesRead: 1999, records: 10000, variants: 20 }); // within 5 s: not printed
  c.advance(5000);
  p.update({ bytesRead: 2000, records: 15000, variants: 30 });
  p.update({ bytesRead: 2000, records: 20000, variants: 40 });
  p.finish({ records: 21000, variants: 42 });
  p.finish({ records: 21000, variants: 42 });
  t.equal(o.text, [
    'progress: 5% 5,000 records, 10 variants, 0 records/s',
    'progress: 99% 15,000 records, 30 variants, 2,500 records/s',
    'progress: 100% 21,000 records, 42 variants, 3,500 records/s',
    '',
  ].join('\n'));
});

t.test('a failed import ends the bar line and prints no 100%; a retried read does not move the bar back', async (t) => {
  const o = out(true, 80);
  const p = progressReporter(o, 1000, () => 0);
  p.update({ bytesRead: 600, records: 10, variants: 1 });
  p.update({ bytesRead: 100, records: 2, variants: 0 });
  p.abort();
  p.finish({ records: 10, variants: 1 });
  t.match(o.text, / 60% 10 records.* 60% 2 records/s);
  t.notMatch(o.text, /100%/);
  t.ok(o.text.endsWith('\n'));
  const quiet = out(false);
  progressReporter(quiet, 0, () => 0).abort();
  t.equal(quiet.text, '', 'nothing drawn, nothing to end');
});
