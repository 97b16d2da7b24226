import { open, rm } from 'node:fs/promises';
import { RagscopeError } from '../core/errors.js';
import { type GraphParams, HnswGraph } from './hnsw-graph.js';
import { Out, readAt } from './hnsw-graph-file.js';
import type { HnswModule } from './hnsw-module.js';
import { readVectorFile, tempPath, writeVectorFile } from './vector-common.js';

/**
 * The files of a segmented {@link VectorIndex}. An index of one graph writes exactly what an unsegmented index
 * always wrote (readable by older versions); several graphs write a version-2 file that older versions refuse by
 * its version number:
 * - `writeTo` (`RSVI` v2): the header lists, per segment, its id -> label map, next label and byte length; the body
 *   is hnswlib's bytes of each segment, one after the other (sha256 over all of them).
 * - the pipeline's graph file (`RSVG` v2): header JSON (index parameters, segment count, live count, each segment's
 *   byte length), a u32 segment number per live id in the caller's order, then each segment as a version-1 graph
 *   file (each with its own ids sha256, so an id filed under the wrong segment fails the load).
 * @internal
 */
const GRAPH_MAGIC = 'RSVG';
const BLOCK = 1 << 20;

type Params = GraphParams & { segmentSize: number };

/** `writeTo` of several graphs (or one). @internal */
export async function writeSegmentedIndexFile(
  file: string,
  params: Params,
  graphs: readonly HnswGraph[],
): Promise<void> {
  const bodies: Buffer[] = [];
  for (const g of graphs) bodies.push(await g.bytes(tempPath(file)));
  const map = (g: HnswGraph) => ({ nextLabel: g.nextLabel, labels: [...g.labelOf] });
  if (graphs.length === 1) {
    await writeVectorFile(file, { kind: 'hnsw', ...params, ...map(graphs[0] as HnswGraph) }, bodies);
    return;
  }
  const segments = graphs.map((g, i) => ({ ...map(g), bytes: (bodies[i] as Buffer).byteLength }));
  await writeVectorFile(file, { kind: 'hnsw', ...params, segments }, bodies, 2);
}

/** Read a `writeTo` file: `make` checks the header's parameters (throwing `CORRUPT_FILE`). @internal */
export async function readSegmentedIndexFile(
  file: string,
  mod: HnswModule,
  make: (header: Record<string, unknown>) => GraphParams,
): Promise<HnswGraph[]> {
  const { header, body, version } = await readVectorFile(file, 'hnsw');
  const p = make(header);
  if (version === 1) return [await HnswGraph.fromBytes(mod, file, p, header.nextLabel, header.labels, body)];
  const segments = header.segments;
  if (!Array.isArray(segments) || segments.length === 0) return corrupt(file, 'bad segment list');
  const graphs: HnswGraph[] = [];
  let at = 0;
  for (const s of segments as Array<Record<string, unknown>>) {
    const len = s?.bytes;
    if (!Number.isInteger(len) || at + (len as number) > body.length) corrupt(file, 'bad segment length');
    const part = body.subarray(at, at + (len as number));
    graphs.push(await HnswGraph.fromBytes(mod, file, p, s.nextLabel, s.labels, part));
    at += len as number;
  }
  if (at !== body.length) corrupt(file, 'bytes after the last segment');
  checkDisjoint(file, graphs);
  return graphs;
}

/** The pipeline's graph file of several graphs (or one, then the version-1 file). @internal */
export async function writeSegmentedGraph(
  file: string,
  params: Params,
  graphs: readonly HnswGraph[],
  ids: readonly string[],
  vectorOf: (id: string) => ArrayLike<number> | undefined,
): Promise<void> {
  if (graphs.length === 1) {
    await (graphs[0] as HnswGraph).writeGraph(file, ids, vectorOf, params);
    return;
  }
  const seg = new Uint32Array(ids.length);
  const parts: string[][] = graphs.map(() => []);
  ids.forEach((id, i) => {
    const s = graphs.findIndex((g) => g.labelOf.has(id));
    if (s < 0)
      throw new RagscopeError(
        'CORRUPT_FILE',
        `cannot save the HNSW graph to ${file}: id ${id} is not in the index`,
        {
          file,
        },
      );
    seg[i] = s;
    parts[s]?.push(id);
  });
  const tmps = graphs.map(() => tempPath(file));
  const out = await Out.create(file);
  try {
    const lengths: number[] = [];
    for (const [s, g] of graphs.entries()) {
      await g.writeGraph(tmps[s] as string, parts[s] as string[], vectorOf, params);
      const fh = await open(tmps[s] as string, 'r');
      lengths.push((await fh.stat()).size);
      await fh.close();
    }
    const meta = { kind: 'hnsw-segments', ...params, segments: graphs.length, count: ids.length, lengths };
    const json = Buffer.from(JSON.stringify(meta), 'utf8');
    const prefix = Buffer.alloc(12);
    prefix.write(GRAPH_MAGIC, 0, 'latin1');
    prefix.writeUInt32LE(2, 4);
    prefix.writeUInt32LE(json.byteLength, 8);
    await out.write(prefix);
    await out.write(json);
    await out.write(new Uint8Array(seg.buffer, seg.byteOffset, seg.byteLength));
    for (const t of tmps) {
      const fh = await open(t, 'r');
      try {
        for (let pos = 0; ; pos += BLOCK) {
          const b = await readAt(fh, pos, BLOCK);
          if (b.length > 0) await out.write(b);
          if (b.length < BLOCK) break;
        }
      } finally {
        await fh.close();
      }
    }
    await out.commit(file, true);
  } catch (err) {
    await out.abort();
    throw err;
  } finally {
    for (const t of tmps) await rm(t, { force: true });
  }
}

/**
 * Read the pipeline's graph file (contents `buf`) given the caller's live ids (saved order) and raw vectors:
 * a version-1 file is one graph, a version-2 file several. @internal
 */
export async function readSegmentedGraph(
  file: string,
  buf: Buffer,
  ids: readonly string[],
  vectors: readonly ArrayLike<number>[],
  mod: HnswModule,
  make: (header: Record<string, unknown>) => GraphParams,
): Promise<HnswGraph[]> {
  if (buf.length < 12 || buf.toString('latin1', 0, 4) !== GRAPH_MAGIC || buf.readUInt32LE(4) !== 2) {
    const { graph } = await HnswGraph.readGraph(mod, file, buf, ids, vectors, make);
    return [graph];
  }
  const fail = (why: string): never => corrupt(file, why, 'HNSW graph');
  const headLen = buf.readUInt32LE(8);
  let at = 12 + headLen;
  if (at > buf.length) fail('truncated header');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(buf.toString('utf8', 12, at));
  } catch {
    return fail('header is not valid JSON');
  }
  const n = header?.segments;
  const lengths = header?.lengths;
  if (
    header?.kind !== 'hnsw-segments' ||
    !Number.isInteger(n) ||
    (n as number) < 1 ||
    !Array.isArray(lengths) ||
    lengths.length !== n ||
    !lengths.every((l) => Number.isInteger(l) && l > 0)
  )
    fail('bad segment header');
  if (header.count !== ids.length || vectors.length !== ids.length)
    fail(`it lists ${String(header.count)} live vectors, ${ids.length} were given`);
  const p = make(header);
  if (at + ids.length * 4 > buf.length) fail('truncated segment list');
  const partIds: string[][] = Array.from({ length: n as number }, () => []);
  const partVecs: ArrayLike<number>[][] = Array.from({ length: n as number }, () => []);
  for (let i = 0; i < ids.length; i++, at += 4) {
    const s = buf.readUInt32LE(at);
    if (s >= (n as number)) fail(`segment ${s} of ${ids[i]} is out of range`);
    partIds[s]?.push(ids[i] as string);
    partVecs[s]?.push(vectors[i] as ArrayLike<number>);
  }
  const graphs: HnswGraph[] = [];
  for (const [s, len] of (lengths as number[]).entries()) {
    if (at + len > buf.length) fail(`segment ${s} is truncated`);
    const part = buf.subarray(at, at + len);
    const { graph } = await HnswGraph.readGraph(
      mod,
      file,
      part,
      partIds[s] ?? [],
      partVecs[s] ?? [],
      () => p,
    );
    graphs.push(graph);
    at += len;
  }
  if (at !== buf.length) fail('bytes after the last segment');
  return graphs;
}

function corrupt(file: string, why: string, what = 'vector index'): never {
  throw new RagscopeError('CORRUPT_FILE', `${file} is not a valid ragscope ${what}: ${why}`, { file });
}

/** No id in two segments (a `writeTo` file lists each segment's ids itself). */
function checkDisjoint(file: string, graphs: readonly HnswGraph[]): void {
  const seen = new Set<string>();
  for (const g of graphs)
    for (const id of g.labelOf.keys()) {
      if (seen.has(id)) corrupt(file, `id ${id} is in two segments`);
      seen.add(id);
    }
}
