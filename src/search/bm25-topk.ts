/** `a` ranks before `b`: higher score, then smaller id. @internal */
export function better(sa: number, ia: string, sb: number, ib: string): boolean {
  return sa > sb || (sa === sb && ia < ib);
}

/**
 * A size-k min-heap of chunk numbers by (score desc, id asc): the worst kept one is at the root, so a candidate
 * enters only when it beats it. `threshold` is the root's score once full (-Infinity before). @internal
 */
export class TopK {
  private readonly heapNums: number[] = [];
  private readonly heapScores: number[] = [];

  constructor(
    private readonly k: number,
    private readonly ids: ArrayLike<string | undefined>,
  ) {}

  get full(): boolean {
    return this.heapNums.length >= this.k;
  }

  /** Score a candidate must beat (ties broken by id) to enter; -Infinity while not full. */
  get threshold(): number {
    return this.full ? (this.heapScores[0] as number) : Number.NEGATIVE_INFINITY;
  }

  private worse(i: number, j: number): boolean {
    // heap slot i ranks after heap slot j
    return better(
      this.heapScores[j] as number,
      this.ids[this.heapNums[j] as number] as string,
      this.heapScores[i] as number,
      this.ids[this.heapNums[i] as number] as string,
    );
  }

  private swap(i: number, j: number): void {
    const n = this.heapNums[i] as number;
    const s = this.heapScores[i] as number;
    this.heapNums[i] = this.heapNums[j] as number;
    this.heapScores[i] = this.heapScores[j] as number;
    this.heapNums[j] = n;
    this.heapScores[j] = s;
  }

  /** Offer chunk `num` with `score`. */
  push(num: number, score: number): void {
    const h = this.heapNums;
    if (h.length < this.k) {
      h.push(num);
      this.heapScores.push(score);
      let i = h.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.worse(i, p)) break;
        this.swap(i, p);
        i = p;
      }
      return;
    }
    const rootScore = this.heapScores[0] as number;
    if (!better(score, this.ids[num] as string, rootScore, this.ids[h[0] as number] as string)) return;
    h[0] = num;
    this.heapScores[0] = score;
    const n = h.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.worse(l, m)) m = l;
      if (r < n && this.worse(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }

  /** The kept chunks, best first. */
  sorted(): Array<{ num: number; score: number }> {
    const out = this.heapNums.map((num, i) => ({ num, score: this.heapScores[i] as number }));
    return out.sort((x, y) =>
      better(x.score, this.ids[x.num] as string, y.score, this.ids[y.num] as string) ? -1 : 1,
    );
  }
}
