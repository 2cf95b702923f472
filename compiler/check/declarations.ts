// Declarations whose check is their settings or their cases: `goal`, `model` and `enum`.
import type * as A from '../../grammar/ast.js';
import { GOAL_SETTINGS, MODEL_SETTINGS } from '../settings.js';
import type { CheckContext } from './context.js';
import { checkSettings } from './settings.js';

/** A goal's settings (seed, split, purpose). */
export function checkGoal(d: A.GoalDecl, ctx: CheckContext): void {
  checkSettings(ctx, d.settings, GOAL_SETTINGS, 'goal');
}

/** A model's settings; `name` is required; its chain of `fallback` models ends (SYN3082). */
export function checkModel(d: A.ModelDecl, ctx: CheckContext): void {
  const settings = checkSettings(ctx, d.settings, MODEL_SETTINGS, `model ${d.name.name}`, d.name.span);
  const first = settings.get('fallback');
  if (!first) return;
  const chain = [d.name.name];
  let next = fallbackOf(settings.get('fallback'));
  while (next) {
    chain.push(next);
    if (next === d.name.name) {
      ctx.report('SYN3082', first.value.span, { model: d.name.name, cycle: chain.join(' → ') });
      return;
    }
    if (chain.indexOf(next) < chain.length - 1) return; // a cycle further along: reported at its own models
    const decl = ctx.symbols.get(next)?.decl;
    next = decl?.kind === 'Model' ? fallbackOf(decl.settings.find((s) => s.key.name === 'fallback')) : undefined;
  }
}

/** The model a `fallback` setting names, if it names one. */
function fallbackOf(s: A.Setting | undefined): string | undefined {
  return s?.value.kind === 'Name' ? s.value.name.name : undefined;
}

/** An enum has at least one case (SYN3010); repeated cases are found with the symbols (symbols.ts). */
export function checkEnum(d: A.EnumDecl, ctx: CheckContext): void {
  if (d.cases.length === 0) ctx.report('SYN3010', d.name.span, { name: d.name.name });
}
