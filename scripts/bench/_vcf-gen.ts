import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * Writes a synthetic single-sample GRCh38 VCF with `n` PASS calls spread over chromosomes 1..22:
 * mostly SNVs, some indels and multi-allelic sites, het/hom genotypes, a share phased (PS), AD/DP,
 * dbSNP ids. Deterministic (fixed-seed LCG) so runs compare.
 */
export async function generateVcf(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const bases = 'ACGT';
  const head = [
    '##fileformat=VCFv4.2',
    '##fileDate=20240101',
    '##reference=GRCh38',
    ...Array.from({ length: 22 }, (_, i) => `##contig=<ID=chr${i + 1}>`),
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
    '##FORMAT=<ID=PS,Number=1,Type=Integer,Description="Phase set">',
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tBENCH1',
  ];
  out.write(head.join('\n') + '\n');
  const perChrom = Math.ceil(n / 22);
  let buf = '';
  for (let i = 0; i < n; i++) {
    const chrom = Math.floor(i / perChrom) + 1;
    const pos = 10_000 + (i % perChrom) * 97 + Math.floor(rnd() * 50);
    const ref = bases[Math.floor(rnd() * 4)];
    const r = rnd();
    let alt: string;
    let gt: string;
    let ad: string;
    if (r < 0.05) {
      alt = ref + 'TG'; // insertion
    } else if (r < 0.1) {
      alt = ref === 'A' ? 'C' : 'A';
    } else {
      alt = bases[(bases.indexOf(ref) + 1 + Math.floor(rnd() * 3)) % 4];
    }
    const g = rnd();
    if (g < 0.05) {
      const alt2 = bases[(bases.indexOf(ref) + 2) % 4];
      if (alt2 !== alt) alt = `${alt},${alt2}`;
      gt = alt.includes(',') ? '1/2' : '0/1';
      ad = alt.includes(',') ? '1,12,14' : '15,12';
    } else if (g < 0.35) {
      gt = '1/1';
      ad = '0,30';
    } else if (g < 0.55) {
      gt = rnd() < 0.5 ? '0|1' : '1|0';
      ad = '14,16';
    } else {
      gt = '0/1';
      ad = '18,13';
    }
    const dp = ad.split(',').reduce((s, x) => s + Number(x), 0);
    const id = rnd() < 0.6 ? `rs${100000 + i}` : '.';
    buf += `chr${chrom}\t${pos}\t${id}\t${ref}\t${alt}\t${(20 + rnd() * 80).toFixed(1)}\tPASS\tDP=${dp}\tGT:AD:DP:PS\t${gt}:${ad}:${dp}:${gt.includes('|') ? pos - (pos % 5000) : '.'}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.write(buf);
  out.end();
  await once(out, 'finish');
}
