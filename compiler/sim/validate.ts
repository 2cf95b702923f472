// Operand types every IR node must have for both printers to print it as the same operation. The lowering
// (lower.ts) and the library (xmath.ts) build the IR; this checks what they built, so a node one printer can
// spell and the other cannot — a `neg` on a u32 (WGSL has no u32 negation; JavaScript wrapped it), an `f32`
// mixed into i32 arithmetic — is a "bug in Synth" error when the plan is built (SYN9002), never a WGSL compile
// error on one backend and different numbers on the other.
import { unreachable, type Expr, type FnDef, type SimIR, type Stmt, type Ty } from './ir.js';
import { children, elemOf, isVecTy, widthOf } from './ir.js';

/**
 * The problems of a lowered sim's IR, each one line naming the node (empty: every node is printable by both
 * printers). Checks operand and result types of every expression in the initialisers, rules, invariants and
 * library functions.
 */
export function validateIR(ir: SimIR): string[] {
  const problems: string[] = [];
  const lib = new Map(ir.lib.map((f) => [f.name, f]));
  const expr = (e: Expr, where: string): void => {
    const bad = (why: string) => problems.push(`${where}: ${e.k}${'op' in e ? ` ${e.op}` : 'fn' in e ? ` ${e.fn}` : ''} ${why}`);
    const same = (...xs: Expr[]) => xs.every((x) => x.ty === e.ty) || bad(`of ${e.ty} has operands of ${xs.map((x) => x.ty).join(', ')}`);
    switch (e.k) {
      case 'const':
        if (e.v.length !== widthOf(e.ty)) bad(`of ${e.ty} has ${e.v.length} components`);
        break;
      case 'var':
      case 'other':
      case 'otherAgent':
      case 'rand':
        break;
      case 'neg':
        // the language's rules: a u32 is never negated (SYN2011); an abstract integer that is, is an i32
        if (elemOf(e.ty) !== 'f32' && e.ty !== 'i32') bad(`of ${e.ty}: only f32, vectors and i32 can be negated`);
        same(e.a);
        break;
      case 'not':
        if (e.a.ty !== 'bool') bad(`of ${e.a.ty}`);
        break;
      case 'arith':
        if (e.ty === 'bool') bad('on bool');
        same(e.a, e.b);
        break;
      case 'bits':
        if (e.a.ty !== e.ty || (e.b.ty !== 'i32' && e.b.ty !== 'u32')) bad(`of ${e.ty} has operands of ${e.a.ty}, ${e.b.ty}`);
        if (e.b.ty !== e.ty && e.op !== 'shl' && e.op !== 'shr') bad(`of ${e.ty} has operands of ${e.a.ty}, ${e.b.ty}`);
        break;
      case 'cmp':
        if (e.a.ty !== e.b.ty || isVecTy(e.a.ty)) bad(`compares ${e.a.ty} with ${e.b.ty}`);
        break;
      case 'logic':
        if (e.a.ty !== 'bool' || e.b.ty !== 'bool') bad(`of ${e.a.ty}, ${e.b.ty}`);
        break;
      case 'prim':
        if (e.ty === 'bool') bad('on bool');
        if ((e.fn === 'floor' || e.fn === 'ceil' || e.fn === 'trunc') && elemOf(e.ty) !== 'f32') bad(`of ${e.ty}`);
        if (e.fn === 'clz' && e.ty !== 'u32') bad(`of ${e.ty}`);
        same(...e.args);
        break;
      case 'convert':
        if (isVecTy(e.a.ty)) bad(`from ${e.a.ty}`);
        break;
      case 'bitcast':
        if (e.a.ty === 'bool' || isVecTy(e.a.ty)) bad(`from ${e.a.ty}`);
        break;
      case 'vec':
        if (e.args.length !== widthOf(e.ty) || e.args.some((a) => a.ty !== 'f32')) bad(`of ${e.ty} from ${e.args.map((a) => a.ty).join(', ')}`);
        break;
      case 'splat':
        if (e.a.ty !== 'f32') bad(`of ${e.a.ty}`);
        break;
      case 'comp':
        if (!isVecTy(e.a.ty) || e.i < 0 || e.i >= widthOf(e.a.ty)) bad(`${e.i} of ${e.a.ty}`);
        break;
      case 'select':
        if (e.c.ty !== 'bool') bad(`with a condition of ${e.c.ty}`);
        same(e.f, e.t);
        break;
      case 'call': {
        const f = lib.get(e.fn);
        if (!f) bad('of a function not in the library');
        else if (f.ret !== e.ty || f.params.length !== e.args.length || f.params.some((p, i) => p.ty !== e.args[i]!.ty)) bad(`(${e.args.map((a) => a.ty).join(', ')}) → ${e.ty} does not match (${f.params.map((p) => p.ty).join(', ')}) → ${f.ret}`);
        break;
      }
      case 'reduce':
        if ((e.op === 'count' || e.op === 'any' || e.op === 'all' ? 'bool' : e.op === 'mean' ? 'f32' : e.ty) !== e.body.ty) bad(`of ${e.ty} has a body of ${e.body.ty}`);
        if (e.where && e.where.ty !== 'bool') bad(`has a where of ${e.where.ty}`);
        if (e.dflt.ty !== e.ty) bad(`of ${e.ty} has a default of ${e.dflt.ty}`);
        break;
      default:
        unreachable(e);
    }
    for (const c of children(e)) expr(c, where);
  };
  const typed = (value: Expr, ty: Ty, where: string) => {
    if (value.ty !== ty) problems.push(`${where}: a ${value.ty} value for a ${ty}`);
    expr(value, where);
  };
  const stmts = (ss: Stmt[], where: string): void => {
    for (const s of ss) {
      switch (s.k) {
        case 'let':
          typed(s.value, s.ty, `${where}, let ${s.name}`);
          break;
        case 'assign':
          typed(s.value, s.ty, `${where}, ${s.state} =`);
          break;
        case 'if':
          typed(s.cond, 'bool', `${where}, if`);
          stmts(s.then, where);
          stmts(s.else, where);
          break;
        case 'emit':
          s.fields.forEach((f) => expr(f, `${where}, emit`));
          break;
        default:
          unreachable(s);
      }
    }
  };
  for (const i of ir.init) typed(i.value, i.ty, `initialiser of ${i.state}`);
  for (const p of ir.phases) {
    for (const r of p.rules) {
      if (r.when) typed(r.when, 'bool', `rule ${r.name}, when`);
      stmts(r.body, `rule ${r.name}`);
    }
  }
  ir.invariants.forEach((c, i) => typed(c, 'bool', `check ${i + 1}`));
  for (const f of ir.lib) libFn(f, expr, problems);
  return problems;
}

function libFn(f: FnDef, expr: (e: Expr, where: string) => void, problems: string[]): void {
  for (const l of f.lets) expr(l.value, `${f.name}, let ${l.name}`);
  if (f.result.ty !== f.ret) problems.push(`${f.name}: returns a ${f.result.ty} for a ${f.ret}`);
  expr(f.result, `${f.name}, result`);
}
