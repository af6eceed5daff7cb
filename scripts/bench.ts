/**
 * `npm run bench`: runs every benchmark module under scripts/bench/ in turn (or those named on the
 * command line, e.g. `npm run bench -- rest search`) and prints one report. Each module measures
 * its subject and a baseline in the same run and reports ratios, because this shared 2-core
 * machine is too noisy for absolute targets.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchLine {
  name: string;
  value: number;
  unit: string;
  /** Ratio against the baseline measured in the same run, when there is one. */
  ratio?: number;
  baseline?: string;
  target?: string;
}

export interface BenchModule {
  title: string;
  run(): Promise<BenchLine[]>;
}

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(join(here, 'bench')).filter((f) => f.endsWith('.ts') && !f.startsWith('_')).sort();
let failures = 0;
// The search and operations modules share one seeded data set per run (bench/_dataset.ts).
const datasetDir = process.env.BENCH_DATASET_DIR ? undefined : mkdtempSync(join(tmpdir(), 'fgs-bench-data-'));
if (datasetDir) process.env.BENCH_DATASET_DIR = datasetDir;
for (const f of files) {
  const name = f.replace(/\.ts$/, '');
  if (wanted.length && !wanted.includes(name)) continue;
  const mod = (await import(join(here, 'bench', f))).default as BenchModule;
  console.log(`\n== ${mod.title} (${name})`);
  try {
    for (const l of await mod.run()) {
      const ratio = l.ratio === undefined ? '' : `  ratio ${l.ratio.toFixed(2)}x vs ${l.baseline}`;
      const target = l.target ? `  [target ${l.target}]` : '';
      console.log(`  ${l.name.padEnd(48)} ${l.value.toFixed(2).padStart(12)} ${l.unit}${ratio}${target}`);
    }
  } catch (err) {
    failures++;
    console.log(`  FAILED: ${(err as Error).stack}`);
  }
}
if (datasetDir) rmSync(datasetDir, { recursive: true, force: true });
process.exit(failures ? 1 : 0);
