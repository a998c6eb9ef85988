// The `network` section of deployment files: where each node listens when nodes run as
// processes. Good sections resolve to the right endpoints, partitioned roles included; each bad
// input gives its code at the right line and column.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Analysis } from '../../compiler/analyze/analysis.js';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { renderDiagnostics } from '../../compiler/diagnostics/render.js';
import { parseEndpoint, parseHost } from '../../compiler/deploy/endpoint.js';
import { readDeployment } from '../../compiler/deploy/read-deployment.js';
import { resolveDeployment, type Cluster } from '../../compiler/deploy/resolve-deployment.js';
import { SourceFile } from '../../compiler/source.js';
import { checked } from '../support/program.js';
import { protocolsDir } from '../support/protocol.js';

const voting: Analysis = checked(readFileSync(`${protocolsDir}voting.ded`, 'utf8'), 'voting.ded');

const statics = `"statics": {
    "participants": [[{ "all": "participant" }]],
    "numParticipants": [[{ "count": "participant" }]],
    "self": [[{ "self": "addr" }]]
  }`;

/** A voting deployment with these roles and this `network` section (the text after `"network": `). */
function deployText(network: string, roles = '{ "leader": 1, "participant": 3 }', extra = ''): string {
  return `{
  "roles": ${roles},
  ${statics},${extra}
  "network": ${network}
}
`;
}

interface Outcome {
  readonly source: SourceFile;
  readonly cluster?: Cluster;
  readonly diagnostics: readonly Diagnostic[];
}

function resolve(text: string): Outcome {
  const source = new SourceFile('net.deploy.json', text);
  const read = readDeployment(source);
  if (!read.deployment) return { source, diagnostics: read.diagnostics };
  const resolved = resolveDeployment(read.deployment, voting);
  return { source, ...(resolved.cluster ? { cluster: resolved.cluster } : {}), diagnostics: resolved.diagnostics };
}

function resolved(text: string): Cluster {
  const r = resolve(text);
  if (!r.cluster) throw new Error(renderDiagnostics(r.diagnostics, r.source));
  return r.cluster;
}

/** Node name to "host:port", for the nodes the section gives. */
function endpoints(cluster: Cluster): Record<string, string> {
  return Object.fromEntries([...cluster.network.nodes].map(([a, e]) => [cluster.names.get(a)!, `${e.host}:${e.port}`]));
}

/** `CODE line:column` of each error. */
function errors(o: Outcome): string[] {
  return o.diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => {
      const p = o.source.position(d.span!.start);
      return `${d.code} ${p.line}:${p.column}`;
    });
}

/** Line and column of the `nth` occurrence of `needle` in `text`, plus `shift` characters. */
function where(text: string, needle: string, shift = 0, nth = 1): string {
  let i = -1;
  for (let k = 0; k < nth; k++) {
    i = text.indexOf(needle, i + 1);
    if (i < 0) throw new Error(`no ${needle} in the text`);
  }
  const p = new SourceFile('x', text).position(i + shift);
  return `${p.line}:${p.column}`;
}

describe('network: good sections', () => {
  it('without a section, the cluster has an empty network', () => {
    const c = resolved(readFileSync(`${protocolsDir}voting.deploy.json`, 'utf8'));
    expect(c.network).toEqual({ nodes: new Map() });
  });

  it('gives host, basePort and each entry to the nodes they name', () => {
    const c = resolved(
      deployText(`{
    "host": "127.0.0.1",
    "basePort": 7000,
    "nodes": {
      "leader": "10.0.0.5:7000",
      "participant[1]": { "host": "10.0.0.6", "port": 7100 },
      "participant[2]": { "port": 7200 },
      // comments are fine, as everywhere in the file
      "participant[0]": "[::1]:7300",
    }
  }`),
    );
    expect(c.network.host).toBe('127.0.0.1');
    expect(c.network.basePort).toBe(7000);
    expect(endpoints(c)).toEqual({
      'leader[0]': '10.0.0.5:7000',
      'participant[0]': '::1:7300',
      'participant[1]': '10.0.0.6:7100',
      'participant[2]': '127.0.0.1:7200',
    });
    // Keyed by address: leader[0] is 1, participant[i] is 2 + i.
    expect([...c.network.nodes.keys()].sort()).toEqual([1n, 2n, 3n, 4n]);
  });

  it('keeps only what is given: no host or basePort when the section has none', () => {
    const c = resolved(deployText(`{ "nodes": { "participant[2]": "node-3.example.org:9000" } }`));
    expect(c.network.host).toBeUndefined();
    expect(c.network.basePort).toBeUndefined();
    expect(endpoints(c)).toEqual({ 'participant[2]': 'node-3.example.org:9000' });
    expect(c.network.nodes.get(4n)).toEqual({ host: 'node-3.example.org', port: 9000 });
  });

  it('places the partitions of a partitioned role one by one', () => {
    const c = resolved(
      deployText(
        `{
    "basePort": 7000,
    "nodes": {
      "participant[0].0": "10.0.0.1:8000",
      "participant[0].2": "10.0.0.1:8001",
      "participant[1].1": { "host": "10.0.0.2", "port": 8000 }
    }
  }`,
        '{ "leader": 1, "participant": { "instances": 2, "partitions": 3 } }',
      ),
    );
    // leader[0] is 1; participant[i].p is 2 + 3i + p.
    expect(c.network.nodes.get(2n)).toEqual({ host: '10.0.0.1', port: 8000 });
    expect(c.network.nodes.get(4n)).toEqual({ host: '10.0.0.1', port: 8001 });
    expect(c.network.nodes.get(6n)).toEqual({ host: '10.0.0.2', port: 8000 });
    expect(endpoints(c)).toEqual({ 'participant[0].0': '10.0.0.1:8000', 'participant[0].2': '10.0.0.1:8001', 'participant[1].1': '10.0.0.2:8000' });
    expect(c.network.basePort).toBe(7000);
  });

  it('allows an entry on a port in the basePort range when the hosts differ, or when it is the node\'s own', () => {
    const c = resolved(deployText(`{ "host": "127.0.0.1", "basePort": 7000, "nodes": { "leader[0]": "10.0.0.5:7002", "participant[0]": "127.0.0.1:7002" } }`));
    expect(endpoints(c)).toEqual({ 'leader[0]': '10.0.0.5:7002', 'participant[0]': '127.0.0.1:7002' });
  });

  it('leaves everything else as it was', () => {
    const text = readFileSync(`${protocolsDir}voting.deploy.json`, 'utf8');
    const plain = resolved(text);
    const withNetwork = resolved(text.replace(/\n}\s*$/, ',\n  "network": { "basePort": 9000, "nodes": { "leader": "10.0.0.5:9000" } }\n}\n'));
    expect(withNetwork.network.nodes.size).toBe(1);
    const { network: _a, workload: _w, ...a } = plain;
    const { network: _b, workload: _v, ...b } = withNetwork;
    expect(b).toEqual(a);
  });
});

describe('network: endpoints as text', () => {
  it('parses host:port, IPv6 in brackets, and bare hosts', () => {
    expect(parseEndpoint('10.0.0.5:7000')).toEqual({ ok: true, value: { host: '10.0.0.5', port: 7000 } });
    expect(parseEndpoint('[::1]:7000')).toEqual({ ok: true, value: { host: '::1', port: 7000 } });
    expect(parseEndpoint('[fe80::1:2]:65535')).toEqual({ ok: true, value: { host: 'fe80::1:2', port: 65535 } });
    expect(parseEndpoint('[::ffff:10.0.0.1]:1')).toEqual({ ok: true, value: { host: '::ffff:10.0.0.1', port: 1 } });
    expect(parseHost('localhost')).toEqual({ ok: true, value: 'localhost' });
    expect(parseHost('[::1]')).toEqual({ ok: true, value: '::1' });
    expect(parseHost('2001:db8::1')).toEqual({ ok: true, value: '2001:db8::1' });
  });

  it('rejects what is not a host or a port, saying which part is wrong', () => {
    const bad = (text: string) => {
      const r = parseEndpoint(text);
      return r.ok ? 'accepted' : `${r.problem.label} ${r.problem.part ? text.slice(r.problem.part[0], r.problem.part[1]) : '*'}`;
    };
    expect(bad('10.0.0.5')).toBe('no port *');
    expect(bad('10.0.0.5:')).toBe('not a port :');
    expect(bad('10.0.0.5:0')).toBe('not a port 0');
    expect(bad('10.0.0.5:65536')).toBe('not a port 65536');
    expect(bad('10.0.0.5:70x')).toBe('not a port 70x');
    expect(bad('10.0.0.5:-1')).toBe('not a port -1');
    expect(bad(':7000')).toBe('empty host ');
    expect(bad('my host:7000')).toBe('space in host my host');
    expect(bad('ws://10.0.0.5:7000')).toBe('scheme ws://');
    expect(bad('::1:7000')).toBe('ambiguous *');
    expect(bad('[::1]7000')).toBe('no port *');
    expect(bad('[::1:7000')).toBe('unclosed bracket *');
    expect(bad('[1:2:3]:7000')).toBe('not a host 1:2:3');
    expect(bad('a..b:7000')).toBe('not a host a..b');
    expect(bad('10.0.0.5/x:7000')).toBe('not a host 10.0.0.5/x');
    expect(parseHost('').ok).toBe(false);
    expect(parseHost('https://x.org').ok).toBe(false);
    expect(parseHost('1::2::3').ok).toBe(false);
    expect(parseHost('1:2:3:4:5:6:7:8:9').ok).toBe(false);
  });
});

describe('network: bad sections', () => {
  /** Errors of a section, expected as `CODE` at the `nth` occurrence of `needle` (+ `shift`). */
  const expectError = (network: string, code: string, needle: string, shift = 0, nth = 1, roles?: string) => {
    const text = deployText(network, roles);
    const o = resolve(text);
    expect(o.cluster).toBeUndefined();
    expect(errors(o), text).toEqual([`${code} ${where(text, needle, shift, nth)}`]);
    return o;
  };

  it('rejects unknown keys and wrong shapes (DED602)', () => {
    expectError(`{ "hots": "10.0.0.5" }`, 'DED602', '"hots"');
    expectError(`{ "nodes": { "leader": { "host": "10.0.0.5", "port": 7000, "tls": true } } }`, 'DED602', '"tls"');
    expectError(`["10.0.0.5"]`, 'DED602', '["10');
    expectError(`{ "nodes": ["leader", "10.0.0.5:7000"] }`, 'DED602', '["leader"');
    expectError(`{ "nodes": { "leader": "10.0.0.5:7000", "leader": "10.0.0.5:7001" } }`, 'DED602', '"leader"', 0, 3);
  });

  it('rejects bad hosts and ports (DED612), with the caret on the bad part', () => {
    expectError(`{ "nodes": { "leader": "10.0.0.5:70000" } }`, 'DED612', '70000');
    expectError(`{ "nodes": { "leader": "10.0.0.5" } }`, 'DED612', '"10.0.0.5"');
    expectError(`{ "nodes": { "leader": "ws://10.0.0.5:7000" } }`, 'DED612', 'ws://');
    expectError(`{ "nodes": { "leader": "my host:7000" } }`, 'DED612', 'my host');
    expectError(`{ "nodes": { "leader": "::1:7000" } }`, 'DED612', '"::1:7000"');
    expectError(`{ "nodes": { "leader": 7000 } }`, 'DED612', '7000');
    expectError(`{ "nodes": { "leader": { "host": "10.0.0.5", "port": 0 } } }`, 'DED612', '0 }');
    expectError(`{ "nodes": { "leader": { "host": "10.0.0.5", "port": 7000.5 } } }`, 'DED612', '7000.5');
    expectError(`{ "nodes": { "leader": { "host": "10.0.0.5", "port": "7000" } } }`, 'DED612', '"7000"');
    expectError(`{ "nodes": { "leader": { "host": "10.0.0.5" } } }`, 'DED612', '{ "host"');
    expectError(`{ "nodes": { "leader": { "host": "", "port": 7000 } } }`, 'DED612', '""');
    expectError(`{ "nodes": { "leader": { "host": "10.0.0.5:7000", "port": 7000 } } }`, 'DED612', '"10.0.0.5:7000"');
    expectError(`{ "host": "http://10.0.0.5" }`, 'DED612', '"http:');
    expectError(`{ "host": 10 }`, 'DED612', '10 }');
    expectError(`{ "basePort": 65535 }`, 'DED612', '65535');
    expectError(`{ "basePort": -1 }`, 'DED612', '-1');
  });

  it('needs a host for an entry that gives only a port, when there is no default host (DED612)', () => {
    expectError(`{ "nodes": { "leader": { "port": 7000 } } }`, 'DED612', '{ "port"');
  });

  it('rejects malformed node names (DED608)', () => {
    expectError(`{ "nodes": { "participant[*]": "10.0.0.5:7000" } }`, 'DED608', '"participant[*]"');
    expectError(`{ "nodes": { "leader[0": "10.0.0.5:7000" } }`, 'DED608', '"leader[0"');
  });

  it('rejects names of nodes the cluster does not run (DED608), suggesting a close name', () => {
    const o = expectError(`{ "nodes": { "leeder[0]": "10.0.0.5:7000" } }`, 'DED608', '"leeder[0]"');
    expect(o.diagnostics[0]!.hint).toBe('did you mean `leader[0]`?');
    const p = expectError(`{ "nodes": { "participant": "10.0.0.5:7000" } }`, 'DED608', '"participant": "10');
    expect(p.diagnostics[0]!.hint).toBe('name one of them, such as `participant[0]`');
    expectError(`{ "nodes": { "participant[3]": "10.0.0.5:7000" } }`, 'DED608', '"participant[3]"');
    expectError(`{ "nodes": { "leader[0].0": "10.0.0.5:7000" } }`, 'DED608', '"leader[0].0"');
    const t = expectError(`{ "nodes": { "client[0]": "10.0.0.5:7000" } }`, 'DED608', '"client[0]"');
    expect(t.diagnostics[0]!.hint).toBe('the program\'s roles are leader, participant');
  });

  it('asks for a partition of a partitioned role (DED608)', () => {
    const roles = '{ "leader": 1, "participant": { "instances": 2, "partitions": 3 } }';
    const o = expectError(`{ "nodes": { "participant[1]": "10.0.0.5:7000" } }`, 'DED608', '"participant[1]"', 0, 1, roles);
    expect(o.diagnostics[0]!.hint).toBe('name one of them, such as `participant[1].0`');
    expectError(`{ "nodes": { "participant[1].3": "10.0.0.5:7000" } }`, 'DED608', '"participant[1].3"', 0, 1, roles);
    expectError(`{ "nodes": { "participant[2].0": "10.0.0.5:7000" } }`, 'DED608', '"participant[2].0"', 0, 1, roles);
  });

  it('rejects a node given twice under two names (DED612)', () => {
    const o = expectError(`{ "nodes": { "leader": "10.0.0.5:7000", "leader[0]": "10.0.0.5:7001" } }`, 'DED612', '"leader[0]"');
    expect(o.diagnostics[0]!.message).toBe('`leader[0]` is given twice in `network.nodes`, as `leader` and as `leader[0]`');
    const first = o.diagnostics[0]!.related!.map((r) => o.source.position(r.span.start)).map((p) => `${p.line}:${p.column}`);
    expect(first).toEqual([where(o.source.text, '"leader": "10')]);
  });

  it('rejects two entries on one host:port (DED612), pointing at the second', () => {
    const o = expectError(`{ "nodes": { "leader": "10.0.0.5:7000", "participant[1]": { "host": "10.0.0.5", "port": 7000 } } }`, 'DED612', '{ "host"');
    expect(o.diagnostics[0]!.message).toBe('`participant[1]` and `leader` would both listen on 10.0.0.5:7000');
    expectError(`{ "nodes": { "participant[0]": "[::1]:7000", "participant[2]": "[::1]:7000" } }`, 'DED612', '"[::1]:7000"', 0, 2);
    // Host names are compared ignoring case; a default host counts as the entry's host.
    expectError(`{ "host": "node-1", "nodes": { "leader": "NODE-1:7000", "participant[0]": { "port": 7000 } } }`, 'DED612', '{ "port"');
  });

  it('rejects an entry on the port another node gets from basePort (DED612)', () => {
    // participant[1] is address 3: 7000 + 3.
    const o = expectError(`{ "host": "10.0.0.5", "basePort": 7000, "nodes": { "leader": "10.0.0.5:7003" } }`, 'DED612', '"10.0.0.5:7003"');
    expect(o.diagnostics[0]!.message).toContain('`participant[1]` gets from `basePort` (7000 + address 3)');
    // Without a default host, the implicit nodes may be on any host: the port alone clashes.
    expectError(`{ "basePort": 7000, "nodes": { "leader": "10.0.0.9:7004" } }`, 'DED612', '"10.0.0.9:7004"');
  });

  it('counts clients among the nodes on basePort + address', () => {
    // The voting deployment's three clients are addresses 5, 6 and 7.
    const text = readFileSync(`${protocolsDir}voting.deploy.json`, 'utf8').replace(/\n}\s*$/, ',\n  "network": { "basePort": 7000, "nodes": { "leader": "127.0.0.1:7006" } }\n}\n');
    const o = resolve(text);
    expect(errors(o)).toEqual([`DED612 ${where(text, '"127.0.0.1:7006"')}`]);
    expect(o.diagnostics[0]!.message).toContain('`client[1]`');
  });

  it('rejects a basePort that puts a node past port 65535 (DED612)', () => {
    // The last node without an entry, participant[2], is address 4.
    const o = expectError(`{ "basePort": 65532 }`, 'DED612', '65532');
    expect(o.diagnostics[0]!.hint).toBe('use a `basePort` of at most 65531');
    // With an entry of its own, participant[2] no longer needs basePort + 4.
    expect(resolve(deployText(`{ "basePort": 65532, "nodes": { "participant[2]": "10.0.0.5:7000" } }`)).cluster).toBeDefined();
  });

  it('prints line:column and a caret under the bad port, as the CLI shows it', () => {
    const text = deployText(`{
    "nodes": {
      "leader": "10.0.0.5:99999"
    }
  }`);
    const o = resolve(text);
    expect(renderDiagnostics(o.diagnostics, o.source)).toBe(
      [
        'error[DED612]: a port is a whole number from 1 to 65535, not 99999',
        '  --> net.deploy.json:10:27',
        '   |',
        '10 |       "leader": "10.0.0.5:99999"',
        '   |                           ^^^^^ not a port',
      ].join('\n'),
    );
  });

  it('falls back to the whole string when it has escapes', () => {
    const text = deployText(`{ "nodes": { "leader": "10.0.0.\\u0035:99999" } }`);
    expect(errors(resolve(text))).toEqual([`DED612 ${where(text, '"10.0.0.')}`]);
  });
});
