// A priority queue of timed events (binary heap). Events at the same time come out in the
// order they were scheduled, which keeps runs deterministic.

export interface Timed {
  readonly time: number;
}

export class EventQueue<E extends Timed> {
  private heap: { event: E; seq: number }[] = [];
  private counter = 0;

  get size(): number {
    return this.heap.length;
  }

  push(event: E): void {
    this.heap.push({ event, seq: this.counter++ });
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): E | undefined {
    const top = this.heap[0];
    if (!top) return undefined;
    const last = this.heap.pop()!;
    if (this.heap.length) {
      this.heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.heap.length && this.less(l, m)) m = l;
        if (r < this.heap.length && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top.event;
  }

  private less(a: number, b: number): boolean {
    const x = this.heap[a]!;
    const y = this.heap[b]!;
    return x.event.time < y.event.time || (x.event.time === y.event.time && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    [this.heap[a], this.heap[b]] = [this.heap[b]!, this.heap[a]!];
  }
}
