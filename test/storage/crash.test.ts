import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbeddedStore } from '../../src/storage/embedded/embedded-store.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

/** Runs the writer child until `acks` creates were acknowledged, then SIGKILLs it. */
function runAndKill(dir: string, acks: number, compactBytes: number, prefix: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'crash-writer.ts'), dir, String(compactBytes), prefix], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: string[] = [];
    let buf = '';
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('ack ')) acked.push(line.slice(4));
      }
      if (!killed && acked.length >= acks) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`writer exited with ${code}: ${stderr}`));
    });
  });
}

t.test('kill -9 during a stream of concurrent creates loses no acknowledged create', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fgs-crash-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // A small compaction threshold makes the child compact (snapshot + segment switch) while it is killed.
  const first = await runAndKill(dir, 1500, 64 * 1024, 'a');
  t.ok(first.length >= 1500, `${first.length} creates acknowledged before SIGKILL`);
  t.ok(readdirSync(dir).includes('snapshot.ndjson'), 'the child compacted at run time before it was killed');
  const second = await runAndKill(dir, 500, 64 * 1024, 'b'); // recovery, more writes, killed again
  const s = new EmbeddedStore(dir);
  await s.init();
  let missing = 0;
  for (const id of [...first, ...second]) if (!(await s.read('Observation', id))) missing++;
  t.equal(missing, 0, `every acknowledged create is readable after restart (${first.length + second.length} checked)`);
  const all = await s.search({ types: ['Observation'], filter: {}, limit: 0, count: true });
  t.ok(all.total! >= first.length + second.length, 'the store holds at least the acknowledged creates');
  const v = await s.read('Observation', first[0]);
  t.equal(JSON.parse(v!.json!).meta.versionId, '1', 'recovered bodies are intact');
  await s.close();
});
