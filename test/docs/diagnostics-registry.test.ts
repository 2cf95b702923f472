// The diagnostic registry (base/diagnostics.ts): one fixed message template per code, typed arguments, no free
// text, and messages that stay safe and readable whatever the spec puts into them.
import { describe, expect, it } from 'vitest';
import { DIAGNOSTICS, MAX_ARG_LENGTH, SynthError, formatMessage, makeDiagnostic, placeholders, showArg, synthError, type DiagnosticCode } from '../../base/diagnostics.js';
import { mulberry32 } from '../support/prng.js';
import { checkInMemory } from '../support/synth.js';

const codes = Object.keys(DIAGNOSTICS) as DiagnosticCode[];


/** The placeholders as the type `Placeholders<S>` finds them: first `{`, up to the next `}`, kept if a word. */
function typeLevelPlaceholders(s: string): string[] {
  const out: string[] = [];
  let rest = s;
  for (;;) {
    const i = rest.indexOf('{');
    if (i < 0) break;
    const j = rest.indexOf('}', i + 1);
    if (j < 0) break;
    const k = rest.slice(i + 1, j);
    if (/^\w+$/.test(k)) out.push(k);
    rest = rest.slice(j + 1);
  }
  return out;
}

describe('the diagnostic registry', () => {
  it('codes are SYN + four digits, in their range by severity and kind', () => {
    for (const c of codes) expect(c).toMatch(/^SYN[0-69]\d{3}$/);
  });

  it('no template is free text: every code has fixed words around its arguments', () => {
    const free = codes.filter((c) => /^[\s:;,.()-]*(\{\w+\}[\s:;,.()-]*)*$/.test(DIAGNOSTICS[c].message));
    expect(free).toEqual([]);
  });

  it('no two codes share a template (one situation per code)', () => {
    const byTemplate = new Map<string, string[]>();
    for (const c of codes) byTemplate.set(DIAGNOSTICS[c].message, [...(byTemplate.get(DIAGNOSTICS[c].message) ?? []), c]);
    expect([...byTemplate.values()].filter((cs) => cs.length > 1)).toEqual([]);
  });

  it('the typed arguments are exactly the placeholders the message is filled from', () => {
    for (const c of codes) expect(typeLevelPlaceholders(DIAGNOSTICS[c].message), c).toEqual(placeholders(DIAGNOSTICS[c].message));
  });

  it('a call with missing or misnamed arguments does not compile', () => {
    const span = { start: 0, end: 1 };
    // (checked by `tsc -p tsconfig.json`, which `npm test` runs; the calls also run here)
    // @ts-expect-error — SYN1003 needs { path }
    makeDiagnostic('SYN1003', 'f', span, {});
    // @ts-expect-error — `file` is not an argument of SYN1003
    makeDiagnostic('SYN1003', 'f', span, { path: 'a', file: 'b' });
    // @ts-expect-error — SYN3008 has no arguments
    makeDiagnostic('SYN3008', 'f', span, { name: 'x' });
    // @ts-expect-error — SYN3008 does not take a suggestion (only codes with `suggests`)
    makeDiagnostic('SYN3008', 'f', span, {}, { suggestion: 'x' });
    // @ts-expect-error — SYN1005's data is { key, block }
    makeDiagnostic('SYN1005', 'f', span, { block: 'model m', key: 'name' }, { data: { setting: 'name' } });
    // @ts-expect-error — synthError is typed the same way
    synthError('SYN4002', { path: 'p' });
    // @ts-expect-error — a SynthError's message is its code's template: the constructor taking text is not public
    expect(() => new SynthError('SYN5006', 'free text')).not.toThrow();
    expect(makeDiagnostic('SYN1003', 'f', span, { path: 'a.synth' }).message).toBe("imported file 'a.synth' does not exist");
    const e = synthError('SYN5009', { name: 'x' }, { choices: ['a', 'b'] });
    expect([e.code, e.message, e.args]).toEqual(['SYN5009', "no dataset 'x' in this spec (one of: a, b)", { name: 'x' }]);
    expect(SynthError.copy(e)).toMatchObject({ code: 'SYN5009', message: e.message, args: { name: 'x' } });
  });

  it('suggestions and choices are added in one wording, and the suggestion goes to data', () => {
    const span = { start: 0, end: 1 };
    const d = makeDiagnostic('SYN1001', 'f', span, { what: 'type', name: 'strng' }, { suggestion: 'string', data: { name: 'strng' } });
    expect(d.message).toBe("unknown type 'strng' — did you mean 'string'?");
    expect(d.data).toEqual({ name: 'strng', suggestion: 'string' });
    const c = makeDiagnostic('SYN1001', 'f', span, { what: 'sampler', name: 'gauss' }, { choices: ['normal', 'uniform'] });
    expect(c.message).toBe("unknown sampler 'gauss' (one of: normal, uniform)");
    expect(c.data).toBeUndefined();
  });

  it('arguments cannot steer a terminal: control and bidi characters are escaped, long values cut', () => {
    expect(showArg('a\u001b[2Jb\u202ec\r\n')).toBe('a\\u001b[2Jb\\u202ec\\u000d\\u000a');
    expect(showArg('x'.repeat(MAX_ARG_LENGTH + 50))).toBe('x'.repeat(MAX_ARG_LENGTH) + '…');
    expect(showArg(42)).toBe('42');
    // seeded: any string comes out free of control characters and no longer than the cap (+ ellipsis)
    const rnd = mulberry32(1605);
    for (let i = 0; i < 500; i++) {
      const n = Math.floor(rnd() * 400);
      const s = Array.from({ length: n }, () => String.fromCharCode(Math.floor(rnd() * 0x2100))).join('');
      const out = formatMessage('SYN0003', { char: s });
      expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028-\u202e\u2066-\u2069]/);
      expect(out.length).toBeLessThanOrEqual("unexpected character ''".length + MAX_ARG_LENGTH * 6 + 1);
    }
  });

  it('a hostile string in a spec reaches the message escaped', () => {
    const text = 'model p {\n  name "x"\n  api_key env("K")\n}\nprompt d(c: string) -> image {\n  model p\n  user "{c}"\n  size "\u001b[2J\u202eevil"\n}\n';
    const res = checkInMemory(text);
    expect(res.diagnostics.map((d) => d.code)).toEqual(['SYN3011']);
    expect(res.diagnostics[0]!.message).toBe('image size "\\u001b[2J\\u202eevil" is not WIDTHxHEIGHT (e.g. "512x512") or "auto"');
  });
});
