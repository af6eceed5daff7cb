import t from 'tap';
import type { OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { fhirError } from '../../src/fhir/errors.js';
import { testApp } from '../fhir/helpers.js';
import { readAll } from './helpers.js';

/**
 * `$import-vcf` with `batch-size` over HTTP (the CLI's version: batched-cli.test.ts): when a
 * transaction fails after some batches committed, those batches stay, and the error answer says
 * how many resources stay and that sending the same import again completes it, rather than
 * reading as "nothing was stored". A 5xx still shows no internals.
 */
const HEAD = '##fileformat=VCFv4.2\n##reference=GRCh38\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n';
const rows = (n: number) => Array.from({ length: n }, (_, i) => `chr2\t${1000 + i * 10}\t.\tA\tG\t50\tPASS\t.\tGT\t0/1`).join('\n') + '\n';
const VCF = HEAD + rows(30);

/** Makes the store's `failing`-th transaction from now fail with `error` (the earlier ones commit); returns the undo. */
function failTransaction(app: FastifyInstance, failing: number, error: () => Error): () => void {
  const own = app.store.transaction;
  const original = own.bind(app.store);
  let calls = 0;
  app.store.transaction = ((...args: unknown[]) => {
    if (++calls === failing) return Promise.reject(error());
    return (original as (...a: unknown[]) => unknown)(...args);
  }) as typeof app.store.transaction;
  return () => { app.store.transaction = own; };
}

async function kept(app: FastifyInstance, patient: string): Promise<number> {
  const mine = (r: Resource) => (r as { subject?: { reference?: string } }).subject?.reference === `Patient/${patient}`;
  let n = 0;
  for (const type of ['Observation', 'Procedure', 'DiagnosticReport']) n += (await readAll(app.store, type)).filter(mine).length;
  return n;
}

const post = (app: FastifyInstance, patient: string) =>
  app.inject({ method: 'POST', url: `/fhir/$import-vcf?patient=${patient}&batch-size=7`, headers: { 'content-type': 'text/plain' }, payload: VCF });

t.test('a batch that fails with a server error after two committed: 500, no internals, and how many resources stay', async (t) => {
  const app = await testApp(t);
  failTransaction(app, 3, () => new Error('EIO: write failed at /var/secret/journal'));
  const res = await post(app, 'p1');
  t.equal(res.statusCode, 500, res.body);
  const outcome = res.json() as OperationOutcome;
  t.equal(outcome.resourceType, 'OperationOutcome');
  t.notMatch(res.body, /EIO|secret|journal/, 'the internal message stays in the log');
  t.ok(outcome.issue?.some((i) => i.severity === 'error'), 'the failure is an error issue');
  const info = outcome.issue?.find((i) => i.severity === 'information');
  t.match(info?.diagnostics, /^14 resources of the batches before the failure were stored and stay; sending the same import again completes it/);
  t.equal(await kept(app, 'p1'), 14, 'what the answer says is what the store holds');
  t.equal((await readAll(app.store, 'DiagnosticReport')).length, 0, 'the report comes last: not written');
});

t.test('a batch that fails with a FHIR error after one committed: its status, and how many resources stay', async (t) => {
  const app = await testApp(t);
  const restore = failTransaction(app, 2, () => fhirError('UNAVAILABLE', 'The store is not available'));
  const res = await post(app, 'p2');
  t.equal(res.statusCode, 503, res.body);
  const issues = (res.json() as OperationOutcome).issue ?? [];
  t.match(issues[0], { severity: 'error', diagnostics: 'The store is not available' });
  t.match(issues.find((i) => i.severity === 'information')?.diagnostics, /^7 resources of the batches before the failure were stored and stay/);
  t.equal(await kept(app, 'p2'), 7);

  // sending the same import again completes it, without duplicates
  restore();
  const again = await post(app, 'p2');
  t.equal(again.statusCode, 200, again.body.slice(0, 300));
  t.equal(await kept(app, 'p2'), 33, '30 variants + analysis + study + report, once each');
});

t.test('a failure before any batch committed adds no such issue', async (t) => {
  const app = await testApp(t);
  failTransaction(app, 1, () => fhirError('UNAVAILABLE', 'The store is not available'));
  const res = await post(app, 'p3');
  t.equal(res.statusCode, 503);
  t.notOk((res.json() as OperationOutcome).issue?.some((i) => i.severity === 'information'), res.body);
  t.equal(await kept(app, 'p3'), 0);
});
