// Sources: `source docs = files("glob") { chunk 512 overlap 64 }`.
import type * as A from '../../grammar/ast.js';
import { SOURCE_SETTINGS } from '../settings.js';
import { constNumber } from './const-eval.js';
import type { CheckContext } from './context.js';
import { checkSettings } from './settings.js';

/** A source: `files("glob")` with one string argument (SYN2022), its settings, `overlap` below `chunk` (SYN3012). */
export function checkSource(d: A.SourceDecl, ctx: CheckContext): void {
  const init = d.init;
  if (init.kind !== 'Missing' && (init.kind !== 'Call' || init.callee.name !== 'files' || init.args.length !== 1 || init.args[0]!.kind !== 'String')) {
    ctx.report('SYN2022', init.span);
  }
  const byKey = checkSettings(ctx, d.settings, SOURCE_SETTINGS, `source ${d.name.name}`);
  const chunk = byKey.get('chunk');
  const overlap = byKey.get('overlap');
  if (chunk && overlap) {
    const c = constNumber(chunk.value);
    const o = constNumber(overlap.value);
    if (c !== undefined && o !== undefined && o >= c) ctx.report('SYN3012', overlap.value.span, { overlap: o, chunk: c });
  }
}
