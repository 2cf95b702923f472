// `vary x ~ fake("module.method" [, locale: "de"])`: a realistic value from @faker-js/faker. The method path and the
// locale are checked against the generated catalogue (compiler/fake-catalogue.ts) with a "did you mean", and the
// variable gets the Synth type of the method's result. Both must be constants: the plan records them, and the
// runtime loads exactly the locales the plan names.
import type * as A from '../../grammar/ast.js';
import { FAKE_LOCALES, FAKE_METHODS } from '../fake-catalogue.js';
import type { FakeType } from '../fake-types.js';
import { T, type Ty } from '../types.js';
import type { DatasetScope } from './dataset-scope.js';
import type { CheckContext } from './context.js';
import type { Fix } from '../../base/diagnostics.js';

/** The locale a `fake` draws in when the spec names none. */
export const DEFAULT_FAKE_LOCALE = 'en';

/**
 * faker's code for a locale as a user may write it: `de`, `de-AT`, `de_at`, `en-us` → `de`, `de_AT`, `de_AT`,
 * `en_US` (BCP 47's `-` and any case accepted); undefined when faker has no such locale.
 */
export function fakeLocale(written: string): string | undefined {
  const key = written.replace(/-/g, '_').toLowerCase();
  return FAKE_LOCALES.find((l) => l.toLowerCase() === key);
}

/**
 * The catalogue entry of `path` (`person.fullName`), or undefined: an own key of the table only, so `constructor`
 * or `__proto__` written as a path is an unknown method, never something inherited from Object.
 */
export function fakeMethod(path: string): { type: FakeType; example: string } | undefined {
  return Object.hasOwn(FAKE_METHODS, path) ? FAKE_METHODS[path] : undefined;
}

/** The Synth type of a catalogue entry's result. */
export function fakeResultType(t: FakeType): Ty {
  if (typeof t === 'object') return { k: 'record', name: '', fields: new Map(Object.entries(t.record).map(([k, v]) => [k, T[v]])) };
  if (t === 'float[]') return { k: 'array', elem: T.float };
  return T[t];
}

/** `fake(path [, locale: code])`: the type it draws, `unknown` after a reported mistake. */
export function fakeType(e: A.CallExpr, ds: DatasetScope, bad: (expected: string) => Ty): Ty {
  const { ctx } = ds;
  const path = e.args[0];
  const seen = new Set<string>();
  for (const n of e.named ?? []) {
    if (seen.has(n.name.name)) {
      ctx.report('SYN1009', n.name.span, { name: n.name.name, scope: 'fake(…)' });
      continue;
    }
    seen.add(n.name.name);
    if (n.name.name !== 'locale') {
      ctx.report('SYN2040', n.name.span, { callee: 'fake(…)', name: n.name.name }, ctx.suggest(n.name.span, n.name.name, ['locale']));
      continue;
    }
    if (n.value.kind !== 'String') return bad('a constant method path and locale: fake("person.fullName", locale: "de")');
    if (!fakeLocale(n.value.value)) {
      ctx.report('SYN1001', n.value.span, { what: 'faker locale', name: n.value.value }, { ...suggestInString(ctx, n.value, FAKE_LOCALES), data: { name: n.value.value } });
      return T.unknown;
    }
  }
  if (e.args.length !== 1 || path?.kind !== 'String') return bad('a constant method path: fake("person.fullName")');
  const entry = fakeMethod(path.value);
  if (!entry) {
    ctx.report('SYN1001', path.span, { what: 'faker method', name: path.value }, { ...suggestInString(ctx, path, Object.keys(FAKE_METHODS)), data: { name: path.value } });
    return T.unknown;
  }
  return fakeResultType(entry.type);
}

/**
 * The "did you mean" for a misspelt string literal `s`, with a fix that rewrites the whole literal with its quotes.
 * The fix's span is the literal's own span (never one computed from it): the language server moves the spans of
 * a declaration it replays after an edit above it, and a computed span would stay where it was.
 */
function suggestInString(ctx: CheckContext, s: A.StringLit, pool: Iterable<string>): { suggestion?: string; fix?: Fix } {
  const { suggestion } = ctx.suggest(s.span, s.value, pool);
  if (suggestion === undefined) return {};
  const q = s.triple ? '"""' : '"';
  return { suggestion, fix: ctx.replaceFix(`Change to '${suggestion}'`, s.span, q + suggestion + q) };
}

/** The locale code a checked `fake(...)` call draws in. */
export function fakeCallLocale(e: A.CallExpr): string {
  const n = (e.named ?? []).find((x) => x.name.name === 'locale');
  return (n?.value.kind === 'String' ? fakeLocale(n.value.value) : undefined) ?? DEFAULT_FAKE_LOCALE;
}
