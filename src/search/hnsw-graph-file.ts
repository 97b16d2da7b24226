import { createHash } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import type { HierarchicalNSW } from 'hnswlib-node';
import { RagscopeError } from '../core/errors.js';
import { tempPath, type VectorMetric } from './vector-common.js';

/**
 * The HNSW graph without the vectors the caller stores anyway ("one copy of the vectors on disk"). hnswlib's own
 * file holds, per node, its level-0 links, its (normalised) vector and its label, then the upper-level links. This
 * file holds the same bytes minus the vector of every live node; a load rebuilds hnswlib's file from the caller's raw
 * vectors with {@link hnswData} (the exact bytes hnswlib held: it is given those bytes when a vector is added), then
 * has hnswlib read it, so the loaded graph is bit for bit the saved one. The vectors of deleted nodes (still routing
 * searches until the next compaction), and of any node whose bytes would not be reproduced, are kept inline.
 *
 * Layout: `RSVG`, u32 version, u32 header length, header JSON ({@link GraphHeader}), u32 label of each of the
 * caller's ids (in the caller's order), hnswlib's 96-byte header, per node [u8 1 = vector inline][node record
 * without its vector][vector if inline], hnswlib's upper-level links verbatim. @internal
 */
const MAGIC = 'RSVG';
const VERSION = 1;
const HNSW_HEADER = 96;
const BLOCK = 1 << 20;

/** Parameters stored with the graph. @internal */
export interface GraphHeader {
  kind: 'hnsw-graph';
  dimensions: number;
  metric: VectorMetric;
  /** Live vectors (= labels listed). */
  count: number;
  /** Nodes in the graph, live and deleted. */
  elements: number;
  nextLabel: number;
  /** sha256 of the live ids, in the caller's order, each followed by a NUL. */
  idsSha256: string;
  [key: string]: unknown;
}

function idsDigest(ids: readonly string[]): string {
  const h = createHash('sha256');
  for (const id of ids) h.update(`${id}\0`);
  return h.digest('hex');
}

/**
 * The bytes hnswlib stores for `v`: float32 of `v` for `'ip'`; for `'cosine'`, `v` normalised in float32 arithmetic
 * (the vector `VectorIndex` hands to hnswlib). @internal
 */
export function hnswData(v: ArrayLike<number>, metric: VectorMetric): Float32Array {
  const out = Float32Array.from(v as ArrayLike<number>);
  if (metric === 'ip') return out;
  let acc = 0;
  for (let i = 0; i < out.length; i++) acc = Math.fround(acc + Math.fround((out[i] as number) ** 2));
  const norm = Math.fround(Math.sqrt(acc));
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i] = Math.fround((out[i] as number) / norm);
  return out;
}

/** hnswlib's node layout, from its file header. */
interface Layout {
  elements: number;
  record: number;
  labelAt: number;
  dataAt: number;
  dataBytes: number;
}

function layoutOf(head: Buffer, dims: number, fail: (why: string) => never): Layout {
  const n = (at: number) => Number(head.readBigUInt64LE(at));
  const layout = { elements: n(16), record: n(24), labelAt: n(32), dataAt: n(40), dataBytes: dims * 4 };
  const { record, labelAt, dataAt, dataBytes } = layout;
  if (n(0) !== 0 || dataAt + dataBytes > record || labelAt + 8 > record || labelAt < dataAt + dataBytes)
    fail('unexpected hnswlib node layout');
  return layout;
}

/** Buffered sequential writes to a temp file, renamed over `file` by `commit`. @internal */
export class Out {
  private readonly parts: Buffer[] = [];
  private pending = 0;
  private constructor(
    private readonly fh: FileHandle,
    readonly tmp: string,
  ) {}

  static async create(file: string): Promise<Out> {
    const tmp = tempPath(file);
    return new Out(await open(tmp, 'w'), tmp);
  }

  async write(b: Uint8Array): Promise<void> {
    this.parts.push(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    this.pending += b.byteLength;
    if (this.pending >= BLOCK) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pending > 0) await this.fh.write(Buffer.concat(this.parts, this.pending));
    this.parts.length = 0;
    this.pending = 0;
  }

  async commit(file: string, sync: boolean): Promise<void> {
    await this.flush();
    if (sync) await this.fh.sync();
    await this.fh.close();
    await rename(this.tmp, file);
  }

  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined);
    await rm(this.tmp, { force: true });
  }
}

/** Read `len` bytes at `pos` (short only at the end of the file). @internal */
export async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(buf, got, len - got, pos + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === len ? buf : buf.subarray(0, got);
}

const bytesOf = (f: Float32Array): Buffer => Buffer.from(f.buffer, f.byteOffset, f.byteLength);

/**
 * Write `h`'s graph to `file` without the vectors of `ids` (live ids, labels `labelOf`), whose raw vectors
 * `vectorOf` gives. Streamed (hnswlib writes its file, which is read back block by block), temp file + rename.
 * @internal
 */
export async function writeGraphFile(
  file: string,
  h: HierarchicalNSW,
  header: { dimensions: number; metric: VectorMetric; nextLabel: number; [key: string]: unknown },
  ids: readonly string[],
  labelOf: ReadonlyMap<string, number>,
  vectorOf: (id: string) => ArrayLike<number> | undefined,
): Promise<void> {
  const fail = (why: string): never => {
    throw new RagscopeError('CORRUPT_FILE', `cannot save the HNSW graph to ${file}: ${why}`, { file });
  };
  const labels = Buffer.alloc(ids.length * 4);
  const liveId = new Map<number, string>();
  for (const [i, id] of ids.entries()) {
    const label = labelOf.get(id);
    if (label === undefined || label > 0xffffffff) return fail(`id ${id} is not in the index`);
    labels.writeUInt32LE(label, i * 4);
    liveId.set(label, id);
  }
  if (liveId.size !== labelOf.size) fail(`${ids.length} ids given, the index holds ${labelOf.size}`);
  const raw = tempPath(file);
  await h.writeIndex(raw);
  const out = await Out.create(file);
  const src = await open(raw, 'r');
  try {
    const head = await readAt(src, 0, HNSW_HEADER);
    const L = layoutOf(head, header.dimensions, fail);
    const meta: GraphHeader = {
      kind: 'hnsw-graph',
      ...header,
      count: ids.length,
      elements: L.elements,
      idsSha256: idsDigest(ids),
    };
    const json = Buffer.from(JSON.stringify(meta), 'utf8');
    const prefix = Buffer.alloc(12);
    prefix.write(MAGIC, 0, 'latin1');
    prefix.writeUInt32LE(VERSION, 4);
    prefix.writeUInt32LE(json.byteLength, 8);
    for (const b of [prefix, json, labels, head]) await out.write(b);
    const per = Math.max(1, Math.floor(BLOCK / L.record));
    const flag = [Buffer.from([0]), Buffer.from([1])] as const;
    for (let e = 0; e < L.elements; e += per) {
      const count = Math.min(per, L.elements - e);
      const block = await readAt(src, HNSW_HEADER + e * L.record, count * L.record);
      if (block.length !== count * L.record) fail('hnswlib wrote a short file');
      for (let i = 0; i < count; i++) {
        const rec = block.subarray(i * L.record, (i + 1) * L.record);
        const data = rec.subarray(L.dataAt, L.dataAt + L.dataBytes);
        const id = liveId.get(Number(rec.readBigUInt64LE(L.labelAt)));
        const v = id === undefined ? undefined : vectorOf(id);
        const inline = v === undefined || !bytesOf(hnswData(v, header.metric)).equals(data);
        await out.write(flag[inline ? 1 : 0]);
        await out.write(rec.subarray(0, L.dataAt));
        await out.write(rec.subarray(L.dataAt + L.dataBytes));
        if (inline) await out.write(data);
      }
    }
    for (let pos = HNSW_HEADER + L.elements * L.record; ; pos += BLOCK) {
      const rest = await readAt(src, pos, BLOCK);
      if (rest.length > 0) await out.write(rest);
      if (rest.length < BLOCK) break;
    }
    await src.close();
    await out.commit(file, true);
  } catch (err) {
    await src.close().catch(() => undefined);
    await out.abort();
    throw err;
  } finally {
    await rm(raw, { force: true });
  }
}

/**
 * Read a file written by {@link writeGraphFile} back into hnswlib's own file at `hnswFile`, taking the vectors of
 * live nodes from `ids` / `vectors` (the same ids, in the same order, as given to the save). Returns the header and
 * the id -> label map. A damaged or mismatched file throws `CORRUPT_FILE` naming `file` and what is wrong.
 * @internal
 */
export async function readGraphFile(
  file: string,
  buf: Buffer,
  ids: readonly string[],
  vectors: readonly ArrayLike<number>[],
  hnswFile: string,
): Promise<{ header: GraphHeader; labels: Map<string, number> }> {
  const fail = (why: string): never => {
    throw new RagscopeError('CORRUPT_FILE', `${file} is not a valid ragscope HNSW graph: ${why}`, { file });
  };
  if (buf.length < 12 || buf.toString('latin1', 0, 4) !== MAGIC) fail('bad magic bytes');
  if (buf.readUInt32LE(4) !== VERSION) fail(`unsupported graph file version ${buf.readUInt32LE(4)}`);
  const headLen = buf.readUInt32LE(8);
  let at = 12 + headLen;
  if (at > buf.length) fail('truncated header');
  let header: GraphHeader;
  try {
    header = JSON.parse(buf.toString('utf8', 12, at));
  } catch {
    return fail('header is not valid JSON');
  }
  const { count, elements, dimensions, metric, nextLabel } = header;
  if (
    header === null ||
    typeof header !== 'object' ||
    header.kind !== 'hnsw-graph' ||
    !Number.isInteger(count) ||
    !Number.isInteger(elements) ||
    !Number.isInteger(nextLabel) ||
    !Number.isInteger(dimensions) ||
    dimensions < 1 ||
    (metric !== 'cosine' && metric !== 'ip')
  )
    fail('bad header');
  if (count !== ids.length || vectors.length !== ids.length)
    fail(`it lists ${count} live vectors, ${ids.length} were given`);
  if (count > elements) fail(`${count} live vectors in a graph of ${elements} nodes`);
  if (header.idsSha256 !== idsDigest(ids))
    fail('the ids given are not the ones it was saved with, in that order');
  if (buf.length < at + count * 4 + HNSW_HEADER) fail('truncated label list');
  const labels = new Map<string, number>();
  const slot = new Map<number, number>();
  for (let i = 0; i < count; i++, at += 4) {
    const label = buf.readUInt32LE(at);
    if (slot.has(label) || label >= nextLabel)
      fail(`label ${label} of ${ids[i]} is repeated or out of range`);
    slot.set(label, i);
    labels.set(ids[i] as string, label);
  }
  const head = buf.subarray(at, at + HNSW_HEADER);
  at += HNSW_HEADER;
  const L = layoutOf(head, dimensions, fail);
  if (L.elements !== elements) fail(`graph has ${L.elements} nodes, header says ${elements}`);
  const stripped = L.record - L.dataBytes;
  const out = await Out.create(hnswFile);
  try {
    await out.write(head);
    let seen = 0;
    const rec = Buffer.alloc(L.record);
    for (let e = 0; e < elements; e++) {
      const inline = buf[at];
      if (inline !== 0 && inline !== 1) fail(`node ${e} (byte ${at}): bad flag`);
      if (at + 1 + stripped + (inline ? L.dataBytes : 0) > buf.length)
        fail(`node ${e} (byte ${at}): truncated`);
      buf.copy(rec, 0, at + 1, at + 1 + L.dataAt);
      buf.copy(rec, L.dataAt + L.dataBytes, at + 1 + L.dataAt, at + 1 + stripped);
      at += 1 + stripped;
      const label = Number(rec.readBigUInt64LE(L.labelAt));
      const live = slot.get(label);
      const deleted = (rec[2] as number) & 1;
      if ((live === undefined) !== (deleted === 1))
        fail(
          `node ${e} (label ${label}) is ${deleted ? 'deleted' : 'live'} in the graph, not in the label list`,
        );
      if (live !== undefined) seen++;
      if (inline) {
        buf.copy(rec, L.dataAt, at, at + L.dataBytes);
        at += L.dataBytes;
      } else if (live === undefined) fail(`node ${e} (label ${label}) has no vector`);
      else {
        const v = vectors[live] as ArrayLike<number>;
        if (v.length !== dimensions)
          fail(`the vector given for ${ids[live]} has ${v.length} dimensions, not ${dimensions}`);
        bytesOf(hnswData(v, metric)).copy(rec, L.dataAt);
      }
      await out.write(Buffer.from(rec));
    }
    if (seen !== count) fail(`${seen} live nodes in the graph, ${count} labels listed`);
    await out.write(buf.subarray(at));
    await out.commit(hnswFile, false);
  } catch (err) {
    await out.abort();
    throw err;
  }
  return { header, labels };
}

/**
 * What a graph file holds: live vectors, nodes, and how many nodes carry their vector inline (deleted nodes, or a
 * vector whose bytes would not be reproduced). Throws `CORRUPT_FILE` on a file it cannot walk. @internal
 */
export function graphFileInfo(
  file: string,
  buf: Buffer,
): { count: number; elements: number; inline: number; vectorBytes: number } {
  const fail = (why: string): never => {
    throw new RagscopeError('CORRUPT_FILE', `${file} is not a valid ragscope HNSW graph: ${why}`, { file });
  };
  if (buf.length < 12 || buf.toString('latin1', 0, 4) !== MAGIC) fail('bad magic bytes');
  const headLen = buf.readUInt32LE(8);
  let header: GraphHeader;
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + headLen)) as GraphHeader;
  } catch {
    return fail('header is not valid JSON');
  }
  let at = 12 + headLen + header.count * 4;
  const L = layoutOf(buf.subarray(at, at + HNSW_HEADER), header.dimensions, fail);
  at += HNSW_HEADER;
  let inline = 0;
  for (let e = 0; e < L.elements; e++) {
    const flag = buf[at];
    if (flag === undefined) fail(`node ${e}: truncated`);
    inline += flag as number;
    at += 1 + L.record - L.dataBytes + (flag ? L.dataBytes : 0);
  }
  return { count: header.count, elements: L.elements, inline, vectorBytes: inline * L.dataBytes };
}
