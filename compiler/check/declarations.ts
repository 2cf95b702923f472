// Declarations whose check is their settings or their cases: `goal`, `model` and `enum`.
import type * as A from '../../grammar/ast.js';
import { GOAL_SETTINGS, MODEL_SETTINGS } from '../settings.js';
import type { CheckContext } from './context.js';
import { checkSettings } from './settings.js';

/** A goal's settings (seed, split, purpose). */
export function checkGoal(d: A.GoalDecl, ctx: CheckContext): void {
  checkSettings(ctx, d.settings, GOAL_SETTINGS, 'goal');
}

/** A model's settings; `name` is required. */
export function checkModel(d: A.ModelDecl, ctx: CheckContext): void {
  checkSettings(ctx, d.settings, MODEL_SETTINGS, `model ${d.name.name}`, d.name.span);
}

/** An enum has at least one case (SYN3010); repeated cases are found with the symbols (symbols.ts). */
export function checkEnum(d: A.EnumDecl, ctx: CheckContext): void {
  if (d.cases.length === 0) ctx.report('SYN3010', d.name.span, { name: d.name.name });
}
