// The one registry of Synth's diagnostics: code → severity, title, message template and what to do. Every layer
// (parser, checker, planner, runtime, language server) reports through it; docs/language.md's code table is
// generated from it (`npm run docs:diagnostics`) and a test fails when the two drift apart.
//
// As TypeScript's diagnosticMessages.json: one situation per code, one fixed message template per code. A
// template names its arguments as `{name}`; the type of `makeDiagnostic`/`synthError` is computed from the
// template, so a call that forgets or misspells an argument does not compile. A "did you mean" suggestion and a
// list of valid choices are not part of any template: they are appended in one way for every code that takes
// them (`suggests`), so no call site words them itself.
//
// Codes: SYN0xxx syntax, SYN1xxx names, SYN2xxx types, SYN3xxx semantics, SYN4xxx build-time/configuration,
// SYN5xxx run time, SYN6xxx simulation run time, SYN9xxx bugs in Synth itself.

import type { Span } from './span.js';
import { escapeUnsafe } from './unsafe-text.js';

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface DiagnosticDef {
  severity: Severity;
  /** a few words, shown as the code's name (LSP hover on a code, the docs table) */
  title: string;
  /** the message, with `{name}` placeholders for the arguments (letters, digits and `_`) */
  message: string;
  /** one line for the docs: what the user should do about it */
  help?: string;
  /** takes a "did you mean" suggestion and a list of choices (appended to the message) */
  suggests?: true;
}

export const DIAGNOSTICS = {
  // ---- SYN0xxx: syntax
  SYN0001: { severity: 'error', title: 'syntax error', message: 'expected {expected} but found {found}', help: 'Write what the message expects at the caret; later errors in the same declaration may follow from this one.' },
  SYN0002: { severity: 'error', title: 'unterminated string', message: 'unterminated string literal', help: 'Close the string with `"` on the same line, or use `"""…"""` for text over several lines.' },
  SYN0003: { severity: 'error', title: 'invalid character', message: "unexpected character '{char}'", help: 'Remove the character; outside strings and comments Synth uses ASCII punctuation only.' },
  SYN0004: { severity: 'error', title: 'unclosed template hole', message: 'unclosed `{` in a template (write `\\{` for a literal brace)', help: 'Close the hole with `}` or escape the brace as `\\{`.' },
  SYN0005: { severity: 'error', title: 'invalid number', message: "'{raw}' is not a valid {what}", help: 'Write the number without doubled or trailing `_`; integers are exact up to 2^53, floats must be finite.' },
  SYN0006: { severity: 'error', title: 'unexpected token', message: 'unexpected {found}', help: 'Remove the token or finish the construct before it.' },
  SYN0007: { severity: 'error', title: 'unterminated comment', message: 'unterminated comment: `/*` has no `*/`', help: 'Close the comment with `*/`.' },
  SYN0008: { severity: 'error', title: 'nesting too deep', message: 'nesting too deep: more than {maxNesting} levels of brackets, `else if` or prefix operators (or an expression more than {maxDepth} levels deep)', help: 'Split the expression with `let` or move parts into separate declarations.' },
  SYN0009: { severity: 'error', title: 'expected a declaration', message: 'expected a declaration (goal, enum, struct, model, prompt, source, sim, dataset or import) but found {found}', help: 'Start each top-level item with a declaration keyword; check for a stray `}` just before.' },
  SYN0010: { severity: 'error', title: 'chained range', message: '`..` ranges do not chain: write `a..b`', help: 'Keep one `..` per range.' },
  SYN0011: { severity: 'error', title: 'empty template hole', message: 'empty `{}` in a template (write `\\{\\}` for literal braces)', help: 'Name a parameter inside the braces or escape them as `\\{\\}`.' },
  SYN0015: { severity: 'error', title: '`using` out of place', message: '`using` chooses the model of a prompt call and follows the call, e.g. answer(q) using strong', help: 'Write `using MODEL` right after the prompt call it applies to, once.' },
  SYN0016: { severity: 'error', title: 'generic type syntax', message: 'Synth does not write types as `{written}`', suggests: true, help: 'A list of T is `T[]` and an optional T is `T?` (the quick fix rewrites it).' },

  // ---- SYN1xxx: names
  SYN1001: { severity: 'error', title: 'unknown name', message: "unknown {what} '{name}'", suggests: true, help: 'Fix the spelling (the quick fix applies the suggestion) or declare the name.' },
  SYN1002: { severity: 'error', title: 'duplicate declaration', message: "'{name}' is already declared as {previous}", help: 'Rename one of the two declarations; all files of a program share one namespace.' },
  SYN1003: { severity: 'error', title: 'import not found', message: "imported file '{path}' does not exist", help: 'Fix the path; it is relative to the importing file.' },
  SYN1004: { severity: 'error', title: 'unknown setting', message: "'{key}' is not a setting of {block}", suggests: true, help: 'Fix the spelling (the quick fix applies the suggestion); section 4 lists each block\'s settings.' },
  SYN1005: { severity: 'error', title: 'missing setting', message: '{block} needs `{key}`', help: 'Add the setting (the quick fix inserts it with a placeholder value).' },
  SYN1006: { severity: 'warning', title: 'unused declaration', message: "{what} '{name}' is never used", help: 'Remove the declaration or use it.' },
  SYN1007: { severity: 'error', title: 'import cycle', message: 'import cycle: {cycle}', help: 'Move what both files need into a third file that both import.' },
  SYN1008: { severity: 'error', title: 'file not found', message: "file '{path}' does not exist", help: 'Check the path given to synth or opened in the editor.' },
  SYN1009: { severity: 'error', title: 'duplicate member', message: "'{name}' is declared twice in {scope}", help: 'Rename or remove one of the two.' },
  SYN1010: { severity: 'error', title: 'duplicate setting', message: '`{key}` is set twice in {block}', help: 'Keep one of the two settings.' },
  SYN1011: { severity: 'error', title: 'not a type', message: "'{name}' is {kind}, not a type", help: 'Use a primitive type (string, int, float, bool, image), a struct or an enum.' },
  SYN1012: { severity: 'error', title: 'unknown event', message: "simulation {sim} has no event '{name}'", suggests: true, help: 'Name one of the simulation\'s events, or `trajectory` for its observed states.' },
  SYN1050: { severity: 'error', title: 'spec file unreadable', message: "cannot read '{path}': {reason}", help: 'Give the path of a .synth file (not a folder) that you can read.' },

  // ---- SYN2xxx: types
  SYN2001: { severity: 'error', title: 'type mismatch', message: '{what} must be {expected}, found {found}', help: 'Change the value, or convert it (`str(x)`, `f32(x)`, …).' },
  SYN2002: { severity: 'error', title: 'unknown template name', message: "template names '{name}', which is not a parameter of {prompt}", suggests: true, help: 'Use one of the prompt\'s parameters, or add a parameter of that name.' },
  SYN2003: { severity: 'error', title: 'prompt argument type', message: 'argument {index} ({param}) of {prompt} must be {expected}, found {found}', help: 'Pass a value of the parameter\'s type.' },
  SYN2004: { severity: 'error', title: 'constraint does not fit type', message: '@{constraint} does not apply to {type}', help: '`@len`/`@pattern` apply to strings, `@range` to numbers, `@items` to lists.' },
  SYN2005: { severity: 'error', title: 'unknown field', message: "{type} has no field '{name}'", suggests: true, help: 'Fix the field name (the quick fix applies the suggestion), or add the field or enum case.' },
  SYN2006: { severity: 'error', title: 'missing field', message: "record for {type} is missing field '{name}'", help: 'Give the field a value, or make it optional (`name: T?`).' },
  SYN2007: { severity: 'error', title: 'constraint arguments', message: '@{name} takes {expected}', help: 'Write the constraint as in section 3, e.g. `@len(1..80)`, `@pattern("^[a-z]+$")`.' },
  SYN2008: { severity: 'error', title: 'sampler arguments', message: '{sampler} takes {expected}', help: 'Pass the sampler constant arguments of the kind its signature names.' },
  SYN2009: { severity: 'error', title: 'setting value', message: '`{key}` in {block} takes {expected}', help: 'Give the setting a value of the kind listed in section 4.' },
  SYN2010: { severity: 'error', title: 'argument count', message: '{callee} takes {expected}, got {found}', help: 'Pass exactly the arguments the signature names.' },
  SYN2011: { severity: 'error', title: 'operand type', message: '`{op}` needs {expected}, found {found}', help: 'Give the operator operands of the kind it works on.' },
  SYN2012: { severity: 'error', title: 'incomparable values', message: 'cannot compare {left} with {right}', help: 'Compare values of one type; for an enum, compare with a case name (`tier == pro`).' },
  SYN2013: { severity: 'error', title: 'value without fields', message: '{type} has no fields', help: 'Only structs, records, sim events and vectors have fields.' },
  SYN2014: { severity: 'error', title: 'mixed types', message: '{what} must share a type: {first} and {other}', help: 'Make every value the same type.' },
  SYN2015: { severity: 'error', title: 'built-in argument types', message: '{signature} takes {expected}, found {found}', help: 'Call the built-in with arguments of a type its signature shows.' },
  SYN2016: { severity: 'error', title: 'not a positive integer', message: '`{what}` takes a positive constant integer', help: 'Write a whole number ≥ 1 (not `env(...)` or an expression with variables).' },
  SYN2017: { severity: 'error', title: 'malformed env() call', message: 'env takes a variable name and an optional default: env("NAME", "default")', help: 'Pass the variable\'s name as a string literal of letters, digits and `_`.' },
  SYN2018: { severity: 'error', title: 'not a non-negative number', message: '{what} must be a constant non-negative number', help: 'Write a number ≥ 0.' },
  SYN2019: { severity: 'error', title: 'needs conversion to f32', message: '{what} is f32, but the value is {found} (convert it with f32(...))', help: 'Wrap the value in `f32(...)`; simulations never convert numbers implicitly.' },
  SYN2020: { severity: 'error', title: 'mixed number types', message: '`{op}` needs numbers of one type, found {left} and {right} (convert with f32(...), i32(...) or u32(...))', help: 'Convert one operand so both have the same type.' },
  SYN2021: { severity: 'error', title: 'not available in simulations', message: '{what} cannot be used in a simulation', help: 'Simulations compute with numbers, bools and vectors only.' },
  SYN2022: { severity: 'error', title: 'malformed source', message: 'a source is `files("glob")` (documents) or `table("path")` (typed rows), e.g. files("docs/**/*.md"), table("seed/people.csv")', help: 'Write `source NAME = files("pattern")`, or `source NAME: Struct = table("file.csv")`.' },
  SYN2023: { severity: 'error', title: 'malformed row', message: '`row =` takes a prompt call or a record literal', help: 'Write `row = prompt(args)` or `row = { field: value, … }`.' },
  SYN2024: { severity: 'error', title: 'judge without prompt', message: '`judge` calls a prompt that returns a score: `judge name = rate(row) >= 4`', help: 'Call a prompt declared in the program.' },
  SYN2025: { severity: 'error', title: 'judge score type', message: 'a judge prompt must return int, float, or a struct with a numeric `score` field; found {found}', help: 'Change the prompt\'s return type.' },
  SYN2026: { severity: 'error', title: 'agent used whole', message: 'use a field of {binder}, e.g. {binder}.x', help: 'Read one of the other agent\'s states through the reduction\'s variable.' },
  SYN2027: { severity: 'error', title: 'initialiser reads a later state', message: 'the initialiser of state {state} reads {read}, which is not declared above it; an initialiser reads only the states declared above it', help: 'Move the state it reads above it, or initialise it from params and draws.' },
  // SYN2001 split by the situations users meet (SYN2028-SYN2039)
  SYN2028: { severity: 'error', title: 'condition not bool', message: '{clause} takes a bool condition, found {found}', help: 'Write a comparison or a bool value, e.g. `x > 0`, `tier == pro`.' },
  SYN2029: { severity: 'error', title: 'row does not fit its type', message: "the dataset's row must be {expected}, found {found}", help: 'Give `row =` a record literal of the row type, or a prompt returning it.' },
  SYN2030: { severity: 'error', title: 'field of the wrong type', message: "field '{field}' of {owner} must be {expected}, found {found}", help: 'Give the field a value of its declared type, or convert it (`str(x)`, `f32(x)`, …).' },
  SYN2031: { severity: 'error', title: 'range bound type', message: 'a range bound must be {expected}, found {found}', help: 'Write both bounds as numbers (or both as dates or both as datetimes).' },
  SYN2032: { severity: 'error', title: 'built-in argument type', message: 'argument {index} of {signature} must be {expected}, found {found}', help: 'Pass a value of the type the signature names, or convert it.' },
  SYN2033: { severity: 'error', title: 'weight column type', message: "the weight column '{column}' must be int or float, found {found}", help: 'Weight rows by a numeric column.' },
  SYN2034: { severity: 'error', title: 'simulation field type', message: 'a simulation field must be a scalar or vector (f32, i32, u32, bool, vec2f, vec3f, vec4f), found {found}', help: 'Simulations store numbers, bools and vectors only.' },
  SYN2035: { severity: 'error', title: 'event field type', message: 'an event field must be a scalar (f32, i32, u32, bool), found {found}', help: 'Emit each component of a vector as its own field (`vx: f32, vy: f32`).' },
  SYN2036: { severity: 'error', title: 'reduction body type', message: 'the body of {reduction}(...) must be {expected}, found {found}', help: '`count`, `any` and `all` take a bool; `sum`, `mean`, `min` and `max` a number (`sum` also a vector).' },
  SYN2037: { severity: 'error', title: 'built-in needs f32', message: '{signature} takes {expected}, found {found}; convert with f32(...)', help: 'Wrap the argument in `f32(...)`; simulations never convert numbers implicitly.' },
  SYN2038: { severity: 'error', title: 'reserved event name', message: "an event cannot be named 'trajectory': `for r in {sim}.trajectory` reads the simulation's observations", help: 'Rename the event, e.g. `event step_taken { … }`.' },
  SYN2040: { severity: 'error', title: 'unknown named argument', message: "{callee} takes no argument named '{name}'", suggests: true, help: 'Remove the argument or fix its name; only `fake(…, locale: "de")` takes a named argument.' },
  SYN2050: { severity: 'error', title: 'each takes a count', message: '`each` takes a whole number from 1 to {max}, or randint(low, high) / one_of(…) of constant whole numbers from 0 to {max} that can draw 1 or more, e.g. each 3, each randint(0, 5), each one_of(0, 1, 4)', help: 'Write a whole number from 1 to 10,000, or `randint(low, high)` / `one_of(…)` of whole numbers from 0 to 10,000 (not all 0); more rows per item than 10,000 is surely a mistake.' },
  SYN2060: { severity: 'error', title: 'not a model', message: '`using` takes a model (a model block, or a variable holding one), found {found}', help: 'Name a model block, or a `vary`/`let` whose values are model blocks, e.g. `vary m ~ one_of(strong, cheap)`.' },

  // ---- SYN3xxx: semantics
  SYN3001: { severity: 'error', title: 'fractions do not sum to 1', message: 'the fractions of {what} sum to {sum}, not 1', help: 'Adjust the fractions (the quick fix scales them to sum to 1).' },
  SYN3002: { severity: 'error', title: 'conflicting writes', message: "state '{name}' is written by rules '{a}' and '{b}' in the same phase", help: 'Write the state in one rule, or separate the rules by a rule with a reduction.' },
  SYN3003: { severity: 'error', title: 'prompt call out of place', message: "prompt '{name}' can only be called in `row =`, `let` or `judge`", help: 'Call the prompt in a `let` and use the variable here.' },
  SYN3004: { severity: 'error', title: 'dataset has no rows', message: "dataset '{name}' needs `count N`, `for x in ...` or a grid `vary x in ...`", help: 'Say how many rows to make.' },
  SYN3005: { severity: 'error', title: 'dataset has no row', message: "dataset '{name}' needs `row = ...`", help: 'Say what each row is.' },
  SYN3006: { severity: 'error', title: 'assignment to read-only name', message: "'{name}' is {what} and cannot be assigned", help: 'Assign a `state`; use a new `let` for a derived value.' },
  SYN3007: { severity: 'error', title: 'value out of range', message: '`{key}` must be {range}, got {value}', help: 'Pick a value inside the range.' },
  SYN3008: { severity: 'error', title: 'duplicate goal', message: 'a file has at most one `goal`', help: 'Merge the two goals into one.' },
  SYN3009: { severity: 'warning', title: 'no output', message: "dataset '{name}' has no `output`; rows go to out/{name}.jsonl", help: 'Add `output "path.jsonl"` (or .csv, .parquet) to say where rows go.' },
  SYN3010: { severity: 'error', title: 'empty enum', message: 'enum {name} has no cases', help: 'List at least one case.' },
  SYN3011: { severity: 'error', title: 'image size', message: 'image size "{size}" is not WIDTHxHEIGHT (e.g. "512x512") or "auto"', help: 'Write the size the images endpoint takes, e.g. "1024x1024".' },
  SYN3012: { severity: 'error', title: 'overlap not below chunk', message: '`overlap` ({overlap}) must be smaller than `chunk` ({chunk})', help: 'Lower `overlap` or raise `chunk`.' },
  SYN3013: { severity: 'error', title: 'unknown output format', message: 'output must end in {formats}', help: 'Name the output file with a supported extension.' },
  SYN3014: { severity: 'error', title: 'chat setting on an image prompt', message: 'an image prompt sends one text prompt (`user`); `{key}` has no place in it', help: 'Fold the text into `user`.' },
  SYN3015: { severity: 'error', title: 'image setting on a chat prompt', message: '`{key}` applies only to prompts that return `image`', help: 'Remove the setting, or make the prompt return `image`.' },
  SYN3016: { severity: 'error', title: 'chat prompt returns an image', message: 'a chat prompt cannot return images; a prompt that draws one returns `image` (`-> image`)', help: 'Draw images with an image prompt (`-> image`) and combine them in the row.' },
  SYN3017: { severity: 'error', title: 'image in a template', message: 'an image cannot be interpolated into a template (it is a file, not text)', help: 'Interpolate text about the image instead.' },
  SYN3018: { severity: 'error', title: 'image row type', message: 'a dataset of images needs a struct row type with an `image` field, e.g. `struct Shot { caption: string, image: image }`', help: 'Declare a struct with an `image` field and use it as the row type.' },
  SYN3019: { severity: 'error', title: 'nested image', message: "field '{field}' of {struct} holds images inside {type}; images must be top-level fields of a dataset's row type", help: 'Give each image its own top-level field.' },
  SYN3020: { severity: 'error', title: 'keep row', message: '`row` is always written; `keep` names extra columns', help: 'Remove `row` from `keep`.' },
  SYN3021: { severity: 'error', title: 'reduction outside a rule', message: 'a neighbour reduction (`… for o in agents`) is only allowed inside a simulation rule', help: 'Move the reduction into a rule and store its result in a `state`.' },
  SYN3022: { severity: 'error', title: 'nested reduction', message: 'reductions cannot be nested', help: 'Compute the inner reduction in a rule before and store it in a `state`.' },
  SYN3023: { severity: 'error', title: 'reduction domain', message: 'reductions range over `agents` (the agents of the same world)', help: 'Write `… for o in agents`.' },
  SYN3024: { severity: 'error', title: '`agents` outside a reduction', message: '`agents` is only meaningful in a reduction: min(o.x for o in agents)', help: 'Use `agents` after `for o in` inside a reduction.' },
  SYN3025: { severity: 'error', title: 'random draw in a check', message: 'a `check` cannot draw random numbers', help: 'Draw the value in a rule and check the stored state.' },
  SYN3026: { severity: 'error', title: 'param not constant', message: 'param {name} takes a constant (a number, true/false, or f32(...)/vecNf(...) of numbers); use a `state` for a value that is drawn or computed per agent', help: 'Write a literal value, or declare a `state` instead.' },
  SYN3027: { severity: 'error', title: 'param without value', message: 'param {name} needs a value: `param {name}: {type} = …`', help: 'Give the param its value.' },
  SYN3028: { severity: 'error', title: 'constant out of range', message: 'this constant expression {problem}; constant expressions are evaluated when the simulation is compiled and must stay finite and in range', help: 'Change the constants; a division by zero or an overflow is an error at compile time.' },
  SYN3029: { severity: 'error', title: 'not iterable', message: '`for` iterates over a source, a table, a dataset, `SIM.EVENT`, `SIM.trajectory` or a list; {what} is none of these', help: 'Name a `source`, a dataset or a simulation\'s event or trajectory, or give a list (`q.pairs`, `[1, 2]`).' },
  SYN3030: { severity: 'error', title: 'simulation without stream', message: "iterate over a simulation's events ({sim}.EVENT) or its trajectory ({sim}.trajectory)", help: 'Add the event name or `.trajectory`.' },
  SYN3031: { severity: 'error', title: 'grid domain', message: '`vary {name} in …` enumerates an enum, a list `[a, b]` or a constant integer range `1..5` with low ≤ high', help: 'Enumerate one of these, or draw with `vary x ~ sampler(...)`.' },
  SYN3032: { severity: 'error', title: 'not a sampler', message: '`vary {name} ~` takes a sampler, e.g. {examples}', help: 'Draw with one of the samplers of section 6.' },
  SYN3033: { severity: 'error', title: 'sampler parameter out of domain', message: '{signature} needs {condition}', help: 'Change the parameter so the distribution exists.' },
  SYN3034: { severity: 'error', title: 'empty range', message: '{what}: the low bound {low} is above the high bound {high}', help: 'Swap the bounds.' },
  SYN3035: { severity: 'error', title: 'invalid regular expression', message: '@pattern is not a valid regular expression: {error}', help: 'Fix the pattern (JavaScript syntax with the `u` flag).' },
  SYN3036: { severity: 'error', title: 'argument not a finite number', message: 'argument {index} of {sampler}(…) is the constant {value}: {why}', help: 'Write a finite number (floats reach about ±1.8e308), and divide by a number that is not 0.' },
  SYN3037: { severity: 'warning', title: 'count above the grid', message: "dataset '{name}' asks for {count} rows, but its grid has {cells} cells and nothing else varies: at most {cells} rows can be made", help: 'Lower `count` to the number of cells (or drop it: a grid alone makes each cell once), or vary something that is drawn.' },
  SYN3040: { severity: 'error', title: 'invalid date', message: "'{value}' is not an ISO 8601 {kind}, e.g. {example}", help: 'Write a real calendar day as YYYY-MM-DD, and a datetime with its zone (`Z` or `+02:00`).' },
  SYN3041: { severity: 'error', title: 'sampler argument not drawn yet', message: "`vary {name}` is drawn before the row's `let`s, prompts and judges run, so its sampler cannot use '{used}' ({what})", help: 'Use constants, earlier `vary` variables and the `for` item; write the computation inside the argument, e.g. normal(if_else(tier == pro, 500.0, 50.0), 10.0).' },
  SYN3042: { severity: 'error', title: '`where` sees only its item', message: "`where` filters items before anything else runs: it can use {binder} and constants, not '{name}' ({what})", help: 'Filter on the item\'s fields, or move the condition into a `check`.' },
  SYN3070: { severity: 'error', title: 'output shared with another dataset', message: "output \"{path}\" of dataset {name} clashes with dataset {first}'s output \"{other}\": both would write {file}", help: 'Give each dataset an output path of its own; outputs that differ only in their extension or in the case of letters share a manifest (named after the path without its extension).' },
  // tables, datasets that read datasets, nested `for` (SYN305x)
  SYN3050: { severity: 'error', title: 'table without row type', message: 'table source \'{name}\' needs its row type, e.g. `source {name}: Person = table("…")`', help: 'Declare a struct with the table\'s columns and name it after the source\'s name.' },
  SYN3051: { severity: 'error', title: 'unknown table format', message: 'a table is read by its file ending: \'{path}\' must end in .csv, .jsonl or .parquet', help: 'Rename the file, or convert it to CSV, JSONL or Parquet.' },
  SYN3052: { severity: 'error', title: 'row type on documents', message: '`files(…)` reads documents as text chunks; a row type belongs to `table(…)`', help: 'Remove the row type, or read typed rows with `table("file.csv")`.' },
  SYN3053: { severity: 'error', title: 'table row type', message: 'the rows of {what} must be a struct without images; {type} is not', help: 'Declare a struct whose fields are the columns.' },
  SYN3054: { severity: 'error', title: 'datasets read each other', message: 'datasets read each other in a cycle: {cycle}', help: 'A dataset may read only datasets that do not read it back; split the cycle.' },
  SYN3055: { severity: 'error', title: 'dataset cannot be read', message: 'dataset \'{name}\' writes {what}, not one row of its type per line, so another dataset cannot read it', help: 'Read a dataset without `format chat` or image fields.' },
  SYN3056: { severity: 'error', title: '`for` over items after the first', message: '`for {binder}` ranges over {what}, which only the first `for` of a dataset may do; a later `for` ranges over a list', help: 'Make this `for` the first clause that iterates, or iterate over a list field (`c.tags`, `q.pairs`).' },
  SYN3057: { severity: 'error', title: '`row` before a `for`', message: '`row =` comes before `for {binder}`: it must come after every `for` (each element of the last one makes a row)', help: 'Move `row =` below the last `for`.' },
  SYN3058: { severity: 'error', title: 'seq() below a nested `for`', message: 'seq() numbers the dataset\'s row indices, and below `for {binder}` one index makes many rows; use uuid() there', help: 'Draw keys below a nested `for` with uuid(), or number the rows before it.' },
  // models as values, loops inside rows, match, conversations and tools, split files (SYN308x, SYN309x)
  SYN3080: { severity: 'error', title: '`using` on a function', message: "`using` chooses the model of a prompt call, and {name} is not a prompt", help: 'Remove `using`, or call a prompt.' },
  SYN3081: { severity: 'error', title: 'call without a model', message: "prompt '{name}' has no `model`, so each of its calls must choose one: {name}(…) using MODEL", help: 'Add `using MODEL` to the call, or give the prompt a `model`.' },
  SYN3082: { severity: 'error', title: 'fallback cycle', message: "model '{model}' falls back to itself: {cycle}", help: 'End the chain of `fallback` models at a model without one.' },
  SYN3083: { severity: 'error', title: 'loop range', message: 'the loop over {name} runs over an integer range `low..high`; found {found}', help: 'Loop over a range such as `1..turns`, with `turns` from a `vary`, e.g. `vary turns ~ randint(2, 6)`.' },
  SYN3084: { severity: 'error', title: "loop length from a model's answer", message: "the range of loop '{name}' depends on a model's answer ('{used}'); a loop's length must be known before its row calls a model", help: 'Draw the length with `vary`, or compute it from the `for` item or constants.' },
  SYN3085: { severity: 'error', title: 'clause inside a loop', message: '`{clause}` cannot be inside a loop: a loop body holds `let`s, new values for earlier `let`s (`x = …`) and loops', help: 'Move the clause after the loop.' },
  SYN3086: { severity: 'error', title: 'assignment outside a loop', message: "'{name}' can be given a new value only inside a loop (`for i in 1..n`, then the body); elsewhere declare a new `let`", help: 'Use `let` with a new name, or move the assignment into a loop.' },
  SYN3087: { severity: 'error', title: 'match not exhaustive', message: '`match` on {type} has no arm for {missing} and no `default`', help: 'Add the missing arms, or a `default: …` arm.' },
  SYN3088: { severity: 'error', title: 'one file per split without splits', message: "the output of dataset '{name}' is one file per split (its path names the split), but the dataset has no `split`", help: 'Give the goal or the dataset a `split { train: 0.9, test: 0.1 }`, or remove `{split}` from the path.' },
  SYN3089: { severity: 'error', title: 'chat roles and messages', message: '`format chat` takes either `messages` (a whole conversation, `message[]`) or the roles system/user/assistant, not both', help: 'Keep `messages`, or the role templates.' },
  SYN3090: { severity: 'error', title: 'tool name', message: 'a tool name must be a constant string of letters, digits, `_` and `-` (at most 64), found {found}', help: 'Write the name as a string literal, e.g. call_tool("lookup_order", { id: order }).' },
  SYN3091: { severity: 'error', title: 'tool called with two argument types', message: "tool '{name}' is called with arguments of two types in this dataset: {first} and {other}", help: 'Give every call of one tool arguments of one type (the chat file declares one parameter schema per tool).' },
  SYN3092: { severity: 'error', title: 'split name in a file name', message: "split '{name}' names a file of dataset '{dataset}', but only letters, digits and `_` can (the Hub's split names too)", help: 'Rename the split, e.g. `split { train: 0.9, validation: 0.1 }`.' },
  SYN3093: { severity: 'error', title: 'loop too long', message: 'the loop over {name} runs {count} iterations ({low}..{high}), more than the {max} a loop may run in one row', help: 'Shorten the range; for many rows, raise `count` instead of looping inside one row.' },
  SYN3094: { severity: 'warning', title: 'message text is not a template', message: "the text of {fn}(…) is written as it is: `{name}` in braces is not filled in, though {name} is a variable here (only prompts and `format chat` fill holes)", help: 'Join the text: {fn}("…" + str({name}) + "…"), or write \\{ \\} for literal braces.' },
  SYN3095: { severity: 'error', title: 'reserved split name', message: "split '{name}' of dataset '{dataset}' cannot name a split of a Hugging Face folder: `{name}` is reserved there (every split together, `load_dataset(…, split=\"all\")`)", help: 'Rename the split, e.g. `split { train: 0.9, test: 0.1 }`.' },
  SYN3096: { severity: 'error', title: 'split in a Hugging Face folder name', message: 'the output of dataset \'{dataset}\' is a Hugging Face folder, which holds every split itself (data/train-….parquet, data/test-….parquet); its path cannot name the split', help: 'Name the folder without the split placeholder, e.g. output "out/hf" format hf.' },
  SYN3097: { severity: 'error', title: '`expect` reads a variable that is not a column', message: "`expect` is measured on the rows as written, and '{name}' is neither a field of the row nor kept: add `keep {name}`", help: 'Add `keep NAME` to the dataset so the variable is written with each row, or measure a field of `row`.' },

  // ---- SYN4xxx: build time and configuration
  SYN4001: { severity: 'error', title: 'env() where a constant is needed', message: '`env(...)` is read at run time, but {what} must be known when the plan is built', help: 'Write the value in the spec; `env` is for names, URLs and keys.' },
  SYN4002: { severity: 'error', title: 'path escapes project', message: "path '{path}' resolves outside the project folder {root}; pass --allow-outside-project to permit it", help: 'Keep outputs and sources inside the project, or pass --allow-outside-project.' },
  SYN4003: { severity: 'error', title: 'secret in spec', message: '`{key}` must come from env(...), not a literal, so it never reaches plans or git', help: 'Write `env("OPENAI_API_KEY")` (the quick fix does) and set the variable.' },
  SYN4004: { severity: 'error', title: 'env() in an expression', message: '`env(...)` is the value of a setting; it cannot be used in {where}', help: 'Read the variable in a model setting instead.' },
  // the command line: what `synth` was asked to do (cli/); each is a user's mistake, exit 1
  SYN4101: { severity: 'error', title: 'bad option value', message: "{option} takes {expected}, not '{value}'", suggests: true, help: 'Give the option a value of the kind named; `synth COMMAND --help` lists the options.' },
  SYN4102: { severity: 'error', title: 'unknown option', message: "`{command}` has no option '{option}'", suggests: true, help: 'Fix the spelling; `synth COMMAND --help` lists the options.' },
  SYN4103: { severity: 'error', title: 'unknown command', message: "'{name}' is not a synth command", suggests: true, help: 'Fix the spelling; `synth --help` lists the commands.' },
  SYN4104: { severity: 'error', title: 'missing argument', message: '`{command}` needs {what} (usage: {command} {usage})', help: 'Add what is missing; `synth COMMAND --help` shows the usage.' },
  SYN4105: { severity: 'error', title: 'too many arguments', message: "`{command}` takes {expected}; '{extra}' is one too many (usage: {command} {usage})", help: 'Remove the extra argument, or quote a value that contains spaces.' },
  SYN4106: { severity: 'error', title: 'unknown dataset', message: "--dataset {name}: the spec has no dataset of that name", suggests: true, help: 'Name a dataset the spec declares.' },
  SYN4107: { severity: 'error', title: 'not a folder', message: "'{path}' ({what}) is {actual}, not a folder", help: 'Give a folder there (it is created when it does not exist).' },
  SYN4108: { severity: 'error', title: 'file exists', message: "'{path}' already exists; synth init does not overwrite it", help: 'Pass `--name` for another file name, or another folder.' },
  SYN4109: { severity: 'error', title: 'language server without a transport', message: '`synth lsp` talks to an editor over one transport: pass --stdio (what editors use), --node-ipc, --socket PORT or --pipe NAME{given}', help: 'Start it as `synth lsp --stdio`; editors do this for you.' },
  SYN4110: { severity: 'error', title: 'option needs another', message: '{option} works only with {needs}', help: 'Add the option it needs, or leave it out.' },
  SYN4111: { severity: 'error', title: 'empty argument', message: '`{command}` was given an empty {what}', help: 'Give a value there; for a path, `.` names the current folder.' },
  SYN4112: { severity: 'error', title: 'folder not writable', message: "'{path}' ({what}) cannot be written: {reason}", help: 'Give a folder you can create files in (it is created when it does not exist).' },
  SYN4113: { severity: 'error', title: 'bad environment variable', message: "the environment variable {variable} takes {expected}, not '{value}'", help: 'Set it to a value of that kind, or unset it for the default.' },

  // ---- SYN5xxx: run time
  SYN5001: { severity: 'error', title: 'no LLM endpoint', message: "model '{model}' has no API key: set the environment variable {env}{extra}", help: 'Set the variable, or `--dry-run` to see the cost without calling.' },
  SYN5002: { severity: 'error', title: 'LLM call failed', message: "model '{model}' ({name}): {call} {row} failed after {attempts}: {cause}", help: 'Read the cause; rerun to retry the failed rows (finished calls come from the cache).' },
  SYN5003: { severity: 'error', title: 'budget exceeded', message: 'the estimated cost {estimate} is over the budget of {budget}; nothing was sent (see --dry-run)', help: 'Raise `--budget` or make fewer rows; see `--dry-run`.' },
  SYN5004: { severity: 'error', title: 'expectation failed', message: '{file}: an `expect` of its dataset did not hold when it was written (see the manifest\'s "expects")', help: 'Look at the rows, then adjust the spec or the expectation.' },
  SYN5006: { severity: 'error', title: 'plan lacks a stage', message: "the plan has no {what} '{name}'", help: 'Rebuild the plan from the spec with this version of synth; do not edit plans by hand.' },
  SYN5007: { severity: 'error', title: 'source matches nothing', message: 'files("{pattern}") matches no file under {root}', help: 'Check the source\'s pattern: it is relative to the spec\'s folder.' },
  SYN5008: {
    severity: 'error',
    title: 'shards from different simulation backends',
    message: 'dataset {dataset}: shards {a} and {b} ran simulation {sim} on different backends ({x}, {y}), whose results for it may differ: {why}; rerun the shards on one backend (e.g. `--backend cpu`)',
    help: 'Run every shard of the dataset with the same `--backend` (and on the same kind of GPU).',
  },
  SYN5009: { severity: 'error', title: 'unknown dataset', message: "no dataset '{name}' in this spec", suggests: true, help: 'Name a dataset the spec declares.' },
  SYN5010: { severity: 'error', title: 'simulation stage not runnable', message: 'this plan has no runnable simulation stage; rebuild it with this version of synth', help: 'Rebuild the plan from the spec (`synth build`) with the synth that runs it.' },
  SYN5011: { severity: 'error', title: 'dataset read before it is made', message: "dataset '{dataset}' {how} '{upstream}', which this run has not made", help: 'Run the dataset read in the same run (leave it in `--dataset`), or run it first.' },
  SYN5012: { severity: 'error', title: 'faker library differs', message: "dataset '{dataset}' draws with {planned}, but this Synth has {library}; rebuild the plan (values would differ)", help: 'Rebuild the plan with this synth, or run it with the synth that built it.' },
  SYN5013: { severity: 'error', title: 'faker locale missing', message: "dataset '{dataset}' draws in faker locale '{locale}', which {library} does not have", help: 'Rebuild the plan with this synth (the checker lists the locales it has).' },
  SYN5014: { severity: 'error', title: 'faker method missing', message: "dataset '{dataset}' draws with faker method '{method}', which is not in the catalogue of {library}", help: 'Rebuild the plan with this synth (the checker lists the methods it has).' },
  SYN5015: { severity: 'error', title: 'no LLM client', message: 'dataset {dataset} calls prompts but no LLM endpoint is configured', help: 'Pass the run an LLM client (the CLI makes one from the spec\'s models).' },
  SYN5016: { severity: 'error', title: 'invalid chunking', message: 'chunk size {tokens} with overlap {overlap}: the chunk size must be a whole number of tokens of at least 1, and the overlap at least 0 and less than the chunk size', help: 'Set `chunk` to a whole number ≥ 1 and `overlap` below it.' },
  SYN5017: { severity: 'error', title: 'unreadable source file', message: "source file '{path}' cannot be read: {reason}", help: 'Make the file readable, or narrow the pattern so it does not match it.' },
  SYN5018: { severity: 'error', title: 'source without text', message: 'source {name}: the files "{pattern}" matches under {root} hold no text (each is empty or was skipped)', help: 'Put text in the files, or point the pattern at the documents.' },
  SYN5020: { severity: 'error', title: 'endpoint unusable', message: "{cause}; every call to model '{model}' would fail the same way, so the dataset stopped — fix this and run again", help: 'Fix the key, model name, base URL or network named in the cause, then rerun; rows already made are kept.' },
  SYN5021: { severity: 'error', title: 'too many failed requests in a row', message: "model '{model}': {count} requests in a row failed (the last: {cause}), so the dataset stopped; fix the cause and run again (rows already made are kept), or raise `max_consecutive_failures`", help: 'Fix the cause shown, or raise the model\'s `max_consecutive_failures`.' },
  SYN5022: { severity: 'error', title: 'dataset incomplete', message: "dataset '{dataset}' has {written} of {target} rows: {missing} missing (causes above); rows that failed are tried again when the spec runs again", help: 'Read the causes in the summary or the manifest, fix them and rerun: only the missing rows are made.' },
  SYN5062: { severity: 'error', title: 'dataset incomplete, the same again', message: "dataset '{dataset}' has {written} of {target} rows: {missing} missing (causes above), and running the spec again repeats these causes", help: 'The missing rows fail for what the spec and its data give them (an argument outside its domain, a value that cannot be written, a `count` above the rows that can exist): fix the causes, then rerun.' },
  SYN5063: { severity: 'error', title: 'items without rows, the same again', message: "dataset '{dataset}' has {written} rows, but {missing} of the {target} items it iterates made none (causes above), and running the spec again repeats these causes", help: 'The items fail for what the spec and its data give them: fix the causes, then rerun.' },
  SYN5023: { severity: 'error', title: 'write failed', message: "cannot write {file}: {reason}; nothing already made is lost — fix this and run again", help: 'Free disk space or fix the path or permissions named, then rerun.' },
  SYN5024: { severity: 'error', title: 'journal unusable', message: "journal {file} was written by a newer synth (format {version}); run this spec with that version, or delete the journal to make the rows again", help: 'Use the synth version that wrote the journal, or delete it (the LLM cache still saves the calls).' },
  SYN5025: { severity: 'error', title: 'output does not match its manifest', message: "{file}: {what} is {actual}, but its manifest says {expected}", help: 'The file was changed after the run: rerun the spec to rebuild it.' },
  SYN5026: { severity: 'error', title: 'output not complete', message: "{file}: the manifest says the dataset is {status} ({rows} of {target} rows); run the spec again to finish it", help: 'Rerun the spec; `synth verify` passes once every dataset is complete.' },
  SYN5027: { severity: 'error', title: 'budget spent', message: '{reason}; nothing more was sent — run again with a larger --budget to continue', help: 'Rerun with a larger `--budget`: rows already made are kept and only the rest are made.' },
  SYN5028: { severity: 'error', title: 'output in use', message: "another synth run is writing {file} (pid {pid}{where}); nothing was written — wait for it to end, or, if no run is writing it, delete {lock}", help: 'Let the other run finish (or stop it), then run again; a lock left by a killed run on this machine is taken over by itself.' },
  SYN5029: { severity: 'error', title: 'manifest unreadable', message: "{file} is not a readable synth manifest ({reason}), so its output cannot be checked; run the spec again to rewrite it", help: 'Rerun the spec that wrote the folder: the manifest is rewritten with the output.' },
  // outputs of several files (one per split, chat files, a Hugging Face folder)
  SYN5030: { severity: 'error', title: 'split cannot name a file', message: "dataset '{dataset}' writes a file per split, but its split '{split}' cannot name a file (letters, digits and _ only)", help: 'Rebuild the plan from the spec (the checker allows only such split names, SYN3092); do not edit plans by hand.' },
  SYN5031: { severity: 'error', title: 'several files in a shard', message: "dataset '{dataset}' writes {files}, which `synth merge` cannot combine yet; nothing was run — run it without --shard", help: 'Run the dataset unsharded (leave out --shard), or give it one output file.' },
  SYN5032: { severity: 'error', title: 'near-duplicate keys of an older synth', message: 'the journal or shard holds near-duplicate keys written by an older synth (32-bit shingle hashes), which this version cannot compare with its own; delete the journal (or remake the shards) and run again', help: 'Delete the dataset\'s journal (or rerun the shards with this version): the LLM cache still saves the calls.' },
  SYN5081: { severity: 'error', title: 'outputs clash under --out', message: "with --out, datasets {first} and {name} would both write {file}; nothing was run", help: 'Run them into separate folders, or give the outputs different file names.' },
  // rows of a `for` dataset (SYN504x)
  SYN5040: { severity: 'error', title: '`where` cannot be evaluated', message: "the `where` of dataset '{dataset}' cannot be evaluated for item {item}: {error}", help: 'Guard the condition, e.g. `e.n != 0 && e.total / e.n > 2.0`; nothing of the dataset was made.' },
  SYN5041: { severity: 'error', title: 'shards short of `count`', message: "dataset '{dataset}': the shards made {kept} of the {count} rows `count` asks for, but shard {shard} stopped at its share; rerun with fewer shards", help: 'Merge fewer, larger shards, or run the dataset unsharded.' },
  SYN5070: { severity: 'error', title: 'broken link in a source', message: "files(\"{pattern}\") matches '{path}', a symbolic link to '{target}', which does not exist", help: 'Fix or remove the link, or narrow the pattern so it does not match it.' },
  // tables and datasets read by datasets (SYN505x)
  SYN5050: { severity: 'error', title: 'table row does not fit its type', message: 'row {row} of table \'{source}\': column \'{column}\' must be {expected}, found {found}', help: 'Fix the row in the file, or change the struct (e.g. make the field optional with `T?`).' },
  SYN5051: { severity: 'error', title: 'table column missing', message: 'table \'{source}\' has no column \'{column}\', which {type} needs', help: 'Add the column to the file, or make the field optional (`T?`) or remove it from the struct.' },
  SYN5052: { severity: 'error', title: 'unknown table column', message: 'table \'{source}\' has column \'{column}\', which {type} does not declare', suggests: true, help: 'Add the field to the struct, or remove the column from the file.' },
  SYN5053: { severity: 'error', title: 'repeated @unique value', message: 'row {row} of table \'{source}\' repeats {column} {value} of row {first}, but {type}.{column} is @unique', help: 'Remove or fix the repeated row, or drop @unique from the field.' },
  SYN5054: { severity: 'error', title: 'unreadable table', message: 'cannot read table \'{source}\' ({file}): {reason}', help: 'Check that the file exists and is valid CSV (RFC 4180, a header line), JSONL (one object per line) or Parquet.' },
  SYN5055: { severity: 'error', title: 'nothing to draw from', message: '`vary {name}` draws a row of \'{from}\', which has none', help: 'Give the table or dataset rows, or draw from another.' },
  SYN5056: { severity: 'error', title: 'weights sum to zero', message: '`vary {name}` draws rows of \'{from}\' weighted by column \'{column}\', but its weights sum to {sum}', help: 'Give some rows a positive weight.' },
  SYN5057: { severity: 'error', title: 'read dataset incomplete', message: 'dataset \'{dataset}\' reads \'{upstream}\', which has rows missing, so \'{dataset}\' was not made; run again once \'{upstream}\' is complete', help: 'Fix the causes reported for the dataset read and run again: the datasets reading it follow.' },
  SYN5058: { severity: 'error', title: 'dataset draw in a shard', message: '`vary {name}` of dataset \'{dataset}\' draws from all rows of dataset \'{upstream}\', which a shard does not have; run \'{dataset}\' unsharded (or draw from a table)', help: 'Run the shards without `--dataset {dataset}`, merge them, then run the dataset that draws unsharded; or draw from a `table` source.' },
  SYN5059: { severity: 'error', title: 'merge without the dataset read', message: 'dataset \'{dataset}\' reads \'{upstream}\': merge the shards of both in one `synth merge` (the shards of \'{upstream}\' are not among the folders given)', help: 'Pass every shard folder of the run to `synth merge`.' },
  SYN5061: { severity: 'error', title: 'bad weight in a dataset drawn from', message: '`vary {name}` of dataset \'{dataset}\' draws rows of dataset \'{upstream}\' weighted by column \'{column}\', but its row {row} has weight {found}; a weight is a finite number ≥ 0', help: 'Make the column of the dataset drawn from a finite number ≥ 0 in every row (e.g. bound its draw or add a `check`), or draw with `one_of`.' },
  SYN5060: { severity: 'error', title: 'items without rows', message: 'dataset \'{dataset}\' has {written} rows, but {missing} of the {target} items it iterates made none yet (causes above); those are made when the spec runs again', help: 'Read the causes in the summary or the manifest, fix them and rerun: only the missing items are made.' },
  // `synth merge`: shards that do not make one dataset (SYN51xx; the user's input, exit 1)
  SYN5101: { severity: 'error', title: 'shard with rows missing', message: '{manifest}: this shard has rows missing (failed or not made); run it again to finish it before merging', help: 'Rerun the shard until it is complete, then merge.' },
  SYN5102: { severity: 'error', title: 'shard output missing', message: '{file}: shard output incomplete (run the shard to completion first)', help: 'Rerun the shard; its output and its keys file must both be there.' },
  SYN5103: { severity: 'error', title: 'shard files disagree', message: "{file}: {lines} lines but {expected} in its keys — the shard's files disagree", help: 'The shard\'s output was changed after its run: rerun the shard.' },
  SYN5104: { severity: 'error', title: 'no shards', message: 'no shard manifests found in {folders}', help: 'Pass the folders the shard runs (`--shard i/n`) wrote.' },
  SYN5105: { severity: 'error', title: 'shards of different plans', message: 'dataset {dataset}: shards come from different plans ({a} and {b}); rebuild and rerun them from one spec', help: 'Run every shard from the same spec and synth version.' },
  SYN5106: { severity: 'error', title: 'shard counts differ', message: 'dataset {dataset}: shards of {a} and {b} cannot be merged', help: 'Merge the shards of one `--shard i/n` split.' },
  SYN5107: { severity: 'error', title: 'duplicate shard', message: 'dataset {dataset}: the same shard appears twice', help: 'Pass each shard\'s folder once.' },
  SYN5108: { severity: 'error', title: 'missing shards', message: 'dataset {dataset}: shards missing: {shards}', help: 'Pass the folders of every shard `i/n`, running the missing ones first.' },
  SYN5109: { severity: 'error', title: 'shard stopped too early', message: 'dataset {dataset}: shard {shard} stopped at row {row}, but the merge needs rows up to {needed} (many duplicates across shards); rerun with fewer shards', help: 'Rerun with fewer, larger shards, or unsharded.' },
  // `synth report`, `synth verify`, `synth merge`: a folder or file that is not what it needs (SYN52xx)
  SYN5201: { severity: 'error', title: 'not an output folder', message: "'{path}' {problem}: `synth {command}` reads the folder a run wrote its outputs and *.manifest.json files to{hint}", help: 'Pass the folder a run wrote (where the *.manifest.json files are), e.g. `synth report out`.' },
  SYN5202: { severity: 'error', title: 'unreadable manifest', message: "manifest '{file}' cannot be read: {reason}", help: 'Rerun the dataset to rewrite its manifest, or remove the stray file.' },
  SYN5203: { severity: 'error', title: 'unreadable dataset output', message: "dataset '{dataset}': '{file}' cannot be read at line {line}: {reason}", help: 'Rerun the dataset (the run checks and rebuilds its output), or `synth verify` the folder.' },
  SYN5204: { severity: 'error', title: 'report not written', message: "cannot write the report to '{path}': {reason}", help: 'Choose a writable path with `-o`, or free disk space.' },

  // ---- SYN6xxx: simulation run time
  SYN6001: { severity: 'error', title: 'event buffer overflow', message: "simulation {sim}: event '{event}' overflowed its buffer ({emitted} emitted, capacity {capacity}); raise `max_events` in the sim (events are never dropped silently)", help: 'Raise `max_events`.' },
  SYN6002: { severity: 'error', title: 'non-finite state', message: 'simulation {sim}: state {state} became {value} in world {world}, agent {agent} at step {step} (`check finite`)', help: 'Guard the division or growth that makes the state infinite or NaN.' },
  SYN6003: { severity: 'error', title: 'GPU backend failure', message: 'WebGPU: {error}', help: 'Run with `--backend cpu`, or fix the driver.' },
  SYN6004: { severity: 'error', title: 'simulation invariant failed', message: 'simulation {sim}: `check {check}` failed in world {world}, agent {agent} at step {step}', help: 'Look at the named world, agent and step; fix the rules or the check.' },
  SYN6005: {
    severity: 'error',
    title: 'simulation too large for memory',
    message: 'simulation {sim} needs about {needed} of memory ({parts}), more than {available}; run fewer worlds or shard the run (`--shard i/n` shrinks state and observations), observe less often, lower `max_events` (event buffers and event rows do not shrink with a shard), or pass `--max-memory SIZE` to try anyway',
    help: 'Run fewer worlds, shard the run, observe less often, or pass `--max-memory` to try anyway.',
  },

  SYN6006: { severity: 'error', title: 'non-finite output', message: 'simulation {sim}: {what} is {value} in world {world}, agent {agent} at step {step} (observed and emitted values must be finite; `finite_outputs 0` in the sim lets them through)', help: 'Guard the computation that makes the value infinite or NaN, or set `finite_outputs 0` to write them as null.' },
  SYN6007: { severity: 'error', title: 'WebGPU runner not built', message: 'the WebGPU runner is not built (run `npm run build`)', help: 'Build synth (`npm run build`), or run with `--backend cpu`.' },
  SYN6008: { severity: 'error', title: 'WebGPU process not started', message: 'could not start the WebGPU process: {reason}', help: 'Run with `--backend cpu`, or fix what the reason names.' },
  SYN6009: { severity: 'error', title: 'WebGPU process died', message: 'the WebGPU process {how} (driver failure){stderr}', help: 'Run with `--backend cpu`, or fix the driver.' },
  SYN6010: {
    severity: 'error',
    title: 'run too large for memory',
    message: 'this run needs about {needed} of memory at once ({parts}), more than {available}; run fewer datasets at a time (`--dataset NAME`), shard the run (`--shard i/n` shrinks state and observations), observe less often, lower `max_events` (event buffers and event rows do not shrink with a shard), or pass `--max-memory SIZE` to try anyway',
    help: 'Run fewer datasets at a time, shard the run, observe less often, or pass `--max-memory` to try anyway.',
  },

  // ---- SYN9xxx: bugs in Synth
  SYN9001: { severity: 'error', title: 'checker failure (a bug in Synth)', message: 'the checker failed on this {node} ({check}: {error}); this is a bug in Synth, not in your spec: please report it with this file', help: 'Report the bug with the spec; the other declarations were still checked.' },
  SYN9002: {
    severity: 'error',
    title: 'generated simulation code rejected (a bug in Synth)',
    message: 'the {backend} code Synth generated for simulation {sim} is invalid ({problem}); this is a bug in Synth, not in your spec: please report it with this file',
    help: 'Report the bug with the spec. With `--backend auto` a sim whose WGSL is rejected runs on the CPU backend instead.',
  },
} as const satisfies Record<string, DiagnosticDef>;

export type DiagnosticCode = keyof typeof DIAGNOSTICS;

// ------------------------------------------------------------------ typed arguments

type WordChar =
  | 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h' | 'i' | 'j' | 'k' | 'l' | 'm' | 'n' | 'o' | 'p' | 'q' | 'r' | 's' | 't' | 'u' | 'v' | 'w' | 'x' | 'y' | 'z'
  | 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M' | 'N' | 'O' | 'P' | 'Q' | 'R' | 'S' | 'T' | 'U' | 'V' | 'W' | 'X' | 'Y' | 'Z'
  | '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '_';
type IsWord<S extends string> = S extends `${infer C}${infer R}` ? (C extends WordChar ? (R extends '' ? true : IsWord<R>) : false) : false;
/** The `{name}` placeholders of a template, as the runtime's `/\{(\w+)\}/g` finds them (`placeholders`). */
export type Placeholders<S extends string> = S extends `${string}{${infer K}}${infer R}` ? (IsWord<K> extends true ? K : never) | Placeholders<R> : never;

/** The arguments a code's template needs: one `string | number` per placeholder. */
export type DiagnosticArgs<C extends DiagnosticCode> = { [K in Placeholders<(typeof DIAGNOSTICS)[C]['message']>]: string | number };

/** Machine-readable details of a code, for quick fixes (lsp/code-actions.ts): read these, never the message. */
export interface DiagnosticDataMap {
  SYN1001: { name: string };
  SYN1004: { key: string; block: string };
  SYN1005: { key: string; block: string };
  SYN2002: { name: string };
}
type DataOf<C extends DiagnosticCode> = C extends keyof DiagnosticDataMap ? DiagnosticDataMap[C] : never;
type Suggests<C extends DiagnosticCode> = (typeof DIAGNOSTICS)[C] extends { suggests: true } ? true : false;

/** What a diagnostic may carry besides its message. */
export interface DiagnosticExtra<C extends DiagnosticCode> {
  related?: RelatedInfo[];
  fix?: Fix;
  data?: DataOf<C>;
  /** A close match for an unknown name: appended as ` — did you mean 'x'?` and put in `data.suggestion`. */
  suggestion?: Suggests<C> extends true ? string | undefined : never;
  /** The valid names: appended as ` (one of: a, b)` when there is no suggestion. */
  choices?: Suggests<C> extends true ? readonly string[] : never;
}

/** `makeDiagnostic`'s parameters after the location: the template's arguments (none for a fixed text), then extras. */
export type DiagnosticRest<C extends DiagnosticCode> = [Placeholders<(typeof DIAGNOSTICS)[C]['message']>] extends [never]
  ? [args?: Record<string, never>, extra?: DiagnosticExtra<C>]
  : [args: DiagnosticArgs<C>, extra?: DiagnosticExtra<C>];

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
  /** Machine-readable details for quick fixes (`DiagnosticDataMap`, plus `suggestion` where one was made). */
  data?: Record<string, unknown>;
}

/** The placeholder names of a template, in order of appearance (repeats included). */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
}

/** Longest argument shown in a message, in UTF-16 code units; longer values are cut with `…`. */
export const MAX_ARG_LENGTH = 300;

/**
 * An argument as it may appear in a message: control and bidirectional-override characters written as `\u….`
 * escapes (a value from a spec or a file must not move the terminal's cursor or reorder the line) and cut to
 * `MAX_ARG_LENGTH`.
 */
export function showArg(v: string | number): string {
  let s = String(v);
  if (s.length > MAX_ARG_LENGTH) {
    // never cut a surrogate pair in half
    const cut = /[\ud800-\udbff]/.test(s[MAX_ARG_LENGTH - 1]!) ? MAX_ARG_LENGTH - 1 : MAX_ARG_LENGTH;
    s = s.slice(0, cut) + '…';
  }
  return escapeUnsafe(s);
}

/**
 * The message of `code` with `args` filled in (each through `showArg`), plus the suggestion or the choices of
 * codes that take them. An argument the template does not name is ignored; a missing one is left empty (only
 * possible from untyped callers).
 */
export function formatMessage<C extends DiagnosticCode>(code: C, args: Partial<DiagnosticArgs<C>> | Record<string, never> = {}, extra: Pick<DiagnosticExtra<C>, 'suggestion' | 'choices'> = {}): string {
  const a = args as Record<string, string | number | undefined>;
  let text = DIAGNOSTICS[code].message.replace(/\{(\w+)\}/g, (_, k: string) => (a[k] === undefined ? '' : showArg(a[k])));
  if (extra.suggestion) text += ` — did you mean '${showArg(extra.suggestion)}'?`;
  else if (extra.choices?.length) text += ` (one of: ${extra.choices.map(showArg).join(', ')})`;
  return text;
}

/**
 * A diagnostic of `code` at `span` of `file`. The arguments are typed by the code's template: every placeholder
 * must be given, and no other name. `extra.suggestion` (codes with `suggests`) is added to the message and to
 * `data.suggestion`.
 */
export function makeDiagnostic<C extends DiagnosticCode>(code: C, file: string, span: Span, ...[args, extra]: DiagnosticRest<C>): Diagnostic {
  const x = (extra ?? {}) as DiagnosticExtra<C>;
  const d: Diagnostic = { code, severity: DIAGNOSTICS[code].severity, message: formatMessage(code, args ?? {}, x), file, span };
  if (x.related) d.related = x.related;
  if (x.fix) d.fix = x.fix;
  if (x.data || x.suggestion) d.data = { ...(x.data as object | undefined), ...(x.suggestion ? { suggestion: x.suggestion } : {}) };
  return d;
}

/** The `data` of a diagnostic of a code that has some (`DiagnosticDataMap`), typed; undefined for other codes. */
export function diagnosticData<C extends keyof DiagnosticDataMap>(d: Diagnostic, code: C): Partial<DiagnosticDataMap[C]> & { suggestion?: string } | undefined {
  return d.code === code ? (d.data as Partial<DiagnosticDataMap[C]> & { suggestion?: string } | undefined) : undefined;
}

/** Where a `SynthError` happened, when it is a place in a file (a spec, a table). */
export interface ErrorLocation {
  file: string;
  span: Span;
}

/**
 * Errors raised by the runtime carry a diagnostic code so the CLI prints them like checker errors. Its message
 * is always its code's template filled with `args`: make one with `synthError(code, args)` (or
 * `SynthError.fromDiagnostic`); the constructor is not public, so no call site words a message itself.
 */
export class SynthError extends Error {
  /**
   * @param message the code's template filled in (`formatMessage`), never other text
   * @param args the arguments the message was filled from ({} for one made from a diagnostic), so a worker
   *   thread can send them and the main thread make the same error again (`synthError(code, args)`)
   */
  protected constructor(
    readonly code: DiagnosticCode,
    message: string,
    readonly args: Readonly<Record<string, string | number>>,
    readonly location?: ErrorLocation,
  ) {
    super(message);
    this.name = 'SynthError';
  }

  /** `synthError`'s implementation (a static member may call the protected constructor). */
  static of<C extends DiagnosticCode>(code: C, args: DiagnosticRest<C>[0], extra: SynthErrorExtra<C> = {}): SynthError {
    const a = (args ?? {}) as Record<string, string | number>;
    return new SynthError(code, formatMessage(code, a, extra as Pick<DiagnosticExtra<C>, 'suggestion' | 'choices'>), { ...a }, extra.location);
  }

  /** A diagnostic (made by `makeDiagnostic`, so its message is its code's) as an error at its file and span. */
  static fromDiagnostic(d: Diagnostic): SynthError {
    return new SynthError(d.code, d.message, {}, { file: d.file, span: d.span });
  }

  /** A fresh error with the same code, message and location as `e` (to attach per-call details to a shared one). */
  static copy(e: SynthError): SynthError {
    return new SynthError(e.code, e.message, e.args, e.location);
  }
}

/** `synthError`'s optional extras: a location, and the suggestion or choices of codes that take them. */
export interface SynthErrorExtra<C extends DiagnosticCode> extends Pick<DiagnosticExtra<C>, 'suggestion' | 'choices'> {
  location?: ErrorLocation;
}

/**
 * A `SynthError` whose message is the code's template with `args` (typed as for `makeDiagnostic`): every
 * placeholder must be given, and no other name. `extra.suggestion`/`choices` (codes with `suggests`) are
 * appended as for a diagnostic.
 */
export function synthError<C extends DiagnosticCode>(code: C, args: DiagnosticRest<C>[0], extra?: SynthErrorExtra<C>): SynthError {
  return SynthError.of(code, args, extra);
}
