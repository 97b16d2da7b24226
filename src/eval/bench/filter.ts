import type { Document } from '../../core/document.js';
import { describeFilter, type MetadataFilter, matchesFilter } from '../../search/filter.js';
import type { EvalQuestion } from '../types.js';

/**
 * The questions a filtered bench scores: those whose gold lies wholly in documents passing the filter (every gold
 * span's document in span mode, every relevant document in doc mode), judged on DOCUMENT metadata; and the warning
 * that says how many were kept. Questions with gold outside the filter cannot be answered under it, so scoring
 * them would measure the filter, not the retrieval. @internal
 */
export function questionsUnderFilter(
  questions: readonly EvalQuestion[],
  documents: readonly Document[],
  filter: MetadataFilter,
  mode: 'spans' | 'docs',
): { kept: EvalQuestion[]; warning: string } {
  const allowed = new Set(documents.filter((d) => matchesFilter(d.metadata, filter)).map((d) => d.id));
  const kept = questions.filter((q) => {
    const gold =
      mode === 'spans'
        ? (q.spans ?? []).map((s) => s.docId)
        : Object.entries(q.relevantDocs ?? {})
            .filter(([, g]) => g > 0)
            .map(([id]) => id);
    return gold.length > 0 && gold.every((id) => allowed.has(id));
  });
  return {
    kept,
    warning: `filter ${describeFilter(filter)}: every search returns only chunks whose metadata match (${allowed.size} of ${documents.length} documents); scored the ${kept.length} of ${questions.length} questions whose gold lies in them; why-not is not run under a filter`,
  };
}
