// The dedc CLI under V8's sampling CPU profiler, for the cluster bench's profile of a node: run
// in place of dist/cli/main.js (LocalCluster's `cli` option), it starts the profiler through an
// in-process inspector session, then runs the CLI unchanged (`dedc node DIR --role R --index I
// ...`). Only the node $DEDC_BENCH_PROFILE_NODE names (`<role>-<index>-<partition>`) is
// profiled, or every node when it is unset. When the process exits (the node stops on SIGTERM
// and returns), the profile is written to $DEDC_BENCH_PROFILE_DIR/<that name>.cpuprofile (the
// format of `node --cpu-prof`, which node does not accept in NODE_OPTIONS, so a wrapper it
// is). A same-thread inspector session answers synchronously, so the 'exit' handler can stop
// and write. Sample timestamps are CLOCK_MONOTONIC µs, the clock of process.hrtime in every
// process, so the bench can keep only the samples of its measured window.

import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const arg = (flag: string) => {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const node = `${arg('--role') ?? 'node'}-${arg('--index') ?? 0}-${arg('--partition') ?? 0}`;
const dir = process.env['DEDC_BENCH_PROFILE_DIR'];
const only = process.env['DEDC_BENCH_PROFILE_NODE'];
if (dir && (!only || only === node)) {
  const name = `${node}.cpuprofile`;
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  // 1 ms between samples: ~1,000 samples per second of busy CPU. (At 250 µs the profiled node
  // cost noticeably more than its unprofiled peers.)
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.once('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (!err && result) writeFileSync(join(dir, name), JSON.stringify(result.profile));
    });
  });
}

await import('../cli/main.js');
