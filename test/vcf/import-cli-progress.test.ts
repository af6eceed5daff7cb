import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from './helpers.js';

/**
 * `npm run import-vcf` as an adopter runs it with its output captured (a log, a CI job): stderr is
 * a pipe, not a TTY. Both fixtures have more records than the CLI's progress interval, so progress
 * is reported several times while the input is read ahead of the records counted.
 */
function run(file: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'vcf-progress-'));
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/import-vcf.ts', fixture(file), '--patient', 'prog1'], {
    encoding: 'utf8', env: { ...process.env, DATA_DIR: dataDir, FHIR_FSYNC: 'off' },
  });
}

for (const file of ['HG00404_b37.vcf', 'HG00403A.vcf.gz']) {
  t.test(`${file}: progress reaches 100% once, as plain lines, when stderr is not a TTY`, async (t) => {
    const r = run(file);
    t.equal(r.status, 0, r.stderr);
    t.notMatch(r.stderr, /\r|\x1b\[/, 'no carriage returns or terminal escapes in a log');
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    t.ok(lines.length > 0, 'some progress is printed');
    for (const l of lines) t.match(l, /^progress: \d+% /, `a progress line: ${l}`);
    const full = lines.filter((l) => l.startsWith('progress: 100%'));
    t.equal(full.length, 1, `100% once:\n${r.stderr}`);
    t.equal(lines.at(-1), full[0], '100% is the last line');
    const records = Number(/records read\s+([\d,]+)/.exec(r.stdout)?.[1].replaceAll(',', ''));
    t.match(full[0], new RegExp(`^progress: 100% ${records.toLocaleString('en-US')} records,`), '100% counts every record');
    const pcts = lines.map((l) => Number(/^progress: (\d+)%/.exec(l)![1]));
    t.same(pcts, [...pcts].sort((a, b) => a - b), 'never goes backwards');
  });
}
