import t from 'tap';
import { Readable } from 'node:stream';
import { FhirError } from '../../src/fhir/errors.js';
import type { Observation } from '@medplum/fhirtypes';
import { dryRunVcf, importVcf } from '../../src/genomics/vcf/import.js';
import { component, newStore, readAll } from './helpers.js';

const VCF = '##reference=GRCh38\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\nchr2\t1000\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\n';
const run = (annotations: string) => dryRunVcf(Readable.from([VCF]), { patient: 'p1', annotations });

t.test('two annotation rows for one variant refuse the table with both line numbers', async (t) => {
  const rows = [
    'chr2\t1000\tA\tG\tHGNC:1100^BRCA1^HGNC\tNM_007294.4\tc.1A>G\t\t\tPathogenic',
    'chr3\t1000\tA\tG\tHGNC:1101^BRCA2^HGNC',
    '2\t1000\ta\tg\tHGNC:1101^BRCA2^HGNC\tNM_000059.4\tc.2A>G\t\t\tBenign',
  ];
  const err = await run(rows.join('\n') + '\n').catch((e: unknown) => e);
  t.ok(err instanceof FhirError && err.status === 400, 'a 400 refusal');
  t.match((err as Error).message, /annotations lines 1 and 3: two rows for the same variant 2:1000 a>g/);
  t.equal((await run(rows.slice(0, 2).join('\n'))).implications, 1, 'distinct variants are fine');
});

t.test('a gene without an HGNC id is text, never coded in the HGNC system', async (t) => {
  const gene = async (cell: string) => {
    const store = await newStore();
    t.teardown(() => store.close());
    await importVcf(store, Readable.from([VCF]), { patient: 'p1', annotations: `chr2\t1000\tA\tG\t${cell}\n` });
    const [v] = (await readAll<Observation>(store, 'Observation')).filter((o) => o.code?.coding?.[0]?.code === '69548-6');
    return component(v, '48018-6')?.valueCodeableConcept;
  };
  t.same(await gene('HGNC:1100^BRCA1^HGNC'), { coding: [{ system: 'http://www.genenames.org', code: 'HGNC:1100', display: 'BRCA1' }] });
  t.same(await gene('BRCA1'), { text: 'BRCA1' });
  t.same(await gene('BRCA1^BRCA1^HGNC'), { text: 'BRCA1' });
  t.same(await gene('1100^BRCA1'), { text: 'BRCA1' }, 'a number without the HGNC: prefix is not an id either');
});
