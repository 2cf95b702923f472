// Every value shown in a report is seen for what it is: after `esc`, no character that reorders or hides text
// (bidi overrides and isolates, C0/C1 controls but tab and line breaks) and no character that HTML would parse
// is left; the value's other characters are kept in order. Found by the adversarial pass on #17:
// `\u202eRTL gnp.exe` showed as "exe.png LTR" in the sample rows and the chart labels.
import { describe, expect, it } from 'vitest';
import { esc, jsonForScript, visibleText } from '../../runtime/report/html.js';
import { mulberry32 } from '../support/prng.js';

const HOSTILE = ['\u202e', '\u202d', '\u2066', '\u2069', '\u200f', '\u061c', '\u001b', '\u0000', '\u0085', '\u009b', '\u2028', '<', '>', '&', '"', "'", '\t', '\n', 'a', 'é', '😀', '\\'];
// eslint-disable-next-line no-control-regex
const REORDERING_OR_HIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

describe('values in a report', () => {
  it('keep no reordering or control character and nothing HTML would parse (3,000 seeded strings)', () => {
    const rng = mulberry32(17);
    for (let n = 0; n < 3000; n++) {
      const s = Array.from({ length: 1 + Math.floor(rng() * 12) }, () => HOSTILE[Math.floor(rng() * HOSTILE.length)]!).join('');
      const shown = esc(s);
      expect(shown, JSON.stringify(s)).not.toMatch(REORDERING_OR_HIDDEN);
      expect(shown, JSON.stringify(s)).not.toMatch(/[<>"']|&(?!(amp|lt|gt|quot|#39);)/);
      // chart labels: the JSON block parses back to the visible text
      expect(JSON.parse(jsonForScript({ label: s })).label).toBe(visibleText(s));
      expect(visibleText(s)).not.toMatch(REORDERING_OR_HIDDEN);
    }
  });

  it('shows a right-to-left override as its escape, in place', () => {
    expect(esc('\u202eRTL gnp.exe')).toBe('\\u202eRTL gnp.exe');
    expect(esc('a\tb\nc')).toBe('a\tb\nc');
  });
});
