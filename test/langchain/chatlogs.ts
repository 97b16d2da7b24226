import { loadChromaSpans } from '../../src/eval/datasets/chroma.js';
import type { EvalDataset } from '../../src/eval/types.js';
import { sharedPath } from '../chunkers/chunk-invariants.js';

/** Chroma's chatlogs corpus alone, with the questions whose gold spans all lie in it (the LangChain tests' data). */
export async function chatlogsDataset(): Promise<EvalDataset> {
  const all = await loadChromaSpans(sharedPath('data/chroma'));
  const doc = all.documents.find((d) => d.id === 'chatlogs')!;
  return {
    ...all,
    documents: [doc],
    questions: all.questions.filter((q) => q.spans?.every((s) => s.docId === doc.id)),
  };
}
