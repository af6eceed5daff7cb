import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'fhir-kit-client';
import { startServer } from './server-process.js';

/** A real FHIR client against the real server process: create, read, update, search, history, transaction. */
t.test('fhir-kit-client drives the running server', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fgs-e2e-'));
  const server = await startServer({ DATA_DIR: dataDir });
  t.teardown(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const client = new Client({ baseUrl: server.baseUrl });

  const meta = (await client.capabilityStatement()) as unknown as { fhirVersion: string };
  t.equal(meta.fhirVersion, '4.0.1');

  const created = (await client.create({
    resourceType: 'Patient',
    body: { resourceType: 'Patient', identifier: [{ system: 'urn:e2e', value: 'k1' }], name: [{ family: 'Franklin' }] },
  })) as unknown as { id: string; meta: { versionId: string } };
  t.equal(created.meta.versionId, '1');

  const read = (await client.read({ resourceType: 'Patient', id: created.id })) as unknown as { name: Array<{ family: string }> };
  t.equal(read.name[0].family, 'Franklin');

  const updated = (await client.update({
    resourceType: 'Patient', id: created.id,
    body: { resourceType: 'Patient', id: created.id, identifier: [{ system: 'urn:e2e', value: 'k1' }], name: [{ family: 'Franklin', given: ['Rosalind'] }] },
  })) as unknown as { meta: { versionId: string } };
  t.equal(updated.meta.versionId, '2');

  const found = (await client.search({ resourceType: 'Patient', searchParams: { _id: created.id } })) as unknown as { type: string; entry: Array<{ resource: { id: string } }> };
  t.equal(found.type, 'searchset');
  t.same(found.entry.map((e) => e.resource.id), [created.id]);

  const history = (await client.resourceHistory({ resourceType: 'Patient', id: created.id })) as unknown as { total: number; entry: Array<{ resource: { meta: { versionId: string } } }> };
  t.equal(history.total, 2);
  t.same(history.entry.map((e) => e.resource.meta.versionId), ['2', '1']);

  const tx = (await client.transaction({
    body: {
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:5f8e3c1a-0000-4000-8000-000000000001', resource: { resourceType: 'Specimen', subject: { reference: `Patient/${created.id}` } }, request: { method: 'POST', url: 'Specimen' } },
        {
          resource: {
            resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '69548-6' }] },
            subject: { reference: `Patient/${created.id}` }, specimen: { reference: 'urn:uuid:5f8e3c1a-0000-4000-8000-000000000001' },
          },
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    },
  })) as unknown as { type: string; entry: Array<{ response: { status: string }; resource: { id: string; specimen?: { reference: string } } }> };
  t.equal(tx.type, 'transaction-response');
  t.same(tx.entry.map((e) => e.response.status), ['201 Created', '201 Created']);
  t.equal(tx.entry[1].resource.specimen!.reference, `Specimen/${tx.entry[0].resource.id}`);
  const obs = (await client.read({ resourceType: 'Observation', id: tx.entry[1].resource.id })) as unknown as { status: string };
  t.equal(obs.status, 'final');
});
