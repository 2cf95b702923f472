// Checks registered per node kind, after Langium's ValidationRegistry: a concern (structs, prompts, datasets, ...)
// registers the checks it has for a kind of node, and the driver runs whatever is registered for the node in
// hand. Adding a check is one `register` call in checks.ts; no switch over node kinds to extend.
//
// Every check runs guarded: an exception thrown by a check — a bug in Synth, never the user's mistake, since
// checks report problems as diagnostics — becomes SYN9001 at the node ("please report it"), and the node's other
// checks and the rest of the program are still checked. `checkProgram` never throws because of one bad check.
import type { Span } from '../../base/span.js';
import type { CheckContext } from './context.js';

/** One registered check: its name (shown in SYN9001) and the function. */
interface Registered<N, X> {
  name: string;
  run: (node: N, x: X) => void;
}

/** The AST nodes checks are registered for: anything with a `kind` and a span. */
export interface CheckedNode {
  kind: string;
  span: Span;
  /** declarations, fields, params: SYN9001 points at the name rather than the whole node */
  name?: unknown;
}

/**
 * Checks per node kind for nodes `N` (declarations, dataset clauses), each called with the node and `X`: the
 * state the checks of this kind of node share (the checking context, or a dataset's scope).
 */
export class CheckRegistry<N extends CheckedNode, X> {
  private readonly byKind = new Map<string, Array<Registered<N, X>>>();

  /** @param what how SYN9001 names a node of this registry, e.g. `dataset clause` */
  constructor(private readonly what: (node: N) => string) {}

  /** Adds `check` for nodes of `kind`; checks of one kind run in the order they were registered. */
  register<K extends N['kind']>(kind: K, name: string, check: (node: Extract<N, { kind: K }>, x: X) => void): this {
    let list = this.byKind.get(kind);
    if (!list) this.byKind.set(kind, (list = []));
    list.push({ name, run: check as (node: N, x: X) => void });
    return this;
  }

  /** The names of the checks registered for `kind`, in order (for tests and docs). */
  checksOf(kind: N['kind']): string[] {
    return (this.byKind.get(kind) ?? []).map((c) => c.name);
  }

  /** Runs the checks of `node.kind`; one that throws is reported as SYN9001 through `ctx` and the next still runs. */
  run(node: N, x: X, ctx: CheckContext): void {
    const list = this.byKind.get(node.kind);
    if (!list) return;
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!;
      try {
        c.run(node, x);
      } catch (err) {
        ctx.report('SYN9001', anchor(node), { node: this.what(node), check: c.name, error: describe(err) });
      }
    }
  }
}

/** Where SYN9001 points: the node's name if it has one, else its first character. */
function anchor(node: CheckedNode): Span {
  const name = node.name as { span?: Span } | undefined;
  if (name && typeof name === 'object' && name.span && name.span.end > name.span.start) return name.span;
  return { start: node.span.start, end: Math.min(node.span.end, node.span.start + 1) };
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return typeof err === 'string' ? err : `a thrown ${typeof err}`;
}
