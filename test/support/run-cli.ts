// Runs the built `dedc` (dist/cli/main.js, made by `npm run build`) as a real process.

import { spawnSync } from 'node:child_process';

const main = new URL('../../dist/cli/main.js', import.meta.url).pathname;
export const repo = new URL('../../', import.meta.url).pathname;

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function dedc(args: string[], options: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync(process.execPath, [main, ...args], {
    cwd: options.cwd ?? repo,
    input: options.input ?? '',
    encoding: 'utf8',
    env: { ...(options.env ?? process.env), NO_COLOR: '1' },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
