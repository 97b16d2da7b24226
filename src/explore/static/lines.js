// Lines between neighbouring stage lists: one per final hit found in both, so rank changes through fusion and
// re-ranking can be seen (green: moved up, red: moved down, grey: same rank).
const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 44;

/** An empty gutter placed between two stage columns. */
export function gutter() {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'gutter');
  svg.setAttribute('width', String(WIDTH));
  return svg;
}

/** Vertical centre of `node` in the coordinates of `svg`. @param {Element} node @param {Element} svg */
function middle(node, svg) {
  const r = node.getBoundingClientRect();
  return r.top + r.height / 2 - svg.getBoundingClientRect().top;
}

/**
 * Draw the lines of every gutter in `box` (after layout: they need the rows' positions).
 * @param {HTMLElement} box @param {Set<string>} finalIds
 */
export function drawLines(box, finalIds) {
  let drawn = 0;
  for (const svg of box.querySelectorAll('svg.gutter')) {
    svg.replaceChildren();
    svg.setAttribute('height', String(svg.getBoundingClientRect().height));
    const left = svg.previousElementSibling;
    const right = svg.nextElementSibling;
    if (!left || !right) continue;
    const rows = new Map(
      [...right.querySelectorAll('li[data-chunk-id]')].map((li) => [li.getAttribute('data-chunk-id'), li]),
    );
    for (const li of left.querySelectorAll('li[data-chunk-id]')) {
      const id = li.getAttribute('data-chunk-id');
      const other = id === null ? undefined : rows.get(id);
      if (!id || !other || !finalIds.has(id)) continue;
      const before = Number(li.getAttribute('data-rank'));
      const after = Number(other.getAttribute('data-rank'));
      const line = document.createElementNS(SVG, 'line');
      line.setAttribute('x1', '0');
      line.setAttribute('x2', String(WIDTH));
      line.setAttribute('y1', String(middle(li, svg)));
      line.setAttribute('y2', String(middle(other, svg)));
      line.setAttribute('class', after < before ? 'up' : after > before ? 'down' : 'same');
      line.setAttribute('data-chunk-id', id);
      line.setAttribute('data-from', String(before));
      line.setAttribute('data-to', String(after));
      svg.append(line);
      drawn++;
    }
  }
  box.setAttribute('data-lines', String(drawn));
}
