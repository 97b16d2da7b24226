// Failures view: the bench report's failures grouped by their first (decisive) cause, with counts; open a group to
// see its questions, and a question to see every configuration's causes side by side.
import { clear, el } from './dom.js';

/** @param {any[]} failures FailureRecord[] */
function groupByCause(failures) {
  /** @type {Map<string, any[]>} */
  const groups = new Map();
  for (const f of failures) {
    const cause = f.causes[0]?.cause ?? 'no cause recorded';
    groups.set(cause, [...(groups.get(cause) ?? []), f]);
  }
  return [...groups.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
}

/** Every configuration that failed this question, side by side. @param {any[]} all @param {string} questionId */
function sideBySide(all, questionId) {
  const rows = all.filter((f) => f.questionId === questionId);
  const table = el('table', { class: 'ledger' });
  table.append(el('tr', {}, ...rows.map((f) => el('th', {}, f.configId))));
  table.append(
    el(
      'tr',
      {},
      ...rows.map((f) =>
        el(
          'td',
          {},
          ...f.causes.map((/** @type {any} */ c) =>
            el(
              'div',
              { class: 'cause' },
              el('strong', {}, c.cause),
              el('p', {}, c.sentence),
              el('p', {}, `fix: ${c.fix}`),
            ),
          ),
        ),
      ),
    ),
  );
  return table;
}

/**
 * Draw the failures view.
 * @param {any} report BenchReport or null
 * @param {{ runQuery: (query: string, questionId: string) => void }} actions
 */
export function renderFailures(report, actions) {
  const box = /** @type {HTMLElement} */ (document.getElementById('failures'));
  clear(box);
  if (!report) {
    box.append(el('p', {}, 'No report loaded: start ragscope explore with a report.json to see failures.'));
    return;
  }
  const failures = report.failures ?? [];
  box.append(
    el('h2', {}, report.title),
    el(
      'p',
      {},
      `${report.dataset.name}: ${report.dataset.documents} documents, ${report.dataset.questions} questions, ` +
        `${report.configs.length} configurations, ${failures.length} failures (question × configuration).`,
    ),
  );
  const top = report.causeSummary?.topFix;
  if (top) {
    box.append(
      el(
        'p',
        { class: 'top-fix' },
        el('strong', {}, 'The fix that rescued most: '),
        `${top.cause}, for ${top.rescued} failures (replayed alone on the real search, the gold came back): ${top.fix}`,
      ),
    );
  }
  /** @type {Map<string, number>} */
  const rescued = new Map();
  for (const f of failures) {
    const first = f.causes[0];
    if (first?.decisive === true) rescued.set(first.cause, (rescued.get(first.cause) ?? 0) + 1);
  }
  for (const [cause, list] of groupByCause(failures)) {
    const questions = new Map(list.map((f) => [f.questionId, f]));
    const group = el(
      'details',
      { class: 'group', 'data-cause': cause, 'data-count': list.length },
      el(
        'summary',
        {},
        `${cause} — ${list.length} failures, ${questions.size} questions, its fix rescued ${rescued.get(cause) ?? 0}`,
      ),
    );
    for (const f of questions.values()) {
      const configs = list.filter((x) => x.questionId === f.questionId).map((x) => x.configId);
      const open = el('button', { type: 'button' }, 'search it');
      open.addEventListener('click', () => actions.runQuery(f.question, f.questionId));
      const more = el('details', {}, el('summary', {}, 'every configuration side by side'));
      more.addEventListener('toggle', () => {
        if (more.childElementCount === 1) more.append(sideBySide(failures, f.questionId));
      });
      group.append(
        el(
          'div',
          { class: 'failure', 'data-question-id': f.questionId },
          el('strong', {}, f.question),
          ` (${configs.join(', ')}) `,
          open,
          more,
        ),
      );
    }
    box.append(group);
  }
}
