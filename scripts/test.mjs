#!/usr/bin/env node
// Runs the tap suite, then prints the closing line CI reads: "N passed, N failed, N skipped",
// counted from tap's saved TAP results (.tap/test-results), summed over every test file.
// Skips are counted and listed by reason so that a skipped suite is never hidden in a green run.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const resultsDir = '.tap/test-results';
rmSync(resultsDir, { recursive: true, force: true });
const args = process.argv.slice(2);
const run = spawnSync('npx', ['tap', ...args], { stdio: 'inherit' });

function walk(dir) {
  let files = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files = files.concat(walk(p));
    else if (p.endsWith('.tap')) files.push(p);
  }
  return files;
}

let passed = 0, failed = 0, skipped = 0;
const skipReasons = [];
let files = [];
try { files = walk(resultsDir); } catch { /* no results: counted as a failure below */ }
for (const f of files) {
  // Leaf assertions only: a point whose previous line is more indented closes a subtest block and
  // is that subtest's summary, not a test of its own. Skipped subtests have no block: they count.
  const lines = readFileSync(f, 'utf8').split('\n');
  let prevIndent = 0;
  for (const line of lines) {
    if (!line.trim()) continue;
    const indent = line.length - line.trimStart().length;
    const m = /^(not )?ok \d+(?: - ([^#]*))?(?:#\s*(SKIP|TODO)\S*\s*(.*))?/i.exec(line.trimStart());
    if (m && !(prevIndent > indent && !m[3])) {
      if (m[3]?.toUpperCase() === 'SKIP') {
        skipped++;
        skipReasons.push(`${f.slice(resultsDir.length + 1)}: ${(m[2] ?? '').trim()} (${m[4] || 'skipped'})`);
      } else if (m[3]) skipped++;
      else if (m[1]) failed++;
      else passed++;
    }
    prevIndent = indent;
  }
}
if (files.length === 0) failed++;
if (run.status !== 0 && failed === 0) failed++; // tap failed for a reason outside the asserts (timeout, crash, coverage)
if (skipReasons.length) {
  console.log('\nSkipped:');
  for (const r of skipReasons) console.log(`  - ${r}`);
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(run.status ?? 1);
