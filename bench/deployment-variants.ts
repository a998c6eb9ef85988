// Deployments derived in code from the one a build records (its manifest's `deployment`: after
// a rewrite, the rewritten deployment, with `{"instances": i, "partitions": n}` per partitioned
// role). Partition counts, timer periods, statics and the client workload are deployment settings, so the same
// build runs with any of them changed and nothing recompiled (docs/rewrites.md, "Deployments
// after a rewrite"). The variants are plain JSON, written to a file that `dedc node --deploy` reads.

import { writeFileSync } from 'node:fs';

type Json = Record<string, unknown>;

/**
 * The deployment with every partitioned role (partitions > 1) at `partitions` partitions; roles
 * that are not partitioned stay as they are. Returns the roles changed, with their old counts.
 */
export function withPartitions(deployment: object, partitions: number): { deployment: object; changed: readonly string[] } {
  const d = structuredClone(deployment) as Json;
  const roles = (d['roles'] ?? {}) as Json;
  const changed: string[] = [];
  for (const [role, size] of Object.entries(roles)) {
    if (typeof size !== 'object' || size === null) continue;
    const entry = size as Json;
    const old = typeof entry['partitions'] === 'number' ? entry['partitions'] : 1;
    if (old <= 1) continue;
    if (old !== partitions) changed.push(`${role} ${old} -> ${partitions}`);
    roles[role] = { ...entry, partitions };
  }
  return { deployment: d, changed };
}

/** The deployment with these timer periods (`"timers"`: timer -> duration, overriding the declared ones). Returns the ones set. */
export function withTimers(deployment: object, timers: Readonly<Record<string, string>>): { deployment: object; changed: readonly string[] } {
  const d = structuredClone(deployment) as Json;
  const section = { ...((d['timers'] ?? {}) as Json) };
  const changed: string[] = [];
  for (const [name, period] of Object.entries(timers)) {
    changed.push(`${name} ${period}`);
    section[name] = period;
  }
  if (changed.length) d['timers'] = section;
  return { deployment: d, changed };
}

/** The deployment with these statics' rows replaced (each only where the deployment has it). Returns the ones changed, old -> new. */
export function withStatics(deployment: object, statics: Readonly<Record<string, unknown>>): { deployment: object; changed: readonly string[] } {
  const d = structuredClone(deployment) as Json;
  const section = (d['statics'] ?? {}) as Json;
  const changed: string[] = [];
  for (const [name, rows] of Object.entries(statics)) {
    if (!(name in section)) continue;
    changed.push(`${name} ${JSON.stringify(section[name])} -> ${JSON.stringify(rows)}`);
    section[name] = rows;
  }
  return { deployment: d, changed };
}

/** The deployment with another client workload size (the row, target and reply are kept). */
export function withClients(deployment: object, clients: { readonly count: number; readonly requests: number; readonly window: number }): object {
  const d = structuredClone(deployment) as Json;
  const section = d['clients'];
  if (typeof section === 'object' && section !== null) d['clients'] = { ...(section as Json), ...clients };
  return d;
}

export function writeDeployment(path: string, deployment: object): void {
  writeFileSync(path, `${JSON.stringify(deployment, null, 2)}\n`);
}
