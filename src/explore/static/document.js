// Document view: the source text cut into segments at every chunk and gold-span edge; chunk starts and ends are
// drawn as markers (CSS, so they are not part of the text and text selection keeps document offsets).
import { clear, el } from './dom.js';

/** @param {any} doc ExploreDocument @param {string | null} questionId */
function goldSpans(doc, questionId) {
  const mine = doc.gold.filter((/** @type {any} */ g) => g.questionId === questionId);
  return questionId !== null && mine.length > 0 ? mine : questionId === null ? doc.gold : [];
}

/** The boundary explanation for the chunk starting at `offset`, if the chunker gave one. */
function reasonAt(/** @type {any[] | null} */ boundaries, /** @type {number} */ offset) {
  const b = boundaries?.find((x) => x.offset === offset);
  return b ? `${b.reason}: ${b.explanation}` : undefined;
}

/** Map a DOM selection point to a document offset (segments carry their start offset). */
function offsetOf(/** @type {Node | null} */ node, /** @type {number} */ at) {
  const seg = node?.parentElement?.closest('.seg');
  if (!seg) return null;
  return Number(seg.getAttribute('data-start')) + at;
}

/**
 * Draw a document.
 * @param {any} doc ExploreDocument
 * @param {{ result: any, questionId: string | null, indexChunker: string | null }} state
 * @param {{ whyNot: (target: unknown) => void }} actions
 */
export function renderDocument(doc, state, actions) {
  const box = /** @type {HTMLElement} */ (document.getElementById('doc-text'));
  clear(box);
  const text = doc.document.text;
  const chunks = doc.chunks;
  const gold = goldSpans(doc, state.questionId);
  // Retrieved text by offsets, so it shows under any chunker's cut (the hits are the index's chunks).
  const retrieved = (state.result?.hits ?? [])
    .map((/** @type {any} */ h) => h.chunk)
    .filter((/** @type {any} */ c) => c.docId === doc.document.id);
  const saved = doc.chunker === state.indexChunker;
  const cuts = new Set([0, text.length]);
  for (const c of chunks) cuts.add(c.start).add(c.end);
  for (const g of gold) cuts.add(g.start).add(g.end);
  const points = [...cuts].filter((x) => x >= 0 && x <= text.length).sort((a, b) => a - b);
  const note = /** @type {HTMLElement} */ (document.getElementById('boundary-note'));
  note.textContent =
    doc.boundaryNote ?? `${chunks.length} chunks; hover a boundary marker for the chunker's reason.`;
  for (let i = 0; i < points.length; i++) {
    const at = /** @type {number} */ (points[i]);
    for (const c of chunks) {
      if (c.end === at && c.end > c.start) {
        box.append(
          el('span', { class: 'boundary end', 'data-kind': 'end', 'data-offset': at, 'data-chunk-id': c.id }),
        );
      }
    }
    for (const c of chunks) {
      if (c.start === at) {
        const reason = reasonAt(doc.boundaries, at) ?? (c.index === 0 ? 'first chunk' : undefined);
        box.append(
          el('span', {
            class: 'boundary start',
            'data-kind': 'start',
            'data-offset': at,
            'data-chunk-id': c.id,
            title: `${c.id} starts here${reason ? ` — ${reason}` : ''}`,
          }),
        );
      }
    }
    const next = points[i + 1];
    if (next === undefined || next === at) continue;
    const owners = chunks.filter((/** @type {any} */ c) => c.start <= at && at < c.end);
    const owner = owners[owners.length - 1];
    const seg = el(
      'span',
      {
        class: 'seg',
        'data-start': at,
        'data-end': next,
        'data-chunk-id': owner?.id,
        title: owner ? `${owner.id} [${owner.start}, ${owner.end}) — click for why-not` : 'between chunks',
      },
      text.slice(at, next),
    );
    if (owner && owner.index % 2 === 1) seg.classList.add('odd');
    if (gold.some((/** @type {any} */ g) => g.start <= at && next <= g.end)) seg.classList.add('gold');
    if (retrieved.some((/** @type {any} */ c) => c.start <= at && next <= c.end))
      seg.classList.add('retrieved');
    if (owner && !saved) seg.setAttribute('data-span', `${owner.start}:${owner.end}`);
    box.append(seg);
  }
  box.setAttribute('data-doc-id', doc.document.id);
  let selecting = false;
  box.onmouseup = () => {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || sel.rangeCount === 0) return;
    const range = sel.getRangeAt(0);
    const a = offsetOf(range.startContainer, range.startOffset);
    const b = offsetOf(range.endContainer, range.endOffset);
    if (a === null || b === null || b <= a) return;
    selecting = true;
    actions.whyNot({ docId: doc.document.id, start: a, end: b });
  };
  box.onclick = (event) => {
    if (selecting) {
      selecting = false;
      return;
    }
    const seg = /** @type {HTMLElement} */ (event.target).closest('.seg');
    const id = seg?.getAttribute('data-chunk-id');
    const span = seg?.getAttribute('data-span');
    // Another chunker's chunks are not in the index: ask about their text span instead.
    if (span) {
      const [start, end] = span.split(':').map(Number);
      actions.whyNot({ docId: doc.document.id, start, end });
    } else if (id) actions.whyNot(id);
  };
}
