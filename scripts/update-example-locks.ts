// Brings every example's synth.lock up to date with its plan, as a run would (model names reported earlier are
// kept, and so are the entries of other specs in the same folder). `npm run locks`; test/runtime/lock.test.ts fails when a committed lock is stale.
import { writeFileSync } from 'node:fs';
import { checkFile } from '../compiler/check.js';
import { buildPlan } from '../compiler/plan/lower.js';
import { nextLock } from '../runtime/lock.js';
import { exampleSpecs } from '../test/support/examples.js';

for (const spec of exampleSpecs()) {
  const res = checkFile(spec);
  if (res.hasErrors) throw new Error(`${spec} has errors: run synth check`);
  // as a run leaves it: the spec's entry refreshed, other specs' entries of the folder kept (runtime/lock.ts)
  const { file, previous, text } = nextLock(spec, buildPlan(res).plan);
  if (text !== previous) {
    writeFileSync(file, text);
    console.log(`updated ${file}`);
  }
}
