/**
 * Escaping helpers for the HTML and terminal renderers. Every user-derived string (question and document text,
 * config ids, dataset names, warnings) goes through one of these before it reaches output.
 * @packageDocumentation
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escape a string for use as HTML text or inside a double- or single-quoted attribute value.
 * `&`, `<`, `>`, `"` and `'` become character references, so the result can never open a tag, close an
 * attribute or start an entity.
 *
 * @example
 * ```ts
 * escapeHtml('<img src=x onerror="alert(1)">'); // '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
 * ```
 */
export function escapeHtml(value: string): string {
  return String(value).replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

/**
 * Serialise `value` as JSON that is safe to place inside a `<script type="application/json">` element:
 * `<`, `>`, `&`, U+2028 and U+2029 are written as `\uXXXX` escapes, so the text can never contain `</script>`,
 * `<!--` or a line terminator that older parsers choke on. `JSON.parse` of the result gives back the same value
 * (non-finite numbers become `null`, as in `JSON.stringify`).
 *
 * @example
 * ```ts
 * jsonForScript({ q: '</script><script>alert(1)</script>' });
 * // '{"q":"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"}'
 * ```
 */
export function jsonForScript(value: unknown): string {
  const json = JSON.stringify(value) ?? 'null';
  return json.replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Make a user-derived string safe to print on a terminal: ANSI escape sequences and other C0/C1 control
 * characters are removed (so a question cannot recolour, move the cursor or rewrite the screen), and line
 * breaks and tabs become single spaces (so a table cell stays on one line).
 *
 * @example
 * ```ts
 * sanitizeTerminal('bad\u001b[2Jquestion\nnext'); // 'badquestion next'
 * ```
 */
export function sanitizeTerminal(value: string): string {
  return String(value)
    .replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/\u001b[\]PX^_][^\u0007\u001b]*(?:\u0007|\u001b\\)?/g, '')
    .replace(/[\r\n\t\u2028\u2029]+/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}

/** A string already known to be safe HTML (produced by {@link html} or escaped explicitly). @internal */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Mark a trusted, already-safe HTML string. Only for markup built by this module. @internal */
export function raw(value: string): SafeHtml {
  return new SafeHtml(value);
}

/**
 * Tagged template that escapes every interpolated value unless it is a {@link SafeHtml}; arrays are joined with
 * each element treated the same way; `null`, `undefined` and `false` render nothing.
 * @internal
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) {
    out += interpolate(values[i]) + (strings[i + 1] ?? '');
  }
  return new SafeHtml(out);
}

function interpolate(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(interpolate).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}
