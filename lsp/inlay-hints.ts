// Inlay hints: inferred types of `vary`, `let` and `for` variables (and of sim `let`s), and per dataset the rows
// and LLM calls it will make (the estimate `synth run --dry-run` prints, via estimate.ts).
import { InlayHintKind, type InlayHint, type InlayHintParams } from 'vscode-languageserver';
import type * as A from '../grammar/ast.js';
import { analyzeSim } from '../compiler/sim/check.js';
import { show } from '../compiler/types.js';
import { datasetEstimate, rowsAndCalls } from './estimate.js';
import { toOffset, toPosition } from './positions.js';
import type { Analysis } from './workspace.js';

/** The hints of `params.range`: types (InlayHintKind.Type) after names, a dataset's rows and calls after its header. */
export function inlayHints(a: Analysis, params: InlayHintParams): InlayHint[] {
  const lines = a.source.lines;
  const from = toOffset(lines, params.range.start);
  const to = toOffset(lines, params.range.end);
  const out: InlayHint[] = [];
  const typeHint = (ident: A.Ident, type: string) => {
    if (!ident.name || type === 'unknown') return;
    out.push({ position: toPosition(lines, ident.span.end), label: `: ${type}`, kind: InlayHintKind.Type, paddingLeft: false });
  };
  const refs = a.result.ctx.references;
  for (const d of a.source.ast.decls) {
    if (d.span.end < from || d.span.start > to) continue;
    if (d.kind === 'Dataset') {
      const e = d.name.name ? datasetEstimate(a, d.name.name) : undefined;
      const at = d.rowType ? d.rowType.span.end : d.name.span.end;
      if (e) out.push({ position: toPosition(lines, at), label: ` ${rowsAndCalls(e)}`, kind: InlayHintKind.Parameter, paddingLeft: true });
      for (const c of d.clauses) {
        if (c.kind === 'Vary') typeHint(c.name, show(refs.get(c.name)?.type ?? { k: 'unknown' }));
        if (c.kind === 'LetClause') typeHint(c.name, show(refs.get(c.name)?.type ?? { k: 'unknown' }));
        if (c.kind === 'For') typeHint(c.binder, show(refs.get(c.binder)?.type ?? { k: 'unknown' }));
      }
    }
    if (d.kind === 'Sim') {
      const types = analyzeSim(d, a.doc.path).types;
      const block = (b: A.Block): void => {
        for (const s of b.stmts) {
          if (s.kind === 'Let' && !s.type) {
            const t = types.get(s.value);
            if (t) typeHint(s.name, t === 'int' ? 'i32' : t);
          }
          if (s.kind === 'If') {
            block(s.then);
            if (s.else?.kind === 'Block') block(s.else);
            else if (s.else) block({ kind: 'Block', stmts: [s.else], span: s.else.span });
          }
        }
      };
      for (const r of d.rules) block(r.body);
    }
  }
  return out.filter((h) => {
    const o = toOffset(lines, h.position);
    return o >= from && o <= to;
  });
}
