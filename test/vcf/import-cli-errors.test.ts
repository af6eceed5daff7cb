import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from './helpers.js';

/**
 * What an adopter meets when a command line is wrong (README "VCF import": exit 2 for a usage or
 * input error, each told in one line; 1 for an import refused). Each refusal here comes before
 * the store is opened, so the data directory stays empty.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'vcf-cli-errors-'));
const runIn = (dir: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'scripts/import-vcf.ts', ...args], { encoding: 'utf8', env: { ...process.env, DATA_DIR: dir, FHIR_FSYNC: 'off' } });
const run = (...args: string[]) => runIn(dataDir, ...args);
const vcf = fixture('vcf_example3.vcf');

t.test('a directory given as the VCF is an input error in one line, not a stack trace', async (t) => {
  const r = run(dataDir, '--patient', 'p1');
  t.equal(r.status, 2, r.stderr);
  t.match(r.stderr, /^cannot read .*: it is a directory\n$/);
});

t.test('a patient or specimen that is not a FHIR id is a bad option (exit 2), refused before the store opens', async (t) => {
  for (const [flag, value] of [['--patient', 'a/b'], ['--specimen', 'x y']]) {
    const r = run(vcf, '--patient', flag === '--patient' ? value : 'p1', ...(flag === '--specimen' ? [flag, value] : []));
    t.equal(r.status, 2, r.stderr);
    t.match(r.stderr, new RegExp(`^${flag} '${value}' is not a valid FHIR id \\(letters, digits, '-' and '\\.', at most 64\\)\n`), 'names the option');
  }
});

t.test("an unknown option is named plainly (not parseArgs' advice about positionals after '--')", async (t) => {
  const r = run(vcf, '--patient', 'p1', '--bogus');
  t.equal(r.status, 2);
  t.match(r.stderr, /^unknown option '--bogus'\nusage: npm run import-vcf/);
  t.notMatch(r.stderr, /positional argument/);
  const m = run(vcf, '--patient', 'p1', '--max-report-results', 'x');
  t.equal(m.status, 2);
  t.match(m.stderr, /^--max-report-results must be a non-negative integer, got 'x'\n/, 'the bad value is shown, as for the other options');
});

t.test('a refusal with one issue says it once', async (t) => {
  // refused by the import itself, in a store of its own
  const r = runIn(mkdtempSync(join(tmpdir(), 'vcf-cli-errors-')), vcf, '--patient', 'p1', '--sample', 'NOPE');
  t.equal(r.status, 1);
  t.equal(r.stderr.match(/is not in the VCF/g)?.length, 1, r.stderr);
  t.match(r.stderr, /^import refused, nothing was stored: Sample 'NOPE' is not in the VCF/m);
});

t.test('the store was not opened (it writes index-version.json and a journal when it is)', async (t) => {
  t.same(readdirSync(dataDir), []);
});
