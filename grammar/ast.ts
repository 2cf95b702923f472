// The typed AST of a `.synth` file: the contract between the parser (grammar/), the checker and planner
// (compiler/), the runtime and the language server. Every node carries `span`, a half-open range of UTF-16
// offsets into its file's text; line/column are derived on demand (see source.ts), so nodes stay cheap.
//
// Invariant: the parser recovers from errors, so any field may hold a "missing" placeholder. Names that could
// not be parsed are Ident nodes with `name: ''`; expressions that could not be parsed are `Missing` nodes.
// Consumers must tolerate them (and never report a second error for a Missing node).

import type { Span } from '../base/span.js';

export type { Span };

interface NodeBase {
  span: Span;
}

export interface Ident extends NodeBase {
  kind: 'Ident';
  name: string;
}

export interface Comment extends NodeBase {
  kind: 'Comment';
  text: string; // including the leading `//` or `/* */`
}

export interface SynthFile extends NodeBase {
  kind: 'File';
  path: string;
  imports: ImportDecl[];
  decls: Decl[];
  comments: Comment[];
}

export interface ImportDecl extends NodeBase {
  kind: 'Import';
  path: StringLit;
}

export type Decl = GoalDecl | EnumDecl | StructDecl | ModelDecl | PromptDecl | SourceDecl | SimDecl | DatasetDecl;

/** `key value` inside goal/model/prompt/source/sim blocks. The checker knows which keys each block accepts. */
export interface Setting extends NodeBase {
  kind: 'Setting';
  key: Ident;
  value: Expr;
}

export interface GoalDecl extends NodeBase {
  kind: 'Goal';
  keyword: Span;
  description: StringLit | undefined;
  settings: Setting[]; // seed, split { train: 0.9, test: 0.1 }, purpose ...
}

export interface EnumDecl extends NodeBase {
  kind: 'Enum';
  name: Ident;
  cases: Ident[];
}

export interface StructDecl extends NodeBase {
  kind: 'Struct';
  name: Ident;
  fields: FieldDecl[];
}

export interface FieldDecl extends NodeBase {
  kind: 'Field';
  name: Ident;
  type: TypeRef;
  constraints: Constraint[];
}

/** `@len(5..80)`, `@range(1..5)`, `@pattern("re")`, `@items(0..5)`, `@desc("...")` */
export interface Constraint extends NodeBase {
  kind: 'Constraint';
  name: Ident;
  args: Expr[];
}

export type TypeRef = NamedType | ArrayType | OptionalType | UnionType;

export interface NamedType extends NodeBase {
  kind: 'NamedType';
  name: Ident; // string int float bool image f32 i32 u32 vec2f vec3f vec4f, or an enum/struct name
}

export interface ArrayType extends NodeBase {
  kind: 'ArrayType';
  element: TypeRef;
}

export interface OptionalType extends NodeBase {
  kind: 'OptionalType';
  inner: TypeRef;
}

/** `"low" | "high"` */
export interface UnionType extends NodeBase {
  kind: 'UnionType';
  members: StringLit[];
}

export interface ModelDecl extends NodeBase {
  kind: 'Model';
  name: Ident;
  settings: Setting[];
}

export interface Param extends NodeBase {
  kind: 'Param';
  name: Ident;
  type: TypeRef;
}

export interface PromptDecl extends NodeBase {
  kind: 'Prompt';
  name: Ident;
  params: Param[];
  returnType: TypeRef | undefined;
  /** All `key value` items; `system`/`user`/`assistant` values are Template expressions. */
  settings: Setting[];
}

export interface SourceDecl extends NodeBase {
  kind: 'Source';
  name: Ident;
  /** `source people: Person = table(…)`: the struct every row of a table is checked against */
  rowType?: TypeRef | undefined;
  init: Expr; // files("docs/**/*.md") or table("seed/people.csv")
  settings: Setting[]; // chunk 512, overlap 64
}

// ---------------------------------------------------------------- simulations

export interface SimDecl extends NodeBase {
  kind: 'Sim';
  name: Ident;
  settings: Setting[]; // worlds, agents, steps, seed
  params: SimVar[];
  states: SimVar[];
  rules: RuleDecl[];
  events: EventDecl[];
  observes: ObserveDecl[];
  checks: SimCheck[];
}

/** `param dt: f32 = 0.1` or `state x: f32 = uniform(0.0, 1.0)` */
export interface SimVar extends NodeBase {
  kind: 'SimVar';
  role: 'param' | 'state';
  name: Ident;
  type: TypeRef;
  init: Expr | undefined;
}

export interface RuleDecl extends NodeBase {
  kind: 'Rule';
  name: Ident;
  when: Expr | undefined;
  body: Block;
}

export interface EventDecl extends NodeBase {
  kind: 'Event';
  name: Ident;
  fields: FieldDecl[];
}

export interface ObserveDecl extends NodeBase {
  kind: 'Observe';
  every: Expr;
  fields: Ident[];
}

/** `check finite` (state must stay finite) or `check expr` (an invariant per agent) */
export interface SimCheck extends NodeBase {
  kind: 'SimCheck';
  expr: Expr;
}

export interface Block extends NodeBase {
  kind: 'Block';
  stmts: Stmt[];
}

export type Stmt = LetStmt | AssignStmt | IfStmt | EmitStmt;

export interface LetStmt extends NodeBase {
  kind: 'Let';
  name: Ident;
  type: TypeRef | undefined;
  value: Expr;
}

export interface AssignStmt extends NodeBase {
  kind: 'Assign';
  target: Ident;
  op: '=' | '+=' | '-=' | '*=' | '/=';
  value: Expr;
}

export interface IfStmt extends NodeBase {
  kind: 'If';
  cond: Expr;
  then: Block;
  else: Block | IfStmt | undefined;
}

export interface EmitStmt extends NodeBase {
  kind: 'Emit';
  event: Ident;
  fields: RecordLit;
}

// ---------------------------------------------------------------- datasets

export interface DatasetDecl extends NodeBase {
  kind: 'Dataset';
  name: Ident;
  rowType: TypeRef | undefined;
  clauses: Clause[];
}

export type Clause =
  | CountClause
  | ForClause
  | VaryClause
  | LetClause
  | RowClause
  | CheckClause
  | KeepClause
  | UniqueClause
  | JudgeClause
  | ExpectClause
  | OutputClause
  | FormatClause
  | SettingClause;

export interface CountClause extends NodeBase {
  kind: 'Count';
  value: Expr;
}

/** `for e in traffic.crash [each 3] [where e.speed > 20.0]` */
export interface ForClause extends NodeBase {
  kind: 'For';
  binder: Ident;
  iterable: Expr;
  each: Expr | undefined;
  /** items failing it are dropped before anything else of the row runs (no draw, no prompt call) */
  where: Expr | undefined;
}

/** `vary tier ~ weighted { free: 0.6 }` (sample) or `vary tier in Tier` (enumerate, grid) */
export interface VaryClause extends NodeBase {
  kind: 'Vary';
  name: Ident;
  mode: 'sample' | 'grid';
  dist: Expr;
}

/** `let answer = answer_q(row.question)` — an intermediate value, not a column unless kept */
export interface LetClause extends NodeBase {
  kind: 'LetClause';
  name: Ident;
  value: Expr;
}

export interface RowClause extends NodeBase {
  kind: 'Row';
  value: Expr; // a prompt call or a record literal
}

export interface CheckClause extends NodeBase {
  kind: 'Check';
  expr: Expr;
}

export interface KeepClause extends NodeBase {
  kind: 'Keep';
  names: Ident[];
}

export interface UniqueClause extends NodeBase {
  kind: 'Unique';
  expr: Expr;
  similarity: Expr | undefined;
}

/** `judge realism = rate_ticket(row) >= 4` */
export interface JudgeClause extends NodeBase {
  kind: 'Judge';
  name: Ident;
  call: Expr;
  op: '>=' | '>' | undefined;
  threshold: Expr | undefined;
}

/** `expect share(tier == enterprise) in 0.05..0.15` */
export interface ExpectClause extends NodeBase {
  kind: 'Expect';
  expr: Expr;
}

export interface OutputClause extends NodeBase {
  kind: 'Output';
  path: StringLit;
}

/** `format chat { system: "...", user: "{row.subject}", assistant: "{row.priority}" }` */
export interface FormatClause extends NodeBase {
  kind: 'Format';
  style: Ident;
  fields: RecordLit;
}

/** `split { train: 0.9, test: 0.1 }`, `seed 7`, `model writer` ... inside a dataset */
export interface SettingClause extends NodeBase {
  kind: 'SettingClause';
  setting: Setting;
}

// ---------------------------------------------------------------- expressions

export type Expr =
  | NumberLit
  | StringLit
  | Template
  | BoolLit
  | DurationLit
  | NameRef
  | MemberExpr
  | IndexExpr
  | CallExpr
  | ReductionExpr
  | UnaryExpr
  | BinaryExpr
  | RangeExpr
  | RecordLit
  | ArrayLit
  | Missing;

export interface NumberLit extends NodeBase {
  kind: 'Number';
  value: number;
  isFloat: boolean; // written with `.` or exponent
  raw: string;
}

export interface StringLit extends NodeBase {
  kind: 'String';
  value: string; // unescaped; triple-quoted strings are dedented
  raw: string;
  triple: boolean;
}

/** A string in template position (prompt messages, `format` fields): literal text and `{expr}` holes. */
export interface Template extends NodeBase {
  kind: 'Template';
  parts: TemplatePart[];
  raw: string;
  triple: boolean;
}

export type TemplatePart = { kind: 'Text'; text: string; span: Span } | { kind: 'Hole'; expr: Expr; span: Span };

export interface BoolLit extends NodeBase {
  kind: 'Bool';
  value: boolean;
}

export interface DurationLit extends NodeBase {
  kind: 'Duration';
  ms: number;
  raw: string;
}

export interface NameRef extends NodeBase {
  kind: 'Name';
  name: Ident;
}

export interface MemberExpr extends NodeBase {
  kind: 'Member';
  object: Expr;
  member: Ident;
}

export interface IndexExpr extends NodeBase {
  kind: 'Index';
  object: Expr;
  index: Expr;
}

export interface CallExpr extends NodeBase {
  kind: 'Call';
  callee: Ident;
  args: Expr[];
  /** `name: value` arguments after (or among) the positional ones; absent when there are none */
  named?: NamedArg[];
}

/** `locale: "de"` in `fake("person.fullName", locale: "de")`. Only the calls that document one accept it. */
export interface NamedArg extends NodeBase {
  kind: 'NamedArg';
  name: Ident;
  value: Expr;
}

/** `min(o.x - x for o in agents where o.lane == lane, default 1e9)` */
export interface ReductionExpr extends NodeBase {
  kind: 'Reduction';
  op: Ident; // min max sum count mean any all
  body: Expr;
  binder: Ident;
  domain: Expr;
  where: Expr | undefined;
  default: Expr | undefined;
}

export type UnaryOp = '-' | '!';
export interface UnaryExpr extends NodeBase {
  kind: 'Unary';
  op: UnaryOp;
  operand: Expr;
}

export type BinaryOp = '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%' | 'in';
export interface BinaryExpr extends NodeBase {
  kind: 'Binary';
  op: BinaryOp;
  left: Expr;
  right: Expr;
}

/** `5..80` */
export interface RangeExpr extends NodeBase {
  kind: 'Range';
  low: Expr;
  high: Expr;
}

export interface RecordLit extends NodeBase {
  kind: 'Record';
  entries: RecordEntry[];
}

export interface RecordEntry extends NodeBase {
  kind: 'RecordEntry';
  key: Ident | StringLit;
  value: Expr;
}

export interface ArrayLit extends NodeBase {
  kind: 'Array';
  items: Expr[];
}

/** Placeholder for an expression the parser could not read; an error was already reported. */
export interface Missing extends NodeBase {
  kind: 'Missing';
}

/** The text of a record key: an identifier's name or a string key's value (`{ a: 1 }` and `{ "a": 1 }` both give `a`). */
export function keyName(key: Ident | StringLit): string {
  return key.kind === 'Ident' ? key.name : key.value;
}
