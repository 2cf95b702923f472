// Signature help: inside `f(...)`, the callee's signature with the active parameter — prompts (with their
// parameter types and return type) and the built-in functions, aggregates, samplers and sim functions.
import type { ParameterInformation, SignatureHelp, SignatureHelpParams } from 'vscode-languageserver';
import { AGGREGATES, FUNCTIONS, SAMPLERS } from '../compiler/builtins.js';
import { SIM_FUNCTIONS, SIM_RANDOM } from '../compiler/sim/builtins.js';
import { typeRefText } from '../compiler/types.js';
import { cursorContext } from './context.js';
import { toOffset } from './positions.js';
import type { Analysis } from './workspace.js';

/** The innermost unclosed call before `offset`: its callee name and the index of the argument being written. */
export function callAt(text: string, from: number, offset: number): { name: string; arg: number } | undefined {
  let depth = 0;
  let commas = 0;
  for (let i = offset - 1; i >= from; i--) {
    const c = text[i]!;
    if (c === '"') return undefined; // keep it simple: no calls spanning strings
    if (c === ')' || c === ']' || c === '}') depth++;
    else if (c === '(' || c === '[' || c === '{') {
      if (depth === 0) {
        if (c !== '(') return undefined;
        const m = /([A-Za-z_]\w*)\s*$/.exec(text.slice(Math.max(from, i - 64), i));
        return m ? { name: m[1]!, arg: commas } : undefined;
      }
      depth--;
    } else if (c === ',' && depth === 0) commas++;
  }
  return undefined;
}

function paramsOf(signature: string): string[] {
  const m = /\(([^)]*)\)/.exec(signature);
  if (!m || !m[1]!.trim()) return [];
  return m[1]!.split(',').map((s) => s.trim());
}

/** textDocument/signatureHelp: the signature of the prompt or built-in being called at the cursor, with the active parameter; null outside a call. */
export function signatureHelp(a: Analysis, params: SignatureHelpParams): SignatureHelp | null {
  const offset = toOffset(a.source.lines, params.position);
  const cx = cursorContext(a, offset);
  if (cx.inComment || cx.inString) return null;
  const from = cx.decl ? cx.decl.span.start : Math.max(0, offset - 2000);
  const call = callAt(a.doc.text, from, offset);
  if (!call) return null;
  const sym = a.result.symbols.get(call.name);
  let label: string;
  let parameters: string[];
  let doc: string | undefined;
  if (sym?.decl.kind === 'Prompt') {
    parameters = sym.decl.params.map((p) => `${p.name.name}: ${typeRefText(p.type)}`);
    label = `${call.name}(${parameters.join(', ')})${sym.decl.returnType ? ' -> ' + typeRefText(sym.decl.returnType) : ''}`;
    doc = 'prompt';
  } else {
    const inSim = cx.decl?.kind === 'Sim';
    const f = inSim ? (SIM_FUNCTIONS[call.name] ?? SIM_RANDOM[call.name]) : (FUNCTIONS[call.name] ?? AGGREGATES[call.name] ?? SAMPLERS[call.name]);
    if (!f) return null;
    label = f.signature.split(' | ')[f.signature.includes(' | ') && call.arg > 0 ? 1 : 0]!;
    parameters = paramsOf(label);
    doc = f.doc;
  }
  const infos: ParameterInformation[] = [];
  let pos = label.indexOf('(') + 1;
  for (const p of parameters) {
    const at = label.indexOf(p, pos);
    infos.push({ label: [at, at + p.length] });
    pos = at + p.length;
  }
  return {
    signatures: [{ label, documentation: doc, parameters: infos }],
    activeSignature: 0,
    activeParameter: Math.min(call.arg, Math.max(0, infos.length - 1)),
  };
}
