import t from 'tap';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { validateResource } from '../../src/validation/validate.js';
import { profileTargetErrors } from '../../src/validation/profiles/index.js';
import { igPackage, igPackageStats } from '../../src/validation/profiles/ig-package.js';

/**
 * The IG package is held weakly (profiles/ig-package.ts): once the profiles are compiled, nothing
 * should keep it, and what was compiled from it must judge as before, the reference targets a
 * profile narrows included (GenomicStudy's asserter leaves out Patient, MedicationRecommendation's
 * Task.focus is Reference(MedicationStatement)): those are read from the package's snapshots at
 * compile time (reference-targets.ts). Here the package is really collected (a full GC, not
 * forgetIgPackage's pretence), and the answers are compared with a process that never drops it.
 * This file runs in its own process, so no other test has compiled anything first.
 */
const example = (f: string) => JSON.parse(readFileSync(new URL(`../../schemas/genomics/examples/${f}.json`, import.meta.url), 'utf8'));

type Case = [label: string, resource: Record<string, unknown>];

/** Resources whose references meet targets narrowed by their profiles, each valid and broken. */
function cases(profiles: 'first' | 'later'): Case[] {
  const out: Case[] = [];
  const add = (label: string, file: string, change: (r: Record<string, any>) => void) => {
    const r = example(file);
    out.push([`${label}: as it is`, structuredClone(r)]);
    change(r);
    out.push([label, r]);
  };
  if (profiles === 'first') {
    add('GenomicStudy asserter Patient', 'Procedure-lungMass', (r) => { r.asserter = { reference: 'Patient/p1' }; });
    add('GenomicStudy basedOn CarePlan', 'Procedure-lungMass', (r) => { r.basedOn = [{ reference: 'CarePlan/c1' }]; });
    add('GenomicStudy asserter by type only', 'Procedure-lungMass', (r) => { r.asserter = { type: 'RelatedPerson', identifier: { value: 'x' } }; });
    add('GenomicStudy asserter a contained Patient', 'Procedure-lungMass', (r) => { r.contained = [{ resourceType: 'Patient', id: 'pt' }]; r.asserter = { reference: '#pt' }; });
    add('MedicationRecommendation focus Observation', 'Task-MedicationRecommendationExample1', (r) => { r.focus = { reference: 'Observation/o1' }; });
  } else {
    add('MedicationRecommendation reasonReference Condition (a cached profile)', 'Task-MedicationRecommendationExample1', (r) => { r.reasonReference = { reference: 'Condition/c1' }; });
    // profiles first compiled after the package was collected
    add('FollowupRecommendation reasonReference DiagnosticReport', 'Task-PGxRecEx01', (r) => { r.reasonReference = { reference: 'DiagnosticReport/d1' }; });
    add('GenomicStudyAnalysis performer Patient', 'Procedure-lungMass-analysis1', (r) => { r.performer = [{ actor: { reference: 'Patient/p1' } }]; });
    add('GenomicDataFile context.related Patient', 'DocumentReference-genomicVCFfile-simple', (r) => { r.context = { ...(r.context ?? {}), related: [{ reference: 'Patient/p1' }] }; });
  }
  return out;
}

const judge = (cs: Case[]) => cs.map(([label, r]) => ({ label, issues: validateResource(r), targets: profileTargetErrors(r) }));

if (process.env.IG_COLLECTED_CHILD === '1') {
  console.log(JSON.stringify([...judge(cases('first')), ...judge(cases('later'))]));
  process.exit(0);
}

/** A full collection, once this job's WeakRef targets may go (they are kept until the job ends). */
async function collect(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

/** Weak handles on the package as it is now (in a function: no strong reference stays in the caller). */
function watchPackage(): { whole: WeakRef<object>; definitions: WeakRef<object> } {
  const p = igPackage();
  return { whole: new WeakRef(p), definitions: new WeakRef(p.structureDefinitions) };
}

t.test('after the IG package is collected, profile-narrowed reference targets are judged as before', async (t) => {
  const child = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], { env: { ...process.env, IG_COLLECTED_CHILD: '1' }, encoding: 'utf8' });
  const expected = JSON.parse(child.trim().split('\n').pop()!) as ReturnType<typeof judge>;

  const before = judge(cases('first'));
  const refused = before.filter((c) => c.targets.length > 0);
  t.ok(refused.length >= 4, `the broken copies are refused for their targets (${refused.map((c) => c.label).join('; ')})`);
  t.ok(before.filter((c) => c.label.endsWith('as it is')).every((c) => c.targets.length === 0), 'the examples are not');
  t.ok(refused.every((c) => c.issues.some((i) => i.severity === 'error' && /which this profile does not allow/.test(i.diagnostics))), 'and validateResource says so');

  const watched = watchPackage();
  const loads = igPackageStats.loads;
  await collect();
  t.equal(watched.whole.deref(), undefined, 'the package was collected: nothing compiled from it keeps it');
  t.equal(watched.definitions.deref(), undefined, 'nor its StructureDefinitions');

  const after = [...judge(cases('first')), ...judge(cases('later'))];
  t.same(after.slice(0, before.length), before, 'the profiles compiled before it was collected answer as before');
  t.same(after, expected, 'every answer is the one of a process that never dropped the package');
  t.ok(after.slice(before.length).some((c) => c.targets.length > 0), 'the profiles compiled after it refuse their wrong targets too');
  t.ok(igPackageStats.loads > loads, 'the package was read again for the profiles compiled after');
});
