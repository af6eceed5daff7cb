/**
 * A small germline VCF for the demo patient demo-p2 (GRCh38), imported by `npm run seed` through
 * `$import-vcf` so the demo set also holds VCF-produced resources. Written for this project
 * (common SNPs rs144848 BRCA2, rs1042522 TP53, rs429358 APOE; positions as in dbSNP on GRCh38).
 */
export const DEMO_VCF_PATIENT = 'demo-p2';

export const DEMO_VCF = [
  '##fileformat=VCFv4.2',
  '##reference=GRCh38',
  '##contig=<ID=chr13,length=114364328,assembly=GRCh38>',
  '##contig=<ID=chr17,length=83257441,assembly=GRCh38>',
  '##contig=<ID=chr19,length=58617616,assembly=GRCh38>',
  '##INFO=<ID=DP,Number=1,Type=Integer,Description="Total depth">',
  '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
  '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
  '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
  ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO', 'FORMAT', 'DEMO_P2'].join('\t'),
  ['chr13', '32332592', 'rs144848', 'A', 'C', '60', 'PASS', 'DP=120', 'GT:AD:DP', '0/1:58,62:120'].join('\t'),
  ['chr17', '7676154', 'rs1042522', 'G', 'C', '60', 'PASS', 'DP=98', 'GT:AD:DP', '1/1:0,98:98'].join('\t'),
  ['chr19', '44908684', 'rs429358', 'T', 'C', '60', 'PASS', 'DP=77', 'GT:AD:DP', '0/1:40,37:77'].join('\t'),
  '',
].join('\n');
