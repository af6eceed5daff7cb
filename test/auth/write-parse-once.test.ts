import t from 'tap';
import type { AuthContext } from '../../src/fhir/context.js';
import type { StoreTx, VersionRecord } from '../../src/storage/types.js';
import { deleteInTx, updateInTx, type Stored } from '../../src/fhir/rest/write-core.js';

/**
 * A patient-level token's update or delete judges the stored current version twice: is it in the
 * token's compartment (else absent, 404), and may the token replace it (403, or 404 for what it
 * cannot see). Both read the same body, which is parsed once (the stored JSON can be large: a
 * Variant with many components, a MolecularSequence). The other tests in test/auth pin what these
 * checks answer; this one pins that the stored JSON is parsed once, and that the answers stay.
 */
const auth: AuthContext = { clientId: 'c', subject: 'c', scopes: ['patient/*.cruds'], patient: 'p1' };

const observation = (subject: string): Stored => ({ resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${subject}` } } as Stored);

const record = (subject: string): VersionRecord =>
  ({ resourceType: 'Observation', id: 'o1', versionId: 3, lastUpdated: '2024-01-01T00:00:00.000Z', deleted: false, json: JSON.stringify(observation(subject)) });

function fakeTx(current: VersionRecord): StoreTx {
  const next = { ...current, versionId: current.versionId + 1 };
  return {
    read: async () => current,
    put: async () => next,
    delete: async () => ({ ...next, deleted: true, json: undefined }),
  } as unknown as StoreTx;
}

const versions = { vread: async () => undefined };

/** How many times `json` went through JSON.parse while `run` ran. */
async function parsesOf(json: string, run: () => Promise<unknown>): Promise<{ parses: number; error?: unknown }> {
  const parse = JSON.parse;
  let parses = 0;
  JSON.parse = ((text: string, reviver?: Parameters<typeof parse>[1]) => {
    if (text === json) parses++;
    return parse(text, reviver);
  }) as typeof JSON.parse;
  try {
    await run();
    return { parses };
  } catch (error) {
    return { parses, error };
  } finally {
    JSON.parse = parse;
  }
}

/** The HTTP status a write fails with (undefined when it does not). */
async function statusOf(write: Promise<unknown>): Promise<number | undefined> {
  try {
    await write;
    return undefined;
  } catch (err) {
    return (err as { status?: number }).status;
  }
}

t.test('update: the current version is parsed once', async (t) => {
  const current = record('p1');
  const { parses, error } = await parsesOf(current.json!, () => updateInTx(fakeTx(current), observation('p1'), undefined, auth, {}, versions));
  t.equal(error, undefined);
  t.equal(parses, 1);
});

t.test('delete: the current version is parsed once', async (t) => {
  const current = record('p1');
  const { parses, error } = await parsesOf(current.json!, () => deleteInTx(fakeTx(current), 'Observation', 'o1', undefined, auth, versions));
  t.equal(error, undefined);
  t.equal(parses, 1);
});

t.test('what the checks answer stays: another patient\'s resource is absent, one the token may not write is refused', async (t) => {
  const elsewhere = record('p2');
  t.equal(await statusOf(updateInTx(fakeTx(elsewhere), observation('p1'), undefined, auth, {}, versions)), 404, 'update of another patient\'s resource: 404');
  t.equal(await deleteInTx(fakeTx(elsewhere), 'Observation', 'o1', undefined, auth, versions), undefined, 'delete of it: nothing deleted');
  // in p1's compartment, and p2's too (a performer): the token may see it, not replace it
  const shared = { ...record('p1'), json: JSON.stringify({ ...observation('p1'), performer: [{ reference: 'Patient/p2' }] }) };
  t.equal(await statusOf(updateInTx(fakeTx(shared), observation('p1'), undefined, auth, {}, versions)), 403, 'update of a shared resource: 403');
  t.equal(await statusOf(deleteInTx(fakeTx(shared), 'Observation', 'o1', undefined, auth, versions)), 403, 'delete of it: 403');
  const readOnly: AuthContext = { ...auth, scopes: ['patient/Observation.ud'] };
  t.equal(await statusOf(deleteInTx(fakeTx(shared), 'Observation', 'o1', undefined, readOnly, versions)), 404, 'a token that cannot read it: 404, as a read');
});

t.test('patch: the current version is parsed once, for the check and the patch', async (t) => {
  const { patchInTx } = await import('../../src/fhir/rest/write-core.js');
  const { testConfig } = await import('../../src/config.js');
  const current = record('p1');
  const ctx = { store: versions, config: testConfig() } as never;
  const ops = [{ op: 'replace', path: '/status', value: 'amended' }];
  const { parses, error } = await parsesOf(current.json!, () => patchInTx(ctx, fakeTx(current), 'Observation', 'o1', ops, undefined, auth));
  t.equal(error, undefined);
  t.equal(parses, 1);
  t.equal(await statusOf(patchInTx(ctx, fakeTx(record('p2')), 'Observation', 'o1', ops, undefined, auth)), 404, 'another patient\'s resource: 404');
});
