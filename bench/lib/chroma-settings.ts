/**
 * The chunking settings of bench/chroma.ts (each by ragscope and, where LangChain has it, by LangChain) and how
 * they are split over processes.
 */
import type { Tokenizer } from '../../src/chunkers/length.js';
import { createChunker } from '../../src/chunkers/spec.js';
import type { Chunker } from '../../src/chunkers/types.js';
import type { Embedder } from '../../src/embedders/types.js';
import type { LangChainChunker } from './langchain-chunker.js';

/** A chunking setting, done by ragscope and (where LangChain has it) LangChain. */
export interface SettingDef {
  label: string;
  size: string;
  overlap: number;
  /** The paper's matching row(s), for comparison. */
  paper: string;
  /**
   * CPU seconds of the pair (ragscope + LangChain), measured with `--jobs 1` (the `cpu` of each result), to
   * balance the processes.
   */
  cost: number;
  /** Settings of one group run in the same process (they share work: the sentence splits of each document). */
  group?: string;
  ours: (d: Deps) => Chunker;
  langchain?: (d: Deps) => LangChainChunker;
}
/** What the chunkers of a setting are built from (one of each per process). */
export interface Deps {
  tokenizer: Tokenizer;
  embedder: Embedder;
  lcRecursive: (size: number, overlap: number) => LangChainChunker;
  lcToken: (size: number, overlap: number) => LangChainChunker;
}

/** The settings, in table order; their index identifies them across processes. */
export const SETTINGS: SettingDef[] = [
  {
    label: 'Recursive',
    size: '800',
    overlap: 400,
    paper: '800 (~661)',
    cost: 2.8,
    ours: (d) => createChunker('recursive:800/400:tokens:chroma', d),
    langchain: (d) => d.lcRecursive(800, 400),
  },
  {
    label: 'Recursive',
    size: '400',
    overlap: 0,
    paper: '400 (~276)',
    cost: 1.7,
    ours: (d) => createChunker('recursive:400/0:tokens:chroma', d),
    langchain: (d) => d.lcRecursive(400, 0),
  },
  {
    label: 'Recursive',
    size: '200',
    overlap: 0,
    paper: '200 (~137); MiniLM run ~128',
    cost: 1.8,
    ours: (d) => createChunker('recursive:200/0:tokens:chroma', d),
    langchain: (d) => d.lcRecursive(200, 0),
  },
  {
    label: 'TokenText (fixed)',
    size: '400',
    overlap: 0,
    paper: '400',
    cost: 2.4,
    ours: (d) => createChunker('fixed:400/0:tokens', d),
    langchain: (d) => d.lcToken(400, 0),
  },
  {
    label: 'TokenText (fixed)',
    size: '200',
    overlap: 0,
    paper: '200',
    cost: 1.9,
    ours: (d) => createChunker('fixed:200/0:tokens', d),
    langchain: (d) => d.lcToken(200, 0),
  },
  {
    label: 'Sentence',
    size: '200',
    overlap: 0,
    paper: '— (not in the paper)',
    cost: 2.5,
    group: 'sentences',
    ours: (d) => createChunker('sentence:200/0:tokens', d),
  },
  {
    label: 'Semantic (Kamradt p95)',
    size: 'max 400',
    overlap: 0,
    paper: 'Kamradt N/A (~660); KamradtMod 300 (~397)',
    cost: 1.7,
    group: 'sentences',
    ours: (d) => createChunker('semantic:p95:max=400:tokens', d),
  },
  {
    label: 'Cluster',
    size: '200',
    overlap: 0,
    paper: '200 (~103); MiniLM run ~102',
    cost: 1.6,
    group: 'sentences',
    // Chroma's ClusterSemanticChunker: 50-token pieces (its min_chunk_size, the default piece in tokens), max 200
    // -> 4 pieces a cluster.
    ours: (d) => createChunker('cluster:200:tokens', d),
  },
];

/**
 * Split settings over `n` processes, longest first onto the least loaded (LPT); the settings of a group go together,
 * as one item of their summed cost.
 */
export function plan(n: number): number[][] {
  const shards = Array.from({ length: n }, () => ({ cost: 0, items: [] as number[] }));
  const items = new Map<string, { cost: number; members: number[] }>();
  for (const [i, s] of SETTINGS.entries()) {
    const key = s.group ?? `#${i}`;
    const item = items.get(key) ?? { cost: 0, members: [] };
    item.cost += s.cost;
    item.members.push(i);
    items.set(key, item);
  }
  const order = [...items.values()].sort((x, y) => y.cost - x.cost);
  for (const { cost, members } of order) {
    const target = shards.reduce((m, s) => (s.cost < m.cost ? s : m));
    target.items.push(...members);
    target.cost += cost;
  }
  return shards.map((s) => s.items.sort((x, y) => x - y)).filter((s) => s.length > 0);
}
