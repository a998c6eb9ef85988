// Whether a block of TCP ports can be listened on at 127.0.0.1 right now, for benchmarks that
// start a fresh local cluster per run at a fresh block of ports (a port still held by the last
// run's nodes, or by anything else on the shared machine, makes a node fail to start).

import { createServer } from 'node:net';

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
