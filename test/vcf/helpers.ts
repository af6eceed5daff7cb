import { mkdtempSync, readFileSync } from 'node:fs';
import { crc32, deflateRawSync, gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { EmbeddedStore } from '../../src/storage/embedded/embedded-store.js';
import type { ResourceStore } from '../../src/storage/types.js';

/** Shared VCF fixtures (vcf2fhir test inputs, Apache-2.0), read in place. */
export const FIXTURES = process.env.VCF_FIXTURES ?? join(import.meta.dirname, '../../../shared/fixtures/vcf');
export const fixture = (name: string) => join(FIXTURES, name);
export const fixtureText = (name: string) => readFileSync(fixture(name), 'utf8');

export async function newStore(): Promise<EmbeddedStore> {
  const s = new EmbeddedStore(mkdtempSync(join(tmpdir(), 'vcf-')), { fsync: false });
  await s.init();
  return s;
}

/** Every current resource of a type, parsed. */
export async function readAll<T extends Resource = Resource>(store: ResourceStore, type: string): Promise<T[]> {
  const r = await store.search({ types: [type], filter: {}, limit: 10_000_000 });
  return r.records.map((x) => JSON.parse(x.json!) as T);
}

/**
 * The calls a VCF holds, computed naively from the raw text and independently of the importer:
 * records with FILTER PASS/'.' (and sample FT PASS or absent), for each distinct alt index in GT,
 * on a human chromosome, whose ALT is a sequence or a supported structural symbol; and a record
 * with no allele called whose FORMAT CN calls a copy-number ALT.
 */
export function expectedCalls(file: string, sampleCol = 9): { records: number; calls: number; phasedHets: number } {
  const buf = readFileSync(file);
  const text = file.endsWith('.gz') ? gunzipSync(buf).toString('utf8') : buf.toString('utf8');
  let records = 0;
  let calls = 0;
  let phasedHets = 0;
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    records++;
    const c = line.split('\t');
    if (c[6] !== 'PASS' && c[6] !== '.') continue;
    const fmt = (c[8] ?? '').split(':');
    const val = (c[sampleCol] ?? '').split(':');
    const ft = fmt.indexOf('FT') >= 0 ? val[fmt.indexOf('FT')] : undefined;
    if (ft !== undefined && ft !== 'PASS' && ft !== '.') continue;
    const gi = fmt.indexOf('GT');
    const chrom = c[0].replace(/^chr/i, '').toUpperCase();
    if (!/^([1-9]|1\d|2[0-2]|X|Y|M|MT)$/.test(chrom)) continue;
    const gt = gi >= 0 ? (val[gi] ?? '') : '';
    const idx = gt.split(/[/|]/).filter((a) => a !== '.' && a !== '').map(Number);
    const alts = c[4].split(',');
    // no allele called (GT ./., or none) but the sample's FORMAT CN: a copy-number call of the one
    // <DEL>/<DUP>/<CNV> ALT, or of the <CNn> whose n is the CN
    const cn = fmt.indexOf('CN') >= 0 ? val[fmt.indexOf('CN')] : undefined;
    if (!idx.length && cn !== undefined && /^\d+$/.test(cn)) {
      const named = alts.indexOf(`<CN${Number(cn)}>`);
      const svtype = /(?:^|;)SVTYPE=([^;:]+)/.exec(c[7])?.[1];
      if (named >= 0 || (alts.length === 1 && (/^<(DEL|DUP|CNV)[:>]/.test(alts[0]) || (/^<[^C]/.test(alts[0]) && !/^<(INV|INS)[:>]/.test(alts[0]) && /^(DEL|DUP|CNV)$/.test(svtype ?? ''))))) calls++;
      continue;
    }
    if (!gt) continue;
    for (const i of new Set(idx.filter((a) => a > 0))) {
      const alt = alts[i - 1];
      if (alt.includes('[') || alt.includes(']') || alt === '*') continue;
      if (alt.startsWith('<') && !/^<(DEL|DUP|INV|INS|CNV|CN\d+)(:[^>]*)?>$/.test(alt)) continue;
      calls++;
      if (gt.includes('|') && !gt.includes('/') && idx.length > 1 && idx.filter((a) => a === i).length === 1) phasedHets++;
    }
  }
  return { records, calls, phasedHets };
}

/** Value of the component with this LOINC code. */
export function component(o: object, code: string): Record<string, unknown> | undefined {
  const comps = (o as { component?: Array<{ code: { coding?: Array<{ code?: string }> } } & Record<string, unknown>> }).component;
  return comps?.find((c) => c.code.coding?.[0]?.code === code);
}

/** BGZF blocks of `text` (SAMv1 section 4.1), `blockSize` bytes of text each, without the EOF block. */
export function bgzfBlocks(text: string, blockSize = 200): Buffer[] {
  const data = Buffer.from(text);
  const blocks: Buffer[] = [];
  for (let i = 0; i < data.length; i += blockSize) {
    const part = data.subarray(i, i + blockSize);
    const cdata = deflateRawSync(part);
    const head = Buffer.from([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 0x42, 0x43, 2, 0, 0, 0]);
    head.writeUInt16LE(head.length + cdata.length + 8 - 1, 16);
    const foot = Buffer.alloc(8);
    foot.writeUInt32LE(crc32(part), 0);
    foot.writeUInt32LE(part.length, 4);
    blocks.push(Buffer.concat([head, cdata, foot]));
  }
  return blocks;
}
