import { generateVcf } from '/work/main/scripts/bench/_vcf-gen.js';
await generateVcf(process.argv[2], Number(process.argv[3]));
