import { mkdtemp } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { runBench } from '../../src/eval/bench.js';
import { loadJsonl } from '../../src/eval/datasets/jsonl.js';
import type { EvalDataset } from '../../src/eval/types.js';
import type { BenchReport } from '../../src/report/types.js';
import { loadPipeline } from '../../src/search/persist.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';

export const EXAMPLES = path.resolve(__dirname, '../../examples');
export const XSS_IMG = '<img src=x onerror="window.__pwned = 1">';
export const XSS_SCRIPT = '<script>window.__pwned = 2</script>';
export const HOSTILE_ID = 'hostile.md';
export const HOSTILE = {
  id: HOSTILE_ID,
  text: `# Hostile upload\n\nThis onerror payload ${XSS_IMG} is here.\n\nAnd this script tag ${XSS_SCRIPT} too.\n`,
};

export interface Fixture {
  tmp: string;
  dataset: EvalDataset;
  pipeline: RetrievalPipeline;
  report: BenchReport;
}

/**
 * The example corpus (plus one hostile document) indexed with the library and the hashing embedder, saved and
 * loaded back as `ragscope explore` would; and a bench report from runBench on the examples.
 */
export async function buildFixture(): Promise<Fixture> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'ragscope-explore-'));
  const dataset = await loadJsonl(path.join(EXAMPLES, 'questions.jsonl'), {
    corpus: path.join(EXAMPLES, 'corpus'),
  });
  const embedder = new HashingEmbedder();
  const built = new RetrievalPipeline({
    chunker: 'recursive:400/0:chars',
    embedder,
    vector: { index: 'exact' },
  });
  await built.addDocuments([...dataset.documents, HOSTILE]);
  await built.save(path.join(tmp, 'index'));
  const pipeline = await loadPipeline(path.join(tmp, 'index'), { embedder });
  const report = await runBench({
    dataset,
    embedder,
    chunkers: ['recursive:400/0', 'sentence:400/1'],
    retrievers: ['bm25', 'hybrid'],
    cacheDir: false,
    iterations: 200,
  });
  return { tmp, dataset, pipeline, report };
}

/** A raw HTTP request with any Host/Origin header (fetch does not let one set Host). */
export function rawRequest(
  url: string,
  headers: Record<string, string>,
  method = 'GET',
  body?: string,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (p: Buffer) => parts.push(p));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(parts).toString('utf8'),
          headers: res.headers,
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}
