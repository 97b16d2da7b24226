// Query view: top hits with their per-stage ledger, BM25 terms highlighted in the chunk text, and the candidate
// list of every stage side by side.
import { clear, el, fmt } from './dom.js';
import { drawLines, gutter } from './lines.js';

const WORD = /[\p{L}\p{N}]+/gu;
const STAGE_ROWS = 30;

/**
 * Which BM25 term a word of the chunk is (the analyzer runs on the server, so this matches the query term, its
 * analysed stem, or the stem's prefix for stemmers that rewrite a final y as i).
 * @param {string} word
 * @param {any[]} terms TermContribution[]
 */
function termOf(word, terms) {
  const w = word.toLowerCase();
  for (const t of terms) {
    const a = String(t.analyzed);
    if (w === String(t.term).toLowerCase() || w === a) return t;
    if (a.length >= 3 && w.startsWith(a)) return t;
    if (a.length >= 4 && a.endsWith('i') && w.startsWith(a.slice(0, -1))) return t;
  }
  return undefined;
}

/** The chunk text with the words that scored for BM25 marked. @param {string} text @param {any[]} terms */
function highlighted(text, terms) {
  const box = el('div', { class: 'chunk-text' });
  let last = 0;
  for (const m of text.matchAll(WORD)) {
    const t = termOf(m[0], terms);
    if (!t) continue;
    const at = m.index ?? 0;
    box.append(text.slice(last, at));
    box.append(
      el(
        'mark',
        {
          class: 'term',
          'data-term': t.term,
          title: `${t.term} (${t.analyzed}): +${fmt(t.contribution)}  tf ${t.tf}, df ${t.df}, idf ${fmt(t.idf)}`,
        },
        m[0],
      ),
    );
    last = at + m[0].length;
  }
  box.append(text.slice(last));
  return box;
}

/** One ledger row. @param {string} stage @param {any} entry @param {...(string | Node)} cells */
function row(stage, entry, ...cells) {
  return el(
    'tr',
    {
      'data-stage': stage,
      'data-rank': entry?.rank ?? '',
      'data-score': entry?.score ?? '',
    },
    el('th', {}, stage),
    ...cells.map((c) => el('td', {}, c)),
  );
}

/** The per-stage ledger of one hit as a table. @param {any} ledger Ledger */
function ledgerTable(ledger) {
  const table = el('table', { class: 'ledger' });
  const b = ledger.bm25;
  table.append(
    b
      ? row(
          'bm25',
          b,
          `rank ${b.rank}`,
          `score ${fmt(b.score)}`,
          b.explanation.terms.map((/** @type {any} */ t) => `${t.term} +${fmt(t.contribution)}`).join(', ') ||
            'no term matched',
        )
      : row('bm25', null, 'not in the BM25 list'),
  );
  const v = ledger.vector;
  table.append(
    v
      ? row('vector', v, `rank ${v.rank}`, `${v.metric} ${fmt(v.score)}`)
      : row('vector', null, 'not in the vector list'),
  );
  // Other named retrievers' lists (a ledger may carry them beside bm25 and vector).
  for (const [name, e] of Object.entries(ledger.lists ?? {})) {
    if (name !== 'bm25' && name !== 'vector')
      table.append(row(name, e, `rank ${e.rank}`, `score ${fmt(e.score)}`));
  }
  const f = ledger.fusion;
  if (f) {
    const parts = f.contributions.map(
      (/** @type {any} */ c) =>
        `${c.list} ${c.rank === null ? 'absent' : `#${c.rank}`} → +${fmt(c.contribution)}`,
    );
    table.append(
      row(
        'fusion',
        f,
        `rank ${f.rank}`,
        `${f.method} ${fmt(f.score)}`,
        `${parts.join(', ')}${f.foundBy.length < 2 ? ` (found by ${f.foundBy.join(', ')} only)` : ''}`,
      ),
    );
  }
  const r = ledger.rerank;
  if (r) {
    const moved = el(
      'span',
      { class: r.moved > 0 ? 'moved-up' : r.moved < 0 ? 'moved-down' : '' },
      r.moved > 0 ? `▲${r.moved}` : r.moved < 0 ? `▼${-r.moved}` : '=',
    );
    table.append(
      row(
        'rerank',
        { rank: r.rankAfter, score: r.score },
        `#${r.rankBefore} → #${r.rankAfter}`,
        `score ${fmt(r.score)}`,
        moved,
      ),
    );
  }
  return table;
}

/** Hover a candidate: mark the same chunk in every stage list. @param {HTMLElement} root */
function linkStages(root) {
  root.addEventListener('mouseover', (event) => {
    const li = /** @type {HTMLElement} */ (event.target).closest('li[data-chunk-id]');
    const id = li?.getAttribute('data-chunk-id');
    for (const x of root.querySelectorAll('li.linked')) x.classList.remove('linked');
    if (!id) return;
    for (const x of root.querySelectorAll('li[data-chunk-id]')) {
      if (x.getAttribute('data-chunk-id') === id) x.classList.add('linked');
    }
  });
}

/** Where a candidate came from: fusion names its rank in each retriever list, re-ranking its fused rank. */
function movement(
  /** @type {string} */ stage,
  /** @type {string} */ id,
  /** @type {Map<string, Map<string, number>>} */ ranks,
) {
  const at = (/** @type {string} */ s) => ranks.get(s)?.get(id);
  if (stage === 'fusion') {
    // Every retriever list before fusion (bm25, vector, or any named retriever).
    const lists = [...ranks.keys()].filter((s) => s !== 'fusion' && s !== 'rerank');
    const parts = lists.map((s) => `${s} ${at(s) ? `#${at(s)}` : '—'}`);
    return parts.length ? ` (${parts.join(', ')})` : '';
  }
  if (stage === 'rerank' && ranks.has('fusion')) return at('fusion') ? ` (was #${at('fusion')})` : ' (new)';
  return '';
}

/**
 * Every stage's candidate list side by side; later lists say where each chunk stood in the lists before them.
 * @param {any} trace SearchTrace @param {Set<string>} finalIds @param {(target: unknown) => void} whyNot
 */
function stageColumns(trace, finalIds, whyNot) {
  const box = /** @type {HTMLElement} */ (document.getElementById('stages'));
  clear(box);
  /** @type {Map<string, Map<string, number>>} */
  const ranks = new Map();
  for (const stage of trace.stages) {
    ranks.set(stage.stage, new Map(stage.candidates.map((/** @type {any} */ c) => [c.chunkId, c.rank])));
  }
  for (const stage of trace.stages) {
    const list = el('ol');
    for (const c of stage.candidates.slice(0, STAGE_ROWS)) {
      const li = el(
        'li',
        { 'data-chunk-id': c.chunkId, 'data-rank': c.rank, title: 'click: why-not for this chunk' },
        `${c.chunkId}  ${fmt(c.score)}${movement(stage.stage, c.chunkId, ranks)}`,
      );
      if (finalIds.has(c.chunkId)) li.classList.add('final');
      li.addEventListener('click', () => whyNot(c.chunkId));
      list.append(li);
    }
    const params = Object.entries(stage.params)
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`)
      .join(' ');
    if (box.childElementCount > 0) box.append(gutter());
    box.append(
      el(
        'div',
        { class: 'stage', 'data-stage': stage.stage },
        el('h3', {}, `${stage.stage} (${stage.candidates.length})`),
        el('small', {}, params),
        list,
      ),
    );
  }
  linkStages(box);
  box.removeAttribute('data-lines');
  requestAnimationFrame(() => drawLines(box, finalIds));
}

/**
 * Show a SearchResult.
 * @param {any} result SearchResult
 * @param {{ openDocument: (id: string) => void, whyNot: (target: unknown) => void }} actions
 */
export function renderSearch(result, actions) {
  const box = /** @type {HTMLElement} */ (document.getElementById('hits'));
  clear(box);
  box.setAttribute('data-query', result.trace.query);
  if (result.hits.length === 0) box.append(el('p', {}, 'No hits.'));
  for (const hit of result.hits) {
    const open = el('button', { type: 'button' }, `open ${hit.chunk.docId}`);
    open.addEventListener('click', () => actions.openDocument(hit.chunk.docId));
    const text = highlighted(hit.chunk.text, hit.ledger.bm25?.explanation.terms ?? []);
    text.title = 'click: why-not for this chunk';
    text.addEventListener('click', () => actions.whyNot(hit.chunk.id));
    box.append(
      el(
        'div',
        { class: 'hit', 'data-chunk-id': hit.chunk.id, 'data-rank': hit.rank, 'data-score': hit.score },
        el(
          'h3',
          {},
          el('span', {}, `#${hit.rank}`),
          el('code', {}, hit.chunk.id),
          el('span', {}, `[${hit.chunk.start}, ${hit.chunk.end})`),
          el('span', {}, `score ${fmt(hit.score)}`),
          open,
        ),
        ledgerTable(hit.ledger),
        text,
      ),
    );
  }
  stageColumns(result.trace, new Set(result.hits.map((/** @type {any} */ h) => h.chunk.id)), actions.whyNot);
}
