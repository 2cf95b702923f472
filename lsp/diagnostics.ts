// Compiler diagnostics → LSP diagnostics. The code, related locations, the compiler's suggested fix and its
// machine-readable data travel in `data`, so quick fixes are keyed on code + data, never on message text.
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import type { Diagnostic } from '../base/diagnostics.js';
import { DIAGNOSTICS } from '../base/diagnostics.js';
import { toRange } from './positions.js';
import type { Analysis } from './workspace.js';

const SEVERITY = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
} as const;

export interface DiagnosticData {
  code: string;
  /** offsets of the diagnostic in the document version it was computed for */
  start: number;
  end: number;
  hasFix: boolean;
  data?: Record<string, unknown>;
}

/** A compiler diagnostic as LSP sends it: range, severity, code, related locations, and `data` (code, offsets, the compiler's fix data) for quick fixes. */
export function toLspDiagnostic(a: Analysis, d: Diagnostic): LspDiagnostic {
  const ws = a.workspace;
  const related = (d.related ?? [])
    .map((r) => {
      const src = ws.sourceOf(a, r.file);
      return src ? { location: { uri: ws.uriOf(r.file), range: toRange(src.lines, r.span) }, message: r.message } : undefined;
    })
    .filter((r): r is NonNullable<typeof r> => !!r);
  const data: DiagnosticData = { code: d.code, start: d.span.start, end: d.span.end, hasFix: !!d.fix, ...(d.data ? { data: plain(d.data) } : {}) };
  return {
    range: toRange(a.source.lines, d.span),
    severity: SEVERITY[d.severity],
    code: d.code,
    codeDescription: undefined,
    source: 'synth',
    message: d.message,
    ...(related.length ? { relatedInformation: related } : {}),
    ...(d.code === 'SYN1006' ? { tags: [DiagnosticTag.Unnecessary] } : {}),
    data,
  };
}

function plain(x: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(x)) as Record<string, unknown>;
}

/** The diagnostics located in the analysed document, converted for LSP. */
export function documentDiagnostics(a: Analysis): LspDiagnostic[] {
  return a.diagnostics.map((d) => toLspDiagnostic(a, d));
}

/** A code's short title from the registry (`SYN5003` → `budget exceeded`); the code itself when unknown. */
export function diagnosticTitle(code: string): string {
  return (DIAGNOSTICS as Record<string, { title: string }>)[code]?.title ?? code;
}
