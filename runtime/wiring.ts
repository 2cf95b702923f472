// Connects the plan executor to the outside world: the LLM client for prompt stages, the document loader for
// sources, and the budget guard. Kept apart from run-plan.ts so tests can run plans with their own runners.
import type { Plan } from '../compiler/plan/build.js';
import type { PromptRunner } from './dataset/execute.js';
import type { Value } from './eval.js';

export interface BudgetGuard {
  limitUsd: number | undefined;
  spentMicroUsd: number;
  add(microUsd: number): void;
  exceeded(): string | undefined;
}

export function budgetGuard(limitUsd: number | undefined): BudgetGuard {
  return {
    limitUsd,
    spentMicroUsd: 0,
    add(m) {
      this.spentMicroUsd += m;
    },
    exceeded() {
      return this.limitUsd !== undefined && this.spentMicroUsd / 1e6 > this.limitUsd ? `budget of $${this.limitUsd} reached` : undefined;
    },
  };
}

export function promptRunnerFactory(_plan: Plan, _root: string, _budget: BudgetGuard): (dataset: string) => PromptRunner | undefined {
  return () => undefined;
}

export function sourceLoader(_plan: Plan, _root: string, _allowOutside: boolean): ((source: string) => Promise<Value[]>) | undefined {
  return undefined;
}
