import t from 'tap';
import { alleleKey, alleleKeys, statedBasesAgree, toSpdi, type Allele } from '../../src/genomics/variant-notation/allele.js';
import { parseHgvs } from '../../src/genomics/variant-notation/hgvs.js';
import { parseSpdi } from '../../src/genomics/variant-notation/spdi.js';
import { binOf, binsOverlapping } from '../../src/genomics/operations/bins.js';
import { rangeFilter } from '../../src/genomics/operations/query.js';
import { parseDateRange, parseRange, parseVariant } from '../../src/genomics/operations/inputs.js';

const allele = (text: string): Allele | undefined => (text.includes(':g.') || text.includes(':m.') ? parseHgvs(text)?.allele : parseSpdi(text));
const key = (text: string) => {
  const a = allele(text);
  return a ? alleleKey(a) : undefined;
};
/** The keys every form shares (alleleKeys: each form's placements its stated bases allow). */
const shared = (forms: string[]): string[] => {
  const sets = forms.map((f) => { const a = allele(f); return a ? alleleKeys(a) : []; });
  return sets[0].filter((k) => sets.every((s) => s.includes(k)));
};

t.test('SPDI and genomic HGVS of the same change give the same key', async (t) => {
  const same: Array<[string, string[]]> = [
    ['substitution', ['NC_000019.10:g.11200138G>A', 'NC_000019.10:11200137:G:A', 'NC_000019.10:11200137:1:A', 'NC_000019.10:11200136:TG:TA']],
    ['deletion', ['NC_000002.12:g.211713666_211713668del', 'NC_000002.12:g.211713666_211713668delAGT', 'NC_000002.12:211713665:AGT:', 'NC_000002.12:211713665:3:', 'NC_000002.12:211713664:CAGT:C']],
    ['insertion', ['NC_000007.14:g.100_101insTT', 'NC_000007.14:100::TT', 'NC_000007.14:99:A:ATT']],
    ['deletion-insertion', ['NC_000007.14:g.100_102delinsTT', 'NC_000007.14:99:3:TT', 'NC_000007.14:g.100_102delAGCinsTT', 'NC_000007.14:99:AGC:TT']],
    ['duplication with its bases = insertion after them', ['NC_000007.14:g.100_101dupAG', 'NC_000007.14:g.101_102insAG', 'NC_000007.14:101::AG']],
    ['mitochondrial m.', ['NC_012920.1:m.3243A>G', 'NC_012920.1:3242:A:G']],
  ];
  for (const [what, forms] of same) {
    t.ok(key(forms[0]), `${what}: ${forms[0]} converts`);
    t.ok(shared(forms).length > 0, `${what}: ${forms.join(' = ')} share a key`);
  }
  t.not(key('NC_000019.10:g.11200138G>A'), key('NC_000019.10:g.11200138G>C'), 'different alt');
  t.not(key('NC_000019.10:g.11200138G>A'), key('NC_000019.9:g.11200138G>A'), 'different accession version (build)');
  t.equal(toSpdi(parseHgvs('NC_000002.12:g.211713666_211713668delAGT')!.allele!), 'NC_000002.12:211713665:AGT:');
});

t.test('an indel in a run: every placement the stated bases allow, and those bases must agree', async (t) => {
  // VCF G>GG at POS 43057063 (0-based 43057062): the inserted G may sit before or after the stated G
  const stored = 'NC_000017.11:43057062:G:GG';
  for (const q of ['NC_000017.11:g.43057063dupG', 'NC_000017.11:g.43057063_43057064insG', 'NC_000017.11:g.43057062_43057063insG', 'NC_000017.11:43057062::G', 'NC_000017.11:43057063::G']) {
    t.ok(shared([stored, q]).length > 0, `${q} = ${stored}`);
    t.ok(statedBasesAgree(allele(q)!, allele(stored)!), `${q}: stated bases agree`);
  }
  t.same(shared([stored, 'NC_000017.11:g.43057064_43057065insG']), [], 'not two bases on: base 43057063 is not stated');
  t.same(shared([stored, 'NC_000017.11:43057062::T']), [], 'another inserted base');
  // C>CT at VCF POS 201017687 (base C) and dupT, which says that base is T: same placement, bases disagree
  const ct = 'NC_000001.10:201017686:C:CT';
  t.ok(shared([ct, 'NC_000001.10:g.201017687dupT']).length > 0);
  t.equal(statedBasesAgree(allele(ct)!, allele('NC_000001.10:g.201017687dupT')!), false);
  t.ok(statedBasesAgree(allele(ct)!, allele('NC_000001.10:g.201017687_201017688insT')!), 'an insertion states no base');
  // a multi-base dup: every rotation across the duplicated bases
  for (const q of ['NC_000007.14:99::AGT', 'NC_000007.14:100::GTA', 'NC_000007.14:101::TAG', 'NC_000007.14:102::AGT', 'NC_000007.14:g.102_103insAGT']) {
    t.ok(shared(['NC_000007.14:g.100_102dupAGT', q]).length > 0, `dupAGT = ${q}`);
  }
  t.same(shared(['NC_000007.14:g.100_102dupAGT', 'NC_000007.14:100::AGT']), [], 'not a rotation that is not one');
  // a deletion in a stated run shifts too: CAAA>CAA deletes one A of three
  for (const q of ['NC_000007.14:100:A:', 'NC_000007.14:101:1:', 'NC_000007.14:102:1:', 'NC_000007.14:g.103del']) t.ok(shared(['NC_000007.14:99:CAAA:CAA', q]).length > 0, q);
  t.same(shared(['NC_000007.14:99:CAAA:CAA', 'NC_000007.14:103:1:']), [], 'past the stated bases');
  t.equal(parseHgvs('NC_000007.14:g.100dup')?.allele, undefined, 'a dup without its bases still has no allele (text match only)');
});

t.test('what cannot be converted without a reference sequence', async (t) => {
  for (const text of ['NC_000007.14:g.100dup', 'NC_000007.14:g.100_200inv', 'NC_000007.14:g.100=', 'NC_000007.14:g.100_101ins(10)']) {
    const p = parseHgvs(text);
    t.ok(p === undefined || p.allele === undefined, `${text} has no canonical allele`);
  }
  t.equal(parseHgvs('NM_000038.6:c.55G>T')?.allele, undefined, 'transcript HGVS is matched by text only');
  t.equal(parseHgvs('NP_004963.1:p.Val617Phe')?.type, 'p');
  t.equal(parseVariant('NM_000038.6:c.55G>T').hgvs, 'NM_000038.6:c.55G>T');
});

/** The error a call throws (undefined when it does not throw, which fails the match). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

t.test('malformed inputs are rejected with the parameter named', async (t) => {
  for (const bad of ['NC_000019.10:g.12x', 'rs123', 'NC_000019.10:-1:G:A', 'NC_000019.10:5:G', 'NC_000019.10:5:G:Z', 'chr1:g.5A>G']) {
    t.match(thrown(() => parseVariant(bad)), { issues: [{ expression: ['variants'] }] }, bad);
  }
  for (const bad of [
    'NC_000019.10:g.100_50del', 'NC_000019.10:g.0A>G', 'NC_000019.10:g.99999999999999999999A>G', 'NC_000007.14:99999999999999999999:A:G',
    'NC_000007.14:5:99999999999999999999:', 'NC_000019.10:g.100T>T', 'NC_000019.10:99:T:T', 'NC_000019.10:99::', 'NC_000019.10:99:0:',
    'NC_000019.10:g.100delAinsA', 'NC_000019.10:g.100_105insA', 'NC_000019.10:g.100_102delAG', 'NC_000019.10:g.100_101dupA', 'NC_000019.10:g.0_1insA',
    'NC_000019.10:g.100_101insXYZ', 'NC_000019.10:g.100_101insinv', 'NC_000019.10:g.100_101delinsQ', 'NC_000019.10:g.100_101ins',
  ]) {
    t.match(thrown(() => parseVariant(bad)), { issues: [{ expression: ['variants'] }] }, bad);
  }
  for (const good of ['NC_000019.10:g.100_101ins10', 'NC_000019.10:g.100_101insN[10]', 'NC_000019.10:g.100_101ins(10_20)', 'NC_000019.10:g.100_101ins[NC_000019.10:g.200_300inv]']) {
    t.equal(thrown(() => parseVariant(good)), undefined, `${good} is accepted (matched as text)`);
  }
  for (const good of ['NC_000019.10:g.1A>G', 'NC_000019.10:0:A:G', 'NC_000019.10:g.100=', 'NC_000019.10:g.100dup', 'NC_000019.10:g.100_101insA', 'NC_000019.10:99:1:', 'NC_000019.10:99::A', 'NM_000038.6:c.0A>G']) {
    t.equal(thrown(() => parseVariant(good)), undefined, `${good} is accepted`);
  }
  for (const bad of ['NC_000019.10:5', 'NC_000019.10:9-3', 'NC_000019.10:3-3', '19:1-5', 'NC_000019.10:a-b']) {
    t.match(thrown(() => parseRange(bad)), { issues: [{ expression: ['ranges'] }] }, bad);
  }
  t.same(parseRange('NC_000019.9:11200138-11244496'), { text: 'NC_000019.9:11200138-11244496', accession: 'NC_000019.9', start: 11200138, end: 11244496, info: { accession: 'NC_000019.9', chromosome: '19', assembly: 'GRCh37' } });
  t.match(thrown(() => parseDateRange('ge2020-01-01,lt2019-01-01')), { issues: [{ expression: ['testDateRange'] }] }, 'empty (conflicting) date range');
  t.same(parseDateRange('eq2019'), { lo: Date.UTC(2019, 0, 1), hi: Date.UTC(2020, 0, 1), prefixed: [['eq', '2019']] });
  t.same(parseDateRange({ start: '2019-03-01', end: '2019-03-31' }), { lo: Date.UTC(2019, 2, 1), hi: Date.UTC(2019, 3, 1), prefixed: [['ge', '2019-03-01'], ['le', '2019-03-31']] });
});

t.test('bins: every feature overlapping a range is in one of the range bins', async (t) => {
  const acc = 'NC_000001.11';
  for (const [s, e] of [[0, 1], [131071, 131073], [5_000_000, 5_000_000], [1_000_000, 90_000_000], [200_000_000, 248_956_422]]) {
    const bins = new Set(binsOverlapping(acc, 1_000_000, 2_000_000));
    const overlaps = s < 2_000_000 && Math.max(e, s + 1) > 1_000_000;
    if (overlaps) t.ok(bins.has(binOf(acc, s, e)), `[${s}, ${e}) found`);
  }
  t.ok(binsOverlapping(acc, 0, 10_000_000).length < 1000, 'a 10 Mb range is a bounded $in');
  const whole = rangeFilter(parseRange(`${acc}:0-248956422`), 'intersect', 'Patient/p1');
  t.same(Object.keys(whole).filter((k) => k.startsWith('x.gx-')).sort(), ['x.gx-loci', 'x.gx-subject-kind'], "a whole chromosome: the subject's variants, checked exactly");
});
