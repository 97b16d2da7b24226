// Why-not panel: the library's WhyNotReport (verdict, ranked causes with evidence and fix), shown as text.
import { clear, el, fmt } from './dom.js';

/** @param {any} t WhyNotTarget */
function describe(t) {
  const where = t.span ? ` [${t.span.start}, ${t.span.end})` : '';
  return `${t.kind}${t.docId ? ` in ${t.docId}` : ''}${where}${t.mainChunkId ? `, main chunk ${t.mainChunkId}` : ''}`;
}

/** Show a WhyNotReport in the side panel. @param {any} report */
export function showWhyNot(report) {
  const box = /** @type {HTMLElement} */ (document.getElementById('whynot'));
  clear(box);
  box.hidden = false;
  const close = el('button', { type: 'button' }, 'close');
  close.addEventListener('click', () => {
    box.hidden = true;
  });
  box.append(
    el('h2', {}, `Why not: ${describe(report.target)}`),
    el('p', { class: 'query' }, `query: ${report.query} (k ${report.k})`),
    el(
      'p',
      { 'data-field': 'verdict' },
      report.retrieved ? 'Retrieved' : 'Not retrieved',
      report.rank === null ? '' : ` — best rank ${report.rank}`,
      report.coverage === undefined ? '' : `, coverage ${fmt(report.coverage)}`,
    ),
    el('p', { 'data-field': 'summary' }, report.summary),
  );
  for (const c of report.causes) {
    box.append(
      el(
        'div',
        {
          class: `cause${c.decisive ? ' decisive' : ''}`,
          'data-cause': c.cause,
          'data-decisive': String(c.decisive),
        },
        el('strong', {}, `${c.cause} (${c.stage}${c.decisive ? ', decisive' : ''})`),
        el('p', { 'data-field': 'sentence' }, c.sentence),
        el('p', { 'data-field': 'fix' }, `fix: ${c.fix}`),
        el('details', {}, el('summary', {}, 'evidence'), el('pre', {}, JSON.stringify(c.evidence, null, 2))),
      ),
    );
  }
  box.append(close);
  box.setAttribute('data-state', 'shown');
}
