// Small DOM helpers. Data from the server (documents, chunks, queries) is hostile input: it only ever becomes
// text nodes (textContent) or attribute values (setAttribute), never markup.

/**
 * Create an element with attributes and children (strings become text nodes).
 * @param {string} tag
 * @param {Record<string, string | number | boolean | undefined>} [attrs]
 * @param {...(Node | string | number | null | undefined)} children
 * @returns {HTMLElement}
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
  return node;
}

/** Remove every child of `node`. @param {Element} node */
export function clear(node) {
  node.replaceChildren();
}

/** A number for people: integers as they are, others with 3 decimals. @param {number | null | undefined} n */
export function fmt(n) {
  if (n === null || n === undefined) return '—';
  return Number.isInteger(n) ? String(n) : n.toFixed(3);
}

/**
 * Call the JSON API (same origin only: the CSP allows nothing else).
 * @param {string} path
 * @param {unknown} [body] POSTed as JSON when given
 */
export async function api(path, body) {
  const init =
    body === undefined
      ? { method: 'GET' }
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const res = await fetch(path, init);
  const json = await res.json();
  if (!res.ok) throw new Error(json.error ?? `HTTP ${res.status}`);
  return json;
}

/** Show a status line (errors in red). @param {string} text @param {boolean} [isError] */
export function status(text, isError = false) {
  const node = document.getElementById('status');
  if (!node) return;
  node.textContent = text;
  node.className = isError ? 'error' : '';
}
