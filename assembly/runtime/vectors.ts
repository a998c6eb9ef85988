// A growable array of i64 in raw memory: per-group aggregate values and choices. Reset keeps
// the buffer unless it grew far beyond what the last use needed.

export class I64Vec {
  ptr: usize = 0;
  n: i32 = 0;
  cap: i32 = 0;

  reset(): void {
    if (this.cap > 4096 && this.n * 8 < this.cap) {
      heap.free(this.ptr);
      this.ptr = 0;
      this.cap = 0;
    }
    this.n = 0;
  }

  push(v: i64): void {
    if (this.n == this.cap) {
      this.cap = max(16, this.cap << 1);
      this.ptr = this.ptr ? heap.realloc(this.ptr, <usize>this.cap << 3) : heap.alloc(<usize>this.cap << 3);
    }
    store<i64>(this.ptr + (<usize>(this.n++) << 3), v);
  }

  @inline get(i: i32): i64 {
    return load<i64>(this.ptr + (<usize>i << 3));
  }

  @inline set(i: i32, v: i64): void {
    store<i64>(this.ptr + (<usize>i << 3), v);
  }
}
