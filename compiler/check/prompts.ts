// Prompts: distinct parameters, settings (model, templates, sampling), template holes naming parameters, and the
// rules that tell a chat prompt from an image prompt (`-> image`).
import type * as A from '../../grammar/ast.js';
import { PROMPT_SETTINGS } from '../settings.js';
import { T, type Ty } from '../types.js';
import type { CheckContext } from './context.js';
import { ExprChecker, type Scope, type ScopeVar } from './expressions.js';
import { checkSettings } from './settings.js';
import { containsImage } from './type-refs.js';

/** The settings an image prompt has no use for, and those only an image prompt has. */
const CHAT_ONLY = ['system', 'assistant'];
const IMAGE_ONLY = ['size', 'images'];

/** A prompt declaration; its parameter and return types were resolved in phase 2 (type-refs.ts). */
export function checkPrompt(d: A.PromptDecl, ctx: CheckContext): void {
  const seen = new Set<string>();
  const vars = new Map<string, ScopeVar>();
  for (const p of d.params) {
    if (seen.has(p.name.name)) ctx.report('SYN1009', p.name.span, { name: p.name.name, scope: `the parameters of ${d.name.name}` });
    seen.add(p.name.name);
    const type = ctx.typeRefs.get(p.type) ?? T.unknown;
    vars.set(p.name.name, { type, resolution: { file: ctx.file, span: p.name.span, kind: 'param', type } });
  }
  const byKey = checkSettings(ctx, d.settings, PROMPT_SETTINGS, `prompt ${d.name.name}`, d.name.span);
  const exprs = new ExprChecker(ctx);
  const scope: Scope = { vars, templateOf: d.name.name };
  for (const s of d.settings) {
    if (s.value.kind === 'Template') exprs.check(s.value, scope);
  }
  const ret = d.returnType ? ctx.typeRefs.get(d.returnType) : undefined;
  if (ret?.k === 'image') imagePrompt(ctx, byKey);
  else chatPrompt(ctx, d, byKey, ret);
}

/** The images API takes one text prompt, the `user` template; the size defaults to the endpoint's. */
function imagePrompt(ctx: CheckContext, byKey: Map<string, A.Setting>): void {
  for (const k of CHAT_ONLY) {
    const s = byKey.get(k);
    if (s) ctx.report('SYN3014', s.key.span, { key: k });
  }
  const size = byKey.get('size')?.value;
  if (size?.kind === 'String' && !/^(\d{2,5}x\d{2,5}|auto)$/.test(size.value)) ctx.report('SYN3011', size.span, { size: size.value });
}

function chatPrompt(ctx: CheckContext, d: A.PromptDecl, byKey: Map<string, A.Setting>, ret: Ty | undefined): void {
  for (const k of IMAGE_ONLY) {
    const s = byKey.get(k);
    if (s) ctx.report('SYN3015', s.key.span, { key: k });
  }
  if (ret && d.returnType && containsImage(ret, ctx)) ctx.report('SYN3016', d.returnType.span);
}
