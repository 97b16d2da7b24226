import { BlockBounds } from './bm25-blocks.js';
import { grow } from './typed-grow.js';

/**
 * Storage behind {@link Bm25Index}: struct-of-arrays keyed by a chunk number (`num`), typed-array posting lists
 * sorted by `num`, and a forward index (each chunk's distinct terms and tfs) in one pooled pair of arrays.
 *
 * Numbers are never reused: a new chunk gets the next number, so appending keeps every posting list sorted (what
 * dynamic pruning walks). Removing a chunk is O(its distinct terms): it marks the number dead (a tombstone left in
 * the posting lists, skipped by searches) and lowers the live document frequencies. When dead numbers outnumber the
 * live ones, {@link Bm25Store.compact} renumbers the live chunks in order and rewrites every list without tombstones:
 * O(postings) paid for at least as many removed postings, so removal is O(1) amortised per posting.
 * @internal
 */
export class Bm25Store {
  /** Analysed term <-> dense term id (ids are never reused; a term whose df drops to 0 keeps its id). */
  readonly termIds = new Map<string, number>();
  readonly termStrings: string[] = [];
  /** Term id -> posting list arrays (capacity >= pLen) and used length (tombstones included). */
  pNums: Array<Int32Array | undefined> = [];
  pTfs: Array<Int32Array | undefined> = [];
  pLen = new Int32Array(1024);
  /** Term id -> live document frequency. */
  df = new Int32Array(1024);
  /** Per-window bounds of the posting lists (largest tf, shortest chunk), for block-max pruning. */
  readonly blocks = new BlockBounds();
  liveTerms = 0;

  /** Per number: chunk id (undefined when dead), document id, length, forward-index slice. */
  ids: Array<string | undefined> = [];
  docIds: Array<string | undefined> = [];
  alive = new Uint8Array(64);
  lens = new Float64Array(64);
  fwdStart = new Int32Array(64);
  fwdCount = new Int32Array(64);
  fwdTerms = new Int32Array(1024);
  fwdTfs = new Int32Array(1024);
  fwdUsed = 0;
  /**
   * True when the forward index is not built (an index read from disk: postings only). Everything that reads or
   * changes it calls {@link Bm25Store.ensureForward} first, which inverts the postings once.
   */
  forwardStale = false;
  readonly byId = new Map<string, number>();
  /** Numbers handed out so far (live + dead). */
  nextNum = 0;
  dead = 0;
  totalLen = 0;
  /** Bumped by every compaction (numbers change). */
  generation = 0;

  get size(): number {
    return this.byId.size;
  }

  intern(term: string): number {
    let tid = this.termIds.get(term);
    if (tid === undefined) {
      tid = this.termStrings.length;
      this.termStrings.push(term);
      this.termIds.set(term, tid);
      if (tid >= this.df.length) {
        this.df = grow(this.df, tid + 1);
        this.pLen = grow(this.pLen, tid + 1);
      }
    }
    return tid;
  }

  /** Add a chunk (replacing one with the same id); `terms`/`tfs` hold `n` distinct term ids and counts. */
  insert(
    id: string,
    docId: string,
    terms: ArrayLike<number>,
    tfs: ArrayLike<number>,
    n: number,
    len: number,
  ): number {
    this.ensureForward();
    const old = this.byId.get(id);
    if (old !== undefined) this.delete(old);
    const num = this.nextNum++;
    if (num >= this.alive.length) this.growNums(num + 1);
    this.ids[num] = id;
    this.docIds[num] = docId;
    this.alive[num] = 1;
    this.lens[num] = len;
    if (this.fwdUsed + n > this.fwdTerms.length) {
      this.fwdTerms = grow(this.fwdTerms, this.fwdUsed + n);
      this.fwdTfs = grow(this.fwdTfs, this.fwdUsed + n);
    }
    const start = this.fwdUsed;
    this.fwdStart[num] = start;
    this.fwdCount[num] = n;
    this.fwdUsed += n;
    for (let i = 0; i < n; i++) {
      const tid = terms[i] as number;
      const tf = tfs[i] as number;
      this.fwdTerms[start + i] = tid;
      this.fwdTfs[start + i] = tf;
      this.append(tid, num, tf);
      this.blocks.appended(tid, num, tf, len);
    }
    this.byId.set(id, num);
    this.totalLen += len;
    return num;
  }

  private append(tid: number, num: number, tf: number): void {
    let nums = this.pNums[tid];
    let tfs = this.pTfs[tid] as Int32Array;
    const at = this.pLen[tid] as number;
    if (!nums) {
      nums = new Int32Array(4);
      tfs = new Int32Array(4);
      this.pNums[tid] = nums;
      this.pTfs[tid] = tfs;
    } else if (at === nums.length) {
      nums = grow(nums, at + 1);
      tfs = grow(tfs, at + 1);
      this.pNums[tid] = nums;
      this.pTfs[tid] = tfs;
    }
    nums[at] = num;
    tfs[at] = tf;
    this.pLen[tid] = at + 1;
    if (this.df[tid] === 0) this.liveTerms++;
    this.df[tid] = (this.df[tid] as number) + 1;
  }

  /** Remove chunk number `num` (a tombstone in its posting lists until the next compaction). */
  delete(num: number): void {
    this.ensureForward();
    const start = this.fwdStart[num] as number;
    const end = start + (this.fwdCount[num] as number);
    for (let i = start; i < end; i++) {
      const tid = this.fwdTerms[i] as number;
      const df = (this.df[tid] as number) - 1;
      this.df[tid] = df;
      if (df === 0) this.liveTerms--;
    }
    this.byId.delete(this.ids[num] as string);
    this.ids[num] = undefined;
    this.docIds[num] = undefined;
    this.alive[num] = 0;
    this.totalLen -= this.lens[num] as number;
    this.lens[num] = 0;
    this.dead++;
    if (this.dead > 1024 && this.dead > this.byId.size) this.compact();
  }

  /** Distinct-term count of chunk `num` and tf of term `tid` in it (0 when absent). */
  tfOf(num: number, tid: number | undefined): number {
    if (tid === undefined) return 0;
    if (this.forwardStale) return this.tfInPostings(num, tid);
    const start = this.fwdStart[num] as number;
    const end = start + (this.fwdCount[num] as number);
    for (let i = start; i < end; i++) if (this.fwdTerms[i] === tid) return this.fwdTfs[i] as number;
    return 0;
  }

  /** Renumber the live chunks 0..n-1 (keeping their order) and drop every tombstone. */
  compact(): void {
    this.ensureForward();
    const n = this.byId.size;
    const map = new Int32Array(this.nextNum).fill(-1);
    const ids: Array<string | undefined> = new Array(n);
    const docIds: Array<string | undefined> = new Array(n);
    const cap = Math.max(64, n);
    const alive = new Uint8Array(cap);
    const lens = new Float64Array(cap);
    const fwdStart = new Int32Array(cap);
    const fwdCount = new Int32Array(cap);
    let used = 0;
    for (let old = 0; old < this.nextNum; old++) if (this.alive[old]) used += this.fwdCount[old] as number;
    const fwdTerms = new Int32Array(Math.max(1024, used));
    const fwdTfs = new Int32Array(Math.max(1024, used));
    used = 0;
    let k = 0;
    for (let old = 0; old < this.nextNum; old++) {
      if (!this.alive[old]) continue;
      map[old] = k;
      ids[k] = this.ids[old];
      docIds[k] = this.docIds[old];
      alive[k] = 1;
      lens[k] = this.lens[old] as number;
      const s = this.fwdStart[old] as number;
      const c = this.fwdCount[old] as number;
      fwdTerms.set(this.fwdTerms.subarray(s, s + c), used);
      fwdTfs.set(this.fwdTfs.subarray(s, s + c), used);
      fwdStart[k] = used;
      fwdCount[k] = c;
      used += c;
      this.byId.set(ids[k] as string, k);
      k++;
    }
    for (let tid = 0; tid < this.termStrings.length; tid++) {
      const nums = this.pNums[tid];
      if (!nums) continue;
      const tfs = this.pTfs[tid] as Int32Array;
      const df = this.df[tid] as number;
      if (df === 0) {
        this.pNums[tid] = undefined;
        this.pTfs[tid] = undefined;
        this.pLen[tid] = 0;
        continue;
      }
      const len = this.pLen[tid] as number;
      const outNums = new Int32Array(Math.max(4, df));
      const outTfs = new Int32Array(Math.max(4, df));
      let j = 0;
      for (let i = 0; i < len; i++) {
        const to = map[nums[i] as number] as number;
        if (to < 0) continue;
        outNums[j] = to;
        outTfs[j] = tfs[i] as number;
        j++;
      }
      this.pNums[tid] = outNums;
      this.pTfs[tid] = outTfs;
      this.pLen[tid] = j;
    }
    this.ids = ids;
    this.lens = lens;
    this.docIds = docIds;
    this.alive = alive;
    this.fwdStart = fwdStart;
    this.fwdCount = fwdCount;
    this.fwdTerms = fwdTerms;
    this.fwdTfs = fwdTfs;
    this.fwdUsed = used;
    this.nextNum = n;
    this.dead = 0;
    this.generation++;
    this.blocks.clear();
  }

  /** tf of term `tid` in chunk `num` by binary search of its posting list (sorted by number), 0 when absent. */
  private tfInPostings(num: number, tid: number): number {
    const nums = this.pNums[tid];
    if (!nums) return 0;
    let a = 0;
    let z = this.pLen[tid] as number;
    while (a < z) {
      const mid = (a + z) >>> 1;
      if ((nums[mid] as number) < num) a = mid + 1;
      else z = mid;
    }
    return a < (this.pLen[tid] as number) && nums[a] === num
      ? ((this.pTfs[tid] as Int32Array)[a] as number)
      : 0;
  }

  /** Build the forward index from the postings when it is stale (chunk order, then term-id order). */
  ensureForward(): void {
    if (!this.forwardStale) return;
    this.forwardStale = false;
    const n = this.nextNum;
    const cap = Math.max(64, this.alive.length);
    const fwdStart = new Int32Array(cap);
    const fwdCount = new Int32Array(cap);
    const terms = this.termStrings.length;
    for (let tid = 0; tid < terms; tid++) {
      const nums = this.pNums[tid];
      const len = this.pLen[tid] as number;
      if (nums)
        for (let i = 0; i < len; i++)
          fwdCount[nums[i] as number] = (fwdCount[nums[i] as number] as number) + 1;
    }
    let total = 0;
    for (let i = 0; i < n; i++) {
      fwdStart[i] = total;
      total += fwdCount[i] as number;
      fwdCount[i] = 0;
    }
    const fwdTerms = new Int32Array(Math.max(1024, total));
    const fwdTfs = new Int32Array(Math.max(1024, total));
    for (let tid = 0; tid < terms; tid++) {
      const nums = this.pNums[tid];
      if (!nums) continue;
      const tfs = this.pTfs[tid] as Int32Array;
      const len = this.pLen[tid] as number;
      for (let i = 0; i < len; i++) {
        const num = nums[i] as number;
        const at = (fwdStart[num] as number) + (fwdCount[num] as number);
        fwdTerms[at] = tid;
        fwdTfs[at] = tfs[i] as number;
        fwdCount[num] = (fwdCount[num] as number) + 1;
      }
    }
    this.fwdStart = fwdStart;
    this.fwdCount = fwdCount;
    this.fwdTerms = fwdTerms;
    this.fwdTfs = fwdTfs;
    this.fwdUsed = total;
  }

  private growNums(min: number): void {
    this.alive = grow(this.alive, min);
    this.lens = grow(this.lens, min);
    this.fwdStart = grow(this.fwdStart, min);
    this.fwdCount = grow(this.fwdCount, min);
  }
}
