/**
 * Simulated-time timers for the controllers: a binary min-heap keyed by (due time, insertion order), so
 * timers due at the same instant fire in the order they were set and a seed reproduces a run exactly.
 * Timers are fired by `Cluster.tick()` (never by real `setTimeout`), which is what lets a ManualClock drive
 * the whole cluster deterministically.
 */

interface Timer {
  at: number;
  seq: number;
  /** Background timers (heartbeats, resyncs) recur forever; `settle()` does not wait for them. */
  background: boolean;
  fn: () => void;
}

export class Timers {
  private heap: Timer[] = [];
  private seq = 0;
  private work = 0;

  /** Runs `fn` at simulated time `at` (ms) or at the first tick after it. */
  at(at: number, fn: () => void, options: { background?: boolean } = {}): void {
    const t: Timer = { at, seq: this.seq++, background: options.background ?? false, fn };
    if (!t.background) this.work++;
    this.heap.push(t);
    this.up(this.heap.length - 1);
  }

  /** Due time of the earliest timer, or undefined. */
  nextAt(): number | undefined {
    return this.heap[0]?.at;
  }

  /** Due time of the earliest non-background timer (what `settle()` waits for), or undefined. */
  nextWorkAt(): number | undefined {
    if (this.work === 0) return undefined;
    let best: number | undefined;
    for (const t of this.heap) if (!t.background && (best === undefined || t.at < best)) best = t.at;
    return best;
  }

  /** Number of pending non-background timers. */
  get pendingWork(): number {
    return this.work;
  }

  get size(): number {
    return this.heap.length;
  }

  /** Removes and returns every timer due at or before `now`, in firing order. */
  takeDue(now: number): Array<() => void> {
    const out: Array<() => void> = [];
    while (this.heap.length > 0 && this.heap[0]!.at <= now) {
      const t = this.pop();
      if (!t.background) this.work--;
      out.push(t.fn);
    }
    return out;
  }

  private pop(): Timer {
    const top = this.heap[0]!;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    return top;
  }

  private less(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
