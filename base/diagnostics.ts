// The one registry of Synth's diagnostics: code → severity, title, message template. Every layer (parser,
// checker, planner, runtime, language server) reports through it, and docs/language.md's table and the
// per-code tests are checked against it, so a code can never be used without being documented.
//
// Message templates use `{name}` placeholders filled from the `args` given when the diagnostic is made.
// Codes: SYN0xxx syntax, SYN1xxx names, SYN2xxx types, SYN3xxx semantics, SYN4xxx build-time/config,
// SYN5xxx runtime (execution), SYN6xxx simulation runtime.

import type { Span } from './span.js';

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface DiagnosticDef {
  severity: Severity;
  title: string;
  message: string;
}

export const DIAGNOSTICS = {
  SYN0001: { severity: 'error', title: 'syntax error', message: '{detail}' },
  SYN0002: { severity: 'error', title: 'unterminated string', message: 'unterminated string literal' },
  SYN0003: { severity: 'error', title: 'invalid character', message: "unexpected character '{char}'" },
  SYN0004: { severity: 'error', title: 'invalid template', message: 'template: {detail}' },
  SYN0005: { severity: 'error', title: 'invalid number', message: "'{raw}' is not a valid {what}" },
  SYN1001: { severity: 'error', title: 'unknown name', message: "unknown {what} '{name}'{hint}" },
  SYN1002: { severity: 'error', title: 'duplicate declaration', message: "'{name}' is already declared{where}" },
  SYN1003: { severity: 'error', title: 'import not found', message: "cannot read imported file '{path}': {reason}" },
  SYN1004: { severity: 'error', title: 'unknown setting', message: "'{key}' is not a setting of {block}{hint}" },
  SYN1005: { severity: 'error', title: 'missing setting', message: '{block} needs `{key}`' },
  SYN1006: { severity: 'warning', title: 'unused declaration', message: "{what} '{name}' is never used" },
  SYN1007: { severity: 'error', title: 'import cycle', message: "import cycle: {cycle}" },
  SYN2001: { severity: 'error', title: 'type mismatch', message: '{detail}' },
  SYN2002: { severity: 'error', title: 'unknown template name', message: "template names '{name}', which is not {what}{hint}" },
  SYN2003: { severity: 'error', title: 'bad prompt call', message: '{detail}' },
  SYN2004: { severity: 'error', title: 'constraint does not fit type', message: "@{constraint} does not apply to {type}" },
  SYN2005: { severity: 'error', title: 'unknown field', message: "{type} has no field '{name}'{hint}" },
  SYN2006: { severity: 'error', title: 'missing field', message: "record for {type} is missing field '{name}'" },
  SYN2007: { severity: 'error', title: 'bad constraint', message: '{detail}' },
  SYN2008: { severity: 'error', title: 'bad sampler', message: '{detail}' },
  SYN3001: { severity: 'error', title: 'fractions do not sum to 1', message: '{what} sum to {sum}, not 1' },
  SYN3002: { severity: 'error', title: 'conflicting writes', message: "state '{name}' is written by rules '{a}' and '{b}' in the same phase" },
  SYN3003: { severity: 'error', title: 'misplaced construct', message: '{detail}' },
  SYN3004: { severity: 'error', title: 'dataset has no rows', message: "dataset '{name}' needs `count N`, `for x in ...` or a grid `vary x in ...`" },
  SYN3005: { severity: 'error', title: 'dataset has no row', message: "dataset '{name}' needs `row = ...`" },
  SYN3006: { severity: 'error', title: 'assignment to read-only name', message: "'{name}' is {what} and cannot be assigned" },
  SYN3007: { severity: 'error', title: 'value out of range', message: '{detail}' },
  SYN3008: { severity: 'error', title: 'duplicate goal', message: 'a file has at most one `goal`' },
  SYN3009: { severity: 'warning', title: 'no output', message: "dataset '{name}' has no `output`; rows go to out/{name}.jsonl" },
  SYN4001: { severity: 'error', title: 'env() where a constant is needed', message: '`env(...)` is read at run time and cannot be used for {what}' },
  SYN4002: { severity: 'error', title: 'path escapes project', message: "path '{path}' resolves outside the project folder {root}; pass --allow-outside-project to permit it" },
  SYN4003: { severity: 'error', title: 'secret in spec', message: '{what} must come from env(...), not a literal, so it never reaches plans or git' },
  SYN5001: { severity: 'error', title: 'no LLM endpoint', message: "model '{model}' has no API key: set the environment variable {env}{extra}" },
  SYN5002: { severity: 'error', title: 'LLM call failed', message: "{detail}" },
  SYN5003: { severity: 'error', title: 'budget exceeded', message: '{detail}' },
  SYN5004: { severity: 'error', title: 'expectation failed', message: '{detail}' },
  SYN5005: { severity: 'error', title: 'output error', message: '{detail}' },
  SYN5006: { severity: 'error', title: 'plan mismatch', message: '{detail}' },
  SYN5007: { severity: 'error', title: 'source error', message: '{detail}' },
  SYN5008: {
    severity: 'error',
    title: 'shards from different simulation backends',
    message: 'dataset {dataset}: shards {a} and {b} ran simulation {sim} on different backends ({x}, {y}), whose results for it may differ: {why}; rerun the shards on one backend (e.g. `--backend cpu`)',
  },
  SYN6001: { severity: 'error', title: 'event buffer overflow', message: '{detail}' },
  SYN6002: { severity: 'error', title: 'non-finite state', message: '{detail}' },
  SYN6003: { severity: 'error', title: 'GPU backend failure', message: '{detail}' },
  SYN6004: { severity: 'error', title: 'simulation invariant failed', message: '{detail}' },
  SYN6005: {
    severity: 'error',
    title: 'simulation too large for memory',
    message: 'simulation {sim} needs about {needed} of memory ({parts}), more than {available}; run fewer worlds or shard the run (`--shard i/n`), observe less often, or pass `--max-memory SIZE` to try anyway',
  },
} as const satisfies Record<string, DiagnosticDef>;

export type DiagnosticCode = keyof typeof DIAGNOSTICS;

export interface RelatedInfo {
  file: string;
  span: Span;
  message: string;
}

/** A suggested edit: replace `span` in `file` with `newText`. */
export interface Fix {
  title: string;
  edits: { file: string; span: Span; newText: string }[];
}

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  file: string;
  span: Span;
  related?: RelatedInfo[];
  fix?: Fix;
  /** Machine-readable details for quick fixes (e.g. the unknown name and its suggestion). */
  data?: Record<string, unknown>;
}

export function formatMessage(code: DiagnosticCode, args: Record<string, string | number> = {}): string {
  return DIAGNOSTICS[code].message.replace(/\{(\w+)\}/g, (_, k: string) => (k in args ? String(args[k]) : ''));
}

export function makeDiagnostic(
  code: DiagnosticCode,
  file: string,
  span: Span,
  args: Record<string, string | number> = {},
  extra: Pick<Diagnostic, 'related' | 'fix' | 'data'> = {},
): Diagnostic {
  return { code, severity: DIAGNOSTICS[code].severity, message: formatMessage(code, args), file, span, ...extra };
}

/** Errors raised by the runtime carry a diagnostic code so the CLI prints them like checker errors. */
export class SynthError extends Error {
  constructor(
    readonly code: DiagnosticCode,
    message: string,
    readonly location?: { file: string; span: Span },
  ) {
    super(message);
    this.name = 'SynthError';
  }
}

export function synthError(code: DiagnosticCode, args: Record<string, string | number> = {}, location?: { file: string; span: Span }): SynthError {
  return new SynthError(code, formatMessage(code, args), location);
}
