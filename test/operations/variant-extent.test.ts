import t from 'tap';
import type { Parameters } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { send, testApp } from '../fhir/helpers.js';
import { groups, opGet, partValue, put, resourcesNamed } from './helpers.js';

/**
 * Which bases a Variant covers for the range operations and `genomic-region` (variant-extent.ts):
 * VCF padding bases are not part of a change, an insertion lies between two bases, an imprecise
 * variant's outer range is never taken for a certain extent, and simple and structural
 * operations answer with their own kind of variant.
 */
const VCF = [
  '##fileformat=VCFv4.2',
  '##reference=GRCh38',
  '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="x">',
  '##INFO=<ID=END,Number=1,Type=Integer,Description="x">',
  '##INFO=<ID=SVLEN,Number=.,Type=Integer,Description="x">',
  '##INFO=<ID=CIPOS,Number=2,Type=Integer,Description="x">',
  '##INFO=<ID=CIEND,Number=2,Type=Integer,Description="x">',
  '##FORMAT=<ID=GT,Number=1,Type=String,Description="x">',
  '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1',
  '1\t67\t.\tT\tTTGTAG\t50\tPASS\t.\tGT\t0/1',
  '1\t916\t.\tC\t<INS:ME:L1>\t50\tPASS\tSVTYPE=INS;CIPOS=-16,22\tGT\t0/1',
  '1\t2000\t.\tA\tG\t50\tPASS\t.\tGT\t0/1',
  '1\t756295\t.\tC\t<DEL>\t50\tPASS\tSVTYPE=DEL;END=756329\tGT\t0/1',
  '1\t2827694\t.\tCGTGGATGCGGGGAC\tC\t50\tPASS\t.\tGT\t0/1',
  '1\t3000000\t.\tN\t<DEL>\t50\tPASS\tSVTYPE=DEL;END=3023000;CIPOS=-100,100;CIEND=-100,100\tGT\t0/1',
  '1\t4000000\t.\tN\t<DUP>\t50\tPASS\tSVTYPE=DUP;END=4010000;CIPOS=-10,10;CIEND=-10,10\tGT\t0/1',
  '',
].join('\n');

async function importVcf(app: FastifyInstance, patient: string, vcf: string): Promise<void> {
  await put(app, { resourceType: 'Patient', id: patient });
  const res = await send(app, 'POST', '/fhir/$import-vcf', { resourceType: 'Parameters', parameter: [{ name: 'patient', valueString: patient }, { name: 'vcf', valueString: vcf }] });
  if (res.statusCode >= 300) throw new Error(`import failed ${res.statusCode}: ${res.body.slice(0, 1000)}`);
}

t.test('variant extents', async (t) => {
  const app = await testApp(t);
  await importVcf(app, 'px', VCF);
  const presence = async (op: string, ranges: string[]): Promise<boolean[]> => {
    const res = await opGet(app, op, { subject: 'Patient/px', ranges });
    t.equal(res.statusCode, 200, res.body);
    return groups(res.json() as Parameters, 'variants').map((g) => partValue(g, 'presence') as boolean);
  };
  const found = async (op: string, range: string): Promise<string[]> => {
    const res = await opGet(app, op, { subject: 'Patient/px', ranges: range, includeVariants: 'true' });
    t.equal(res.statusCode, 200, res.body);
    return resourcesNamed(groups(res.json() as Parameters, 'variants')[0], 'variant').map((r) => JSON.stringify(r));
  };
  const region = async (range: string): Promise<number> => {
    const res = await app.inject({ method: 'GET', url: `/fhir/Observation?genomic-region=${range}&_count=0&_total=accurate` });
    t.equal(res.statusCode, 200, res.body);
    return (res.json() as { total: number }).total;
  };

  t.test('an outer range is never a certain extent: without an inner range nothing is subsumed', async (t) => {
    const op = 'find-subject-structural-subsuming-variants';
    // <INS:ME:L1> at 916 with CIPOS=-16,22: outer [900, 938), no inner range
    t.same(await presence(op, ['NC_000001.11:910-911', 'NC_000001.11:900-938']), [false, false]);
    t.same(await presence('find-subject-structural-intersecting-variants', ['NC_000001.11:910-911']), [true], 'it may touch them');
    // <DEL> 3000000-3023000 with CIPOS/CIEND ±100: inner [3000100, 3022900)
    t.same(await presence(op, ['NC_000001.11:3001000-3002000', 'NC_000001.11:3000100-3022900', 'NC_000001.11:3000050-3001000']), [true, true, false]);
  });

  t.test('a padded indel covers its changed bases; an insertion lies between two bases', async (t) => {
    const op = 'find-subject-variants';
    // CGTGGATGCGGGGAC>C at POS 2827694: deletes 0-based 2827694..2827707, the padding base 2827693 is unchanged
    t.same(await presence(op, ['NC_000001.11:2827600-2827694', 'NC_000001.11:2827694-2827695', 'NC_000001.11:2827707-2827708', 'NC_000001.11:2827708-2827800']), [false, true, true, false]);
    // T>TTGTAG at POS 67: inserted between 0-based 66 and 67 (SPDI position 67)
    t.same(await presence(op, ['NC_000001.11:0-67', 'NC_000001.11:66-67', 'NC_000001.11:67-68', 'NC_000001.11:60-70']), [false, false, true, true]);
    // the symbolic <DEL> at POS 756295 was already stored after its padding base: [756295, 756329)
    t.same(await presence('find-subject-structural-intersecting-variants', ['NC_000001.11:756294-756295', 'NC_000001.11:756295-756296', 'NC_000001.11:756328-756329', 'NC_000001.11:756329-756330']), [false, true, true, false]);
    t.same(await presence('find-subject-structural-subsuming-variants', ['NC_000001.11:66-67', 'NC_000001.11:67-68']), [false, false], 'an insertion covers no base');
    // genomic-region reads the same extents
    t.same([await region('NC_000001.11:2827600-2827694'), await region('NC_000001.11:2827694-2827695')], [0, 1]);
    t.same([await region('NC_000001.11:0-67'), await region('NC_000001.11:67-68')], [0, 1]);
    // the stored Variant keeps its VCF-derived range and alleles
    const [v] = await found(op, 'NC_000001.11:2827694-2827695');
    t.match(v, /"low":\{"value":2827693\},"high":\{"value":2827708\}/);
    t.match(v, /"valueString":"CGTGGATGCGGGGAC"/);
  });

  t.test('a range without high spans the stated REF, in search and operations alike', async (t) => {
    // 1-based GT>G at 200 (low only): padding G at 0-based 199, deleted T at 200
    await put(app, {
      resourceType: 'Observation', id: 'no-high', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '69548-6' }] },
      subject: { reference: 'Patient/px' }, valueCodeableConcept: { coding: [{ system: 'http://loinc.org', code: 'LA9633-4' }] },
      component: [
        { code: { coding: [{ system: 'http://loinc.org', code: '48013-7' }] }, valueCodeableConcept: { coding: [{ system: 'http://www.ncbi.nlm.nih.gov/refseq', code: 'NC_000002.12' }] } },
        { code: { coding: [{ system: 'http://loinc.org', code: '92822-6' }] }, valueCodeableConcept: { coding: [{ system: 'http://loinc.org', code: 'LA30102-0' }] } },
        { code: { coding: [{ system: 'http://loinc.org', code: '81254-5' }] }, valueRange: { low: { value: 200 } } },
        { code: { coding: [{ system: 'http://loinc.org', code: '69547-8' }] }, valueString: 'GT' },
        { code: { coding: [{ system: 'http://loinc.org', code: '69551-0' }] }, valueString: 'G' },
      ],
    });
    t.same(await presence('find-subject-variants', ['NC_000002.12:199-200', 'NC_000002.12:200-201']), [false, true]);
    t.same([await region('NC_000002.12:199-200'), await region('NC_000002.12:200-201')], [0, 1]);
  });
});

t.test('simple operations answer simple variants, structural operations structural ones', async (t) => {
  const app = await testApp(t);
  await importVcf(app, 'px', VCF);
  const ids = async (op: string, range: string): Promise<string[]> => {
    const res = await opGet(app, op, { subject: 'Patient/px', ranges: range, includeVariants: 'true' });
    t.equal(res.statusCode, 200, res.body);
    return resourcesNamed(groups(res.json() as Parameters, 'variants')[0], 'variant').map((r) => {
      const c = (r as { component: Array<{ code: { coding: Array<{ code: string }> }; valueCodeableConcept?: { coding: Array<{ code: string }> } }> }).component;
      return c.find((x) => x.code.coding[0].code === '48019-4')!.valueCodeableConcept!.coding[0].code;
    }).sort();
  };
  const all = 'NC_000001.11:0-5000000';
  // simple: the insertion, the SNV, the padded deletion (every base stated)
  t.same(await ids('find-subject-variants', all), ['SO:0000159', 'SO:0000667', 'SO:0001483']);
  // structural: the imprecise <INS>, <DEL> and <DUP> (outer ranges), and the precise <DEL> with END (its bases are not stated)
  t.same(await ids('find-subject-structural-intersecting-variants', all), ['SO:0000159', 'SO:0000159', 'SO:0000667', 'SO:1000035']);
  t.same(await ids('find-subject-structural-intersecting-variants', 'NC_000001.11:1999-2000'), [], 'not the SNV');
  t.same(await ids('find-subject-structural-subsuming-variants', 'NC_000001.11:1999-2000'), [], 'not the SNV');
  t.same(await ids('find-subject-variants', 'NC_000001.11:3000000-3000001'), [], 'not the imprecise 23 kb deletion');
  t.same(await ids('find-subject-variants', 'NC_000001.11:4000000-4000001'), [], 'not the imprecise DUP');
  t.same(await ids('find-subject-structural-subsuming-variants', 'NC_000001.11:3001000-3002000'), ['SO:0000159']);
  const pop = await opGet(app, 'find-population-structural-intersecting-variants', { ranges: ['NC_000001.11:1999-2000', 'NC_000001.11:3000000-3000001'] });
  t.same(groups(pop.json() as Parameters, 'variants').map((g) => (partValue(g, 'numerator') as { value: number }).value), [0, 1]);
  // genomic-region is a search over every Variant, whatever its kind
  const res = await app.inject({ method: 'GET', url: '/fhir/Observation?genomic-region=NC_000001.11:1999-2000&_count=0&_total=accurate' });
  t.equal((res.json() as { total: number }).total, 1);
});

t.test('the extent rule', async (t) => {
  const { changedBases, startEnd, variantExtent } = await import('../../src/genomics/operations/variant-extent.js');
  t.same(changedBases({ s: 10, e: 13 }, { ref: 'CAT', alt: 'C' }), { s: 11, e: 13 }, 'leading padding');
  t.same(changedBases({ s: 0, e: 2 }, { ref: 'TC', alt: 'C' }), { s: 0, e: 1 }, 'trailing padding at position 1');
  t.same(changedBases({ s: 10, e: 11 }, { ref: 'T', alt: 'TAA' }), { s: 11, e: 11 }, 'an insertion: between two bases');
  t.same(changedBases({ s: 10, e: 13 }, { ref: 'ATG', alt: 'ACG' }), { s: 11, e: 12 }, 'an MNV written with context');
  t.same(changedBases({ s: 10, e: 12 }, { ref: 'CAT', alt: 'C' }), { s: 10, e: 12 }, 'a range that is not REF is kept');
  t.same(changedBases({ s: 10, e: 11 }, { ref: 'A', alt: '<DEL>' }), { s: 10, e: 11 }, 'symbolic: kept');
  t.same(variantExtent([{ s: 10, e: 11 }], undefined, undefined, { ref: 'T', alt: 'TAA' }), { outer: [{ s: 11, e: 12 }], inner: [], structural: false });
  t.same(variantExtent(undefined, [{ s: 900, e: 938 }], undefined), { outer: [{ s: 900, e: 938 }], inner: [], structural: true });
  t.same(variantExtent(undefined, [{ s: 0, e: 100 }], [{ s: 10, e: 90 }]), { outer: [{ s: 0, e: 100 }], inner: [{ s: 10, e: 90 }], structural: true });
  t.same(variantExtent(undefined, undefined, [{ s: 10, e: 90 }]), { outer: [{ s: 10, e: 90 }], inner: [{ s: 10, e: 90 }], structural: true });
  const kind = (ref: string | undefined, alt: string | undefined, so: string, e = 20) => variantExtent([{ s: 10, e }], undefined, undefined, { ref, alt, changeTypes: [so] })!.structural;
  t.equal(kind('C', undefined, 'SO:0000159'), true, 'a <DEL> with END: REF is the padding base only');
  t.equal(kind(undefined, undefined, 'SO:1000035'), true, 'a precise <DUP>');
  t.equal(kind('A', undefined, 'SO:0000159', 11), false, 'a deletion stating its one deleted base');
  t.equal(kind('CAAAAAAAAA', 'C', 'SO:0000159'), false, 'a VCF-like deletion');
  t.equal(kind(undefined, 'TTGTAG', 'SO:0000667', 10), false, 'an insertion stating its bases');
  t.equal(kind(undefined, undefined, 'SO:0001483', 11), false, 'an SNV given by range only');
  t.same(startEnd(5, 7, 'LA30102-0'), { s: 4, e: 7 });
  t.same(startEnd(5, 7, 'LA30101-2'), { s: 5, e: 8 });
  t.same(startEnd(5, 7, 'LA30100-4'), { s: 5, e: 7 });
  t.same(startEnd(5, undefined, 'LA30100-4', 'ACG'), { s: 5, e: 8 });
  t.same(startEnd(5, undefined, 'LA30102-0'), { s: 4, e: 5 });
});
