/**
 * `npm run import-vcf -- FILE --patient ID [options]`: imports a VCF (plain or bgzip) straight into
 * the store at DATA_DIR (embedded) or MONGODB_URL — it opens the store itself, not over HTTP, so
 * do not run it against the DATA_DIR of a running server (use `POST /fhir/$import-vcf` instead).
 * The whole import is one transaction: on any error nothing is stored (with --batch-size: several,
 * see src/genomics/vcf/import-batched.ts).
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigOr } from '../src/config.js';
import { FhirError } from '../src/fhir/errors.js';
import { parseBuild } from '../src/genomics/assemblies.js';
import { importVcf } from '../src/genomics/vcf/import.js';
import { importVcfBatched } from '../src/genomics/vcf/import-batched.js';
import { badIdOption } from '../src/genomics/vcf/map-vcf.js';
import { formatSummary } from '../src/genomics/vcf/summary-text.js';
import { progressReporter } from '../src/genomics/vcf/progress-text.js';
import type { VcfImportOptions } from '../src/genomics/vcf/types.js';
import { createStore } from '../src/storage/create-store.js';
import { indexVersion } from '../src/search/index-version.js';

const USAGE = `usage: npm run import-vcf -- FILE --patient ID [--build GRCh37|GRCh38] [--sample NAME]
  [--specimen ID] [--studied BED] [--uncallable BED] [--annotations TSV]
  [--genomic-source germline|somatic] [--include-filtered] [--allow-errors] [--json]
  [--max-report-results N]   Observations listed in the report (default 100000)
  [--batch-size N]   several transactions of N resources (for call sets too large for one; see README)`;

function fail(msg: string, code = 2, usage = code === 2): never {
  process.stderr.write(`${msg}\n${usage ? USAGE + '\n' : ''}`);
  process.exit(code);
}

/** An input the command line names that cannot be used: one line (no stack, no usage), exit 2. */
function inputError(msg: string): never {
  fail(msg, 2, false);
}

let args;
try {
  args = parseArgs({
    allowPositionals: true,
    tokens: true,
    options: {
      patient: { type: 'string' }, build: { type: 'string' }, sample: { type: 'string' }, specimen: { type: 'string' },
      studied: { type: 'string' }, uncallable: { type: 'string' }, annotations: { type: 'string' },
      'genomic-source': { type: 'string' }, 'include-filtered': { type: 'boolean' }, 'allow-errors': { type: 'boolean' },
      json: { type: 'boolean' }, 'batch-size': { type: 'string' }, 'max-report-results': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
} catch (e) {
  // parseArgs' own text for an unknown option advises a `--` before positionals, which npm's `--` makes confusing
  const m = /^Unknown option '([^']+)'/.exec((e as Error).message);
  fail(m ? `unknown option '${m[1]}'` : (e as Error).message);
}
const { values: v, positionals, tokens } = args;
// parseArgs keeps the last of a repeated option: `--patient a --patient b` would import for b alone.
const seen = new Set<string>();
for (const tk of tokens) {
  if (tk.kind !== 'option') continue;
  if (seen.has(tk.name)) fail(`--${tk.name} may be given only once`);
  seen.add(tk.name);
}
if (v.help) {
  process.stdout.write(USAGE + '\n');
  process.exit(0);
}
const file = positionals[0];
if (!file || positionals.length > 1) fail('exactly one VCF file is required');
if (!v.patient) fail('--patient is required');
const build = v.build === undefined ? undefined : parseBuild(v.build);
if (v.build !== undefined && !build) fail(`--build must be GRCh37 or GRCh38, got '${v.build}'`);
const source = v['genomic-source'];
if (source !== undefined && source !== 'germline' && source !== 'somatic') fail(`--genomic-source must be germline or somatic, got '${source}'`);
const batchSize = v['batch-size'] === undefined ? undefined : Number(v['batch-size']);
if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0)) fail(`--batch-size must be a positive integer, got '${v['batch-size']}'`);
const maxReport = v['max-report-results'] === undefined ? undefined : Number(v['max-report-results']);
if (maxReport !== undefined && !(Number.isInteger(maxReport) && maxReport >= 0)) fail(`--max-report-results must be a non-negative integer, got '${v['max-report-results']}'`);
// before the store is opened: a bad id is a bad option (exit 2), not an import refused
const badId = badIdOption({ patient: v.patient, specimen: v.specimen });
if (badId) inputError(`--${badId} '${v[badId]}' is not a valid FHIR id (letters, digits, '-' and '.', at most 64)`);
function readText(flag: string, p: string | undefined): { name: string; text: string } | undefined {
  if (p === undefined) return undefined;
  try {
    return { name: basename(p), text: readFileSync(p, 'utf8') };
  } catch (e) {
    inputError(`cannot read ${flag} ${p}: ${(e as Error).message}`);
  }
}

let size = 0;
try {
  const st = statSync(file);
  // a pipe (`<(zcat x.vcf.gz)`) is a file to read; a directory would fail later with EISDIR and a stack
  if (st.isDirectory()) inputError(`cannot read ${file}: it is a directory`);
  size = st.size;
} catch (e) {
  inputError(`cannot read ${file}: ${(e as Error).message}`);
}
const opts: VcfImportOptions = {
  patient: v.patient, build, sample: v.sample, specimen: v.specimen,
  studiedBed: readText('--studied', v.studied), uncallableBed: readText('--uncallable', v.uncallable), annotations: readText('--annotations', v.annotations)?.text,
  maxReportResults: maxReport, genomicSource: source, includeFiltered: v['include-filtered'], allowErrors: v['allow-errors'], sourceName: basename(file),
};

// on stderr, so that stdout holds the summary alone (--json > summary.json)
const progress = progressReporter(process.stderr, size);
const started = Date.now();

// a bad server setting (FHIR_MAX_COUNT=1k) is an input error too: one line naming it
const config = loadConfigOr(inputError);
let store: Awaited<ReturnType<typeof createStore>>;
try {
  store = await createStore(config);
  await store.init();
  // a new store filled by this command holds indexes of this code: record it (no false start-up warning)
  await store.indexVersion(indexVersion());
} catch (e) {
  // e.g. the data directory is locked by a running server: its message says what to do
  inputError(`cannot open the store: ${(e as Error).message}`);
}
let exitCode = 0;
// resources that --batch-size batches committed before a failure: they stay
let stored = 0;
try {
  const hooks = { onProgress: progress.update, progressEvery: 5000, onBatchStored: (n: number) => { stored += n; } };
  const summary = batchSize
    ? await importVcfBatched(store, () => createReadStream(file), opts, batchSize, hooks)
    : await importVcf(store, () => createReadStream(file), opts, hooks);
  progress.finish(summary);
  const where = store.kind === 'embedded' ? `embedded store at ${config.dataDir}` : `MongoDB ${config.mongodbDb}`;
  process.stdout.write(v.json ? JSON.stringify(summary, null, 2) + '\n' : formatSummary(summary, (Date.now() - started) / 1000, where));
} catch (e) {
  progress.abort();
  exitCode = 1;
  const what = stored
    ? `${stored} resources of the batches before the failure were stored and stay (running the same command again completes the import, without duplicates)`
    : 'nothing was stored';
  if (e instanceof FhirError) {
    process.stderr.write(`import ${stored ? 'failed' : 'refused'}, ${what}: ${e.message}\n`);
    // one issue that is the message: said once
    const issues = e.issues.length === 1 && e.issues[0].diagnostics === e.message ? [] : e.issues;
    for (const i of issues.slice(0, 20)) process.stderr.write(`  - ${i.severity}: ${i.diagnostics ?? i.code}${i.expression ? ` [${i.expression.join(', ')}]` : ''}\n`);
  } else {
    process.stderr.write(`import failed, ${what}: ${(e as Error).stack}\n`);
  }
} finally {
  await store.close();
}
process.exit(exitCode);
