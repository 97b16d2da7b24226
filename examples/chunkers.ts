// Run: npx tsx examples/chunkers.ts
// Four chunkers on one small document; every chunk keeps exact offsets and every boundary says why it is there.

import { createChunker, RecursiveChunker, SentenceChunker } from 'ragscope/chunkers';
import { HashingEmbedder } from 'ragscope/embedders';

const doc = {
  id: 'refunds.md',
  text:
    '# Refunds\n\nRefunds are issued within 5 business days. Contact support@example.com to start one.\n\n' +
    '## Exceptions\n\nGift cards cannot be refunded. Orders older than 90 days are not eligible.',
};

const recursive = new RecursiveChunker({ size: 80, overlap: 0, markdown: true });
const { chunks, boundaries } = recursive.chunkWithTraceSync(doc);
for (const c of chunks) {
  console.log(
    `${c.id} [${c.start}, ${c.end}) ${JSON.stringify(c.text)} headings=${JSON.stringify(c.metadata.headings)}`,
  );
  console.assert(doc.text.slice(c.start, c.end) === c.text);
}
for (const b of boundaries) console.log(`boundary @${b.offset} ${b.reason}: ${b.explanation}`);

const sentences = new SentenceChunker({ size: 120, overlap: 1 }).chunkSync(doc);
console.log(
  'sentence chunks:',
  sentences.map((c) => [c.start, c.end]),
);

// Spec strings (the CLI uses the same grammar); semantic and cluster chunkers need an embedder.
const semantic = createChunker('semantic:p90:max=200', {
  embedder: new HashingEmbedder({ dimensions: 256 }),
});
const traced = await semantic.chunkWithTrace(doc);
console.log(
  'semantic curve:',
  traced.curve?.distances.map((d) => d.toFixed(2)),
  'threshold',
  traced.curve?.threshold.toFixed(2),
);
