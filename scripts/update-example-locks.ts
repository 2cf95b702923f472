// Brings every example's synth.lock up to date with its plan, as a run would (model names reported earlier are
// kept). `npm run locks`; test/runtime/lock.test.ts fails when a committed lock is stale.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { checkFile } from '../compiler/check.js';
import { buildPlan } from '../compiler/plan/lower.js';
import { lockPath, lockText } from '../runtime/lock.js';
import { exampleSpecs } from '../test/support/examples.js';

for (const spec of exampleSpecs()) {
  const res = checkFile(spec);
  if (res.hasErrors) throw new Error(`${spec} has errors: run synth check`);
  const file = lockPath(spec);
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  const text = lockText(buildPlan(res).plan, previous);
  if (text !== previous) {
    writeFileSync(file, text);
    console.log(`updated ${file}`);
  }
}
