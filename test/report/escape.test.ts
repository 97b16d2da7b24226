import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { html, raw } from '../../src/report/escape.js';
import { escapeHtml, jsonForScript, sanitizeTerminal } from '../../src/report/index.js';

function unescapeHtml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

describe('escapeHtml', () => {
  it('escapes the five HTML metacharacters', () => {
    expect(escapeHtml('<img src=x onerror="window.__pwned=2">')).toBe(
      '&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;',
    );
    expect(escapeHtml(`a & b's`)).toBe('a &amp; b&#39;s');
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
  });

  it('never leaves a metacharacter and round-trips (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const e = escapeHtml(s);
        expect(/[<>"']/.test(e)).toBe(false);
        expect(unescapeHtml(e)).toBe(s);
      }),
    );
  });
});

describe('jsonForScript', () => {
  it('cannot close the script element and parses back to the value', () => {
    const value = {
      q: '</script><script>alert(1)</script>',
      s: '<!-- x -->',
      amp: 'a&b',
      ls: '\u2028\u2029',
    };
    const out = jsonForScript(value);
    expect(out).not.toMatch(/[<>&\u2028\u2029]/);
    expect(out).toContain('\\u003c/script\\u003e');
    expect(JSON.parse(out)).toEqual(value);
  });

  it('round-trips any JSON value without <, >, & or line separators (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const out = jsonForScript(v);
        expect(/[<>&\u2028\u2029]/.test(out)).toBe(false);
        expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });

  it('writes NaN as null, like JSON.stringify', () => {
    expect(jsonForScript({ x: Number.NaN })).toBe('{"x":null}');
  });
});

describe('sanitizeTerminal', () => {
  it('removes ANSI sequences and control characters, flattens line breaks', () => {
    expect(sanitizeTerminal('bad\u001b[2Jquestion\nnext\tcol')).toBe('badquestion next col');
    expect(sanitizeTerminal('\u001b]0;title\u0007ok\u0000\u009b')).toBe('ok');
  });

  it('never outputs a control character (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(/[\u0000-\u001f\u007f-\u009f]/.test(sanitizeTerminal(s))).toBe(false);
      }),
    );
  });
});

describe('html template', () => {
  it('escapes interpolations (including array items) but not raw() or nested html``', () => {
    const evil = '<b onclick="x">';
    const out = html`<p>${evil}</p>${[evil, raw('<i>ok</i>')]}${html`<em>${evil}</em>`}${null}${false}${0}`;
    expect(out.value).toBe(
      '<p>&lt;b onclick=&quot;x&quot;&gt;</p>&lt;b onclick=&quot;x&quot;&gt;<i>ok</i><em>&lt;b onclick=&quot;x&quot;&gt;</em>0',
    );
  });
});
