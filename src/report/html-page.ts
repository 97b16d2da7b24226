import { createHash } from 'node:crypto';
import { html } from './escape.js';
import { REPORT_CSS } from './html-style.js';

/** A CSP hash source for an inline script or style (`'sha256-…'`). @internal */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The head of a self-contained ragscope page (the bench report, the compare page): a CSP that allows nothing but
 * the page's own stylesheet and the inline scripts given (by hash), no referrer, and the escaped title. Returns
 * everything from `<!DOCTYPE html>` to `</head>`. @internal
 */
export function pageHead(title: string, inlineScripts: readonly string[] = []): string {
  const csp = [
    "default-src 'none'",
    `script-src ${inlineScripts.length > 0 ? inlineScripts.map(cspHash).join(' ') : "'none'"}`,
    `style-src ${cspHash(REPORT_CSS)}`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${html`${title}`}</title>
<style>${REPORT_CSS}</style>
</head>`;
}
