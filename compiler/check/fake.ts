// `vary x ~ fake("module.method" [, locale: "de"])`: a realistic value from @faker-js/faker. The method path and the
// locale are checked against the generated catalogue (compiler/fake-catalogue.ts) with a "did you mean", and the
// variable gets the Synth type of the method's result. Both must be constants: the plan records them, and the
// runtime loads exactly the locales the plan names.
import type * as A from '../../grammar/ast.js';
import { FAKE_LOCALES, FAKE_METHODS } from '../fake-catalogue.js';
import type { FakeType } from '../fake-types.js';
import { T, type Ty } from '../types.js';
import type { DatasetScope } from './dataset-scope.js';

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
      ctx.report('SYN1001', n.value.span, { what: 'faker locale', name: n.value.value }, { ...ctx.suggest(inside(n.value), n.value.value, FAKE_LOCALES), data: { name: n.value.value } });
      return T.unknown;
    }
  }
  if (e.args.length !== 1 || path?.kind !== 'String') return bad('a constant method path: fake("person.fullName")');
  const entry = fakeMethod(path.value);
  if (!entry) {
    ctx.report('SYN1001', path.span, { what: 'faker method', name: path.value }, { ...ctx.suggest(inside(path), path.value, Object.keys(FAKE_METHODS)), data: { name: path.value } });
    return T.unknown;
  }
  return fakeResultType(entry.type);
}

/** The text between a string literal's quotes: what a "did you mean" fix replaces, so the quotes stay. */
function inside(s: A.StringLit): A.Span {
  const q = s.triple ? 3 : 1;
  return { start: s.span.start + q, end: Math.max(s.span.start + q, s.span.end - q) };
}

/** The locale code a checked `fake(...)` call draws in. */
export function fakeCallLocale(e: A.CallExpr): string {
  const n = (e.named ?? []).find((x) => x.name.name === 'locale');
  return (n?.value.kind === 'String' ? fakeLocale(n.value.value) : undefined) ?? DEFAULT_FAKE_LOCALE;
}
