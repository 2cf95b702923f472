// The checker's checks, registered per declaration kind (registry.ts) for each phase of `checkProgram`:
//   types — the types a declaration declares (struct fields, prompt parameters and returns, a dataset's row type),
//           resolved for every declaration before any body is checked, so bodies can look them up in any order;
//   body  — everything else: settings, constraints, templates, sims, dataset clauses (datasets.ts has the
//           clause checks, registered per clause kind in the same way).
// To add a check: write it in the module of its concern and register it here (docs/architecture.md, "Common tasks").
import type * as A from '../../grammar/ast.js';
import type { CheckContext } from './context.js';
import { checkDataset } from './datasets.js';
import { checkEnum, checkGoal, checkModel } from './declarations.js';
import { checkNamedArgs } from './named-args.js';
import { checkPrompt } from './prompts.js';
import { CheckRegistry } from './registry.js';
import { checkSim } from './sims.js';
import { checkSource } from './sources.js';
import { checkStruct } from './structs.js';
import { datasetTypes, promptTypes, sourceTypes, structTypes } from './type-refs.js';

/** The two phases of a declaration's check, in the order `checkProgram` runs them over the whole program. */
export type CheckPhase = 'types' | 'body';

/** `dataset tickets`, `goal`: a declaration as SYN9001 names it. */
function declWhat(d: A.Decl): string {
  return d.kind === 'Goal' ? 'goal' : `${d.kind.toLowerCase()} ${d.name.name}`;
}

/** The checks of each phase, per declaration kind. */
export const DECL_CHECKS: Readonly<Record<CheckPhase, CheckRegistry<A.Decl, CheckContext>>> = {
  types: new CheckRegistry<A.Decl, CheckContext>(declWhat)
    .register('Struct', 'field types', structTypes)
    .register('Prompt', 'parameter and return types', promptTypes)
    .register('Source', 'row type', sourceTypes)
    .register('Dataset', 'row type', datasetTypes),
  body: new CheckRegistry<A.Decl, CheckContext>(declWhat)
    .register('Goal', 'goal settings', checkGoal)
    .register('Enum', 'enum cases', checkEnum)
    .register('Struct', 'struct fields', checkStruct)
    .register('Model', 'model settings', checkModel)
    .register('Prompt', 'prompt', checkPrompt)
    .register('Source', 'source', checkSource)
    .register('Sim', 'simulation', checkSim)
    .register('Dataset', 'dataset', checkDataset)
    // every kind of declaration: a call's named argument is only meaningful in a sampler
    .register('Goal', 'named arguments', checkNamedArgs)
    .register('Struct', 'named arguments', checkNamedArgs)
    .register('Model', 'named arguments', checkNamedArgs)
    .register('Prompt', 'named arguments', checkNamedArgs)
    .register('Source', 'named arguments', checkNamedArgs)
    .register('Sim', 'named arguments', checkNamedArgs)
    .register('Dataset', 'named arguments', checkNamedArgs),
};
