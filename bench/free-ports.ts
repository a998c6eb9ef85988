// Whether a block of TCP ports can be listened on at 127.0.0.1 right now, for benchmarks that
// start a fresh local cluster per run at a fresh block of ports (a port still held by the last
// run's nodes, or by anything else on the shared machine, makes a node fail to start), and the
// blocks such benchmarks take one after another.

import { createServer } from 'node:net';
import { progress } from './harness.js';

export async function portsFree(first: number, last: number): Promise<boolean> {
  for (let port = first; port <= last; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (!free) return false;
  }
  return true;
}

/** Blocks of node ports, base + stride k for the k-th cluster, below Linux's ephemeral range (32768 up) so no outgoing connection holds one; checked free, never reused within a run. */
export class PortBlocks {
  private k = 0;
  constructor(
    private readonly base: number,
    private readonly stride: number,
    private readonly limit: number,
    /** The progress label of the bench that uses them. */
    private readonly label = 'bench',
  ) {}

  async next(topAddress: number): Promise<number> {
    for (; this.base + this.stride * this.k + topAddress < this.limit; this.k++) {
      const basePort = this.base + this.stride * this.k;
      if (await portsFree(basePort + 1, basePort + topAddress)) {
        this.k++;
        return basePort;
      }
      progress(this.label, `ports ${basePort + 1}-${basePort + topAddress} are not all free: skipping them`);
    }
    throw new Error(`no free block of ports below ${this.limit}`);
  }
}
