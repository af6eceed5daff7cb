import type { ImportSummary } from './types.js';

/** The human-readable import summary (CLI output). */
export function formatSummary(s: ImportSummary, seconds: number, where: string): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const skipped = Object.entries(s.skipped).sort((a, b) => b[1] - a[1]);
  const totalSkipped = skipped.reduce((t, [, c]) => t + c, 0);
  const lines = [
    `Imported into ${where} (build ${s.build}, sample ${s.sample}) in ${seconds.toFixed(1)} s`,
    `  records read            ${n(s.records)}`,
    `  variants imported       ${n(s.variants)}`,
    `  phase relationships     ${n(s.phaseRelationships)}`,
    `  diagnostic implications ${n(s.implications)}`,
    `  skipped                 ${n(totalSkipped)}`,
    ...skipped.map(([r, c]) => `    ${r.padEnd(22)}${n(c)}`),
    `  resources written       ${n(s.created)} new, ${n(s.updated)} updated, ${n(s.unchanged)} unchanged`,
    `  GenomicReport           DiagnosticReport/${s.reportId}`,
    `  GenomicStudy            Procedure/${s.studyId}`,
  ];
  for (const e of s.errors.slice(0, 10)) lines.push(`  malformed line ${e.line}: ${e.reason}`);
  if (s.errors.length > 10) lines.push(`  … ${s.skipped.malformed! - 10} more malformed lines`);
  return lines.join('\n') + '\n';
}
