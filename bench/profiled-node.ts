// The dedc CLI, ready to run under V8's sampling CPU profiler, for the cluster bench's profile of
// a node: run in place of dist/cli/main.js (LocalCluster's `cli` option) with `--profile-dir
// DIR` among the arguments, it takes that option out and runs the CLI unchanged (`dedc node
// DIR --role R --index I ...`). The profiler is off until the process gets SIGUSR2: the bench
// runs every node of a cluster through this file and profiles only the node it picks, only in
// the window it picks, so the windows before are measured unprofiled on the same cluster. It
// starts through an in-process inspector session (node refuses --cpu-prof in NODE_OPTIONS);
// when the process exits (the node stops on SIGTERM and returns), the profile is written to
// DIR/<role>-<index>-<partition>.cpuprofile, the format of `node --cpu-prof`. A same-thread
// session answers synchronously, so the 'exit' handler can stop and write. Sample timestamps
// are CLOCK_MONOTONIC µs, process.hrtime's clock in every process, so the bench can keep only
// the samples of its measured window.

import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const arg = (flag: string) => {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const dir = arg('--profile-dir');
if (dir !== undefined) process.argv.splice(process.argv.indexOf('--profile-dir'), 2);
const name = `${arg('--role') ?? 'node'}-${arg('--index') ?? 0}-${arg('--partition') ?? 0}.cpuprofile`;

if (dir !== undefined) {
  let session: Session | undefined;
  process.on('SIGUSR2', () => {
    if (session) return;
    session = new Session();
    session.connect();
    session.post('Profiler.enable');
    // 1 ms between samples: ~1,000 samples per second of busy CPU. (At 250 µs the profiled node
    // cost noticeably more than its unprofiled peers.)
    session.post('Profiler.setSamplingInterval', { interval: 1000 });
    session.post('Profiler.start');
  });
  process.once('exit', () => {
    session?.post('Profiler.stop', (err, result) => {
      if (!err && result) writeFileSync(join(dir, name), JSON.stringify(result.profile));
    });
  });
}

await import('../cli/main.js');
