// ragscope explore: the page's entry module. Plain ES modules, no framework, no build step, no network but the
// server's own JSON API (the CSP says so too).
import { renderDocument } from './document.js';
import { api, el, status } from './dom.js';
import { renderFailures } from './failures.js';
import { renderSearch } from './query.js';
import { showWhyNot } from './whynot.js';

/** Shared page state. */
export const state = {
  /** @type {any} */ info: null,
  /** @type {any} */ result: null,
  query: '',
  k: 5,
  /** @type {string | null} */ questionId: null,
  /** @type {string | null} */ docId: null,
  /** The chunker whose cut the document view draws (null: the index's). @type {string | null} */ chunker:
    null,
};

const byId = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** Switch to a view: 'query', 'document' or 'failures'. @param {string} name */
export function showView(name) {
  for (const view of document.querySelectorAll('.view')) {
    /** @type {HTMLElement} */ (view).hidden = view.id !== `view-${name}`;
  }
  for (const b of document.querySelectorAll('#tabs button')) {
    b.classList.toggle('active', /** @type {HTMLElement} */ (b).dataset.view === name);
  }
}

/** Run a query and show its hits, ledgers and stage lists. @param {string} query @param {string | null} [questionId] */
export async function runQuery(query, questionId = null) {
  state.query = query;
  state.questionId = questionId;
  state.k = Number(/** @type {HTMLInputElement} */ (byId('k')).value) || 5;
  /** @type {HTMLInputElement} */ (byId('query')).value = query;
  /** @type {HTMLSelectElement} */ (byId('question-pick')).value = questionId ?? '';
  byId('whynot').hidden = true; // a verdict belongs to the query it was asked for
  status('searching…');
  try {
    state.result = await api('/api/search', { query, k: state.k });
    renderSearch(state.result, { openDocument, whyNot });
    status('');
  } catch (err) {
    status(String(/** @type {Error} */ (err).message), true);
  }
  showView('query');
}

/** Open a document in the document view. @param {string} docId */
export async function openDocument(docId) {
  state.docId = docId;
  /** @type {HTMLSelectElement} */ (byId('doc-pick')).value = docId;
  showView('document');
  try {
    const chunker = state.chunker ? `&chunker=${encodeURIComponent(state.chunker)}` : '';
    const doc = await api(`/api/document?id=${encodeURIComponent(docId)}${chunker}`);
    renderDocument(doc, { ...state, indexChunker: state.info.chunkers[0] ?? null }, { whyNot });
  } catch (err) {
    status(String(/** @type {Error} */ (err).message), true);
  }
}

/** Ask why-not for a target (chunk id, document id or span) under the current query. @param {unknown} target */
export async function whyNot(target) {
  const query = state.query || /** @type {HTMLInputElement} */ (byId('query')).value;
  if (!query.trim()) {
    status('type a query first: why-not explains a target for a query', true);
    return;
  }
  status('diagnosing…');
  try {
    const report = await api('/api/why-not', { query, k: state.k, target });
    showWhyNot(report);
    status('');
  } catch (err) {
    status(String(/** @type {Error} */ (err).message), true);
  }
}

/** The questions offered in the picker: gold questions when loaded, else the report's. */
function questions() {
  if (state.info.questions.length > 0) {
    return state.info.questions.map((/** @type {any} */ q) => ({ id: q.id, text: q.text }));
  }
  return (state.info.report?.perQuery ?? []).map((/** @type {any} */ q) => ({
    id: q.questionId,
    text: q.question,
  }));
}

async function init() {
  state.info = await api('/api/info');
  const pick = /** @type {HTMLSelectElement} */ (byId('question-pick'));
  const list = questions();
  for (const q of list) pick.append(el('option', { value: q.id }, q.text));
  pick.addEventListener('change', () => {
    const q = list.find((x) => x.id === pick.value);
    if (q) void runQuery(q.text, q.id);
  });
  const docPick = /** @type {HTMLSelectElement} */ (byId('doc-pick'));
  for (const d of state.info.index?.documents ?? []) {
    docPick.append(el('option', { value: d.id }, `${d.id} (${d.chunks} chunks)`));
  }
  docPick.addEventListener('change', () => void openDocument(docPick.value));
  const chunkerPick = /** @type {HTMLSelectElement} */ (byId('chunker-pick'));
  state.info.chunkers.forEach((/** @type {string} */ spec, /** @type {number} */ i) => {
    chunkerPick.append(el('option', { value: spec }, i === 0 ? `${spec} (the index's)` : spec));
  });
  chunkerPick.addEventListener('change', () => {
    state.chunker = chunkerPick.value;
    if (docPick.value) void openDocument(docPick.value);
  });
  byId('query-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const q = /** @type {HTMLInputElement} */ (byId('query')).value;
    if (q.trim()) void runQuery(q, null);
  });
  for (const b of document.querySelectorAll('#tabs button')) {
    b.addEventListener('click', () => {
      const view = /** @type {HTMLElement} */ (b).dataset.view ?? 'query';
      if (view === 'document' && !state.docId && docPick.value) void openDocument(docPick.value);
      else showView(view);
    });
  }
  if (!state.info.index) {
    for (const id of ['query-form']) byId(id).hidden = true;
    byId('hits').textContent = 'No index loaded: start ragscope explore with an index folder to search.';
  }
  renderFailures(state.info.report, { runQuery });
  document.documentElement.setAttribute('data-ready', '');
}

init().catch((err) => status(`could not load: ${err.message}`, true));
