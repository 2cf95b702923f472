// Constant evaluation: the numbers a spec fixes when the plan is built (settings, bounds, sampler parameters,
// `count`). Read by the checker, the plan's lowering, the simulation compiler and the language server's hovers,
// so all of them fold the same expressions to the same values.
import type * as A from '../../grammar/ast.js';

/**
 * The value of a constant numeric expression: a number literal, or `-`, `+`, `-`, `*`, `/` of constants.
 * Undefined when `e` is not constant (a name, a call, a string, ...) or divides by zero. IEEE-754 doubles: a fold
 * may overflow to ±Infinity, which callers range-check.
 */
export function constNumber(e: A.Expr): number | undefined {
  switch (e.kind) {
    case 'Number':
      return e.value;
    case 'Unary':
      if (e.op === '-') {
        const v = constNumber(e.operand);
        return v === undefined ? undefined : -v;
      }
      return undefined;
    case 'Binary': {
      const l = constNumber(e.left);
      const r = constNumber(e.right);
      if (l === undefined || r === undefined) return undefined;
      switch (e.op) {
        case '+':
          return l + r;
        case '-':
          return l - r;
        case '*':
          return l * r;
        case '/':
          return r === 0 ? undefined : l / r;
      }
      return undefined;
    }
  }
  return undefined;
}

/**
 * The value of constant arithmetic `e` as IEEE floats compute it, division by 0 included: Infinity for an
 * overflow (`1e308 * 10.0`) or `1.0 / 0.0`, NaN for `0.0 / 0.0`; undefined when `e` is not constant arithmetic.
 * (`constNumber` leaves a division by 0 undefined: such an argument is then taken as computed per row.)
 */
export function constNumberIeee(e: A.Expr): number | undefined {
  switch (e.kind) {
    case 'Number':
      return e.value;
    case 'Unary': {
      const v = e.op === '-' ? constNumberIeee(e.operand) : undefined;
      return v === undefined ? undefined : -v;
    }
    case 'Binary': {
      const l = constNumberIeee(e.left);
      const r = constNumberIeee(e.right);
      if (l === undefined || r === undefined) return undefined;
      if (e.op === '+') return l + r;
      if (e.op === '-') return l - r;
      if (e.op === '*') return l * r;
      if (e.op === '/') return l / r;
      return undefined;
    }
  }
  return undefined;
}

/** Is `e` a call of `env(...)`: a value read from the environment at run time, not a constant? */
export function isEnvCall(e: A.Expr): e is A.CallExpr {
  return e.kind === 'Call' && e.callee.name === 'env';
}
