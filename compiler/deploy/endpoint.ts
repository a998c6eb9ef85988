// Hosts and ports as a deployment's `network` section writes them: a host name or IP address,
// and "host:port" strings, IPv6 addresses in brackets ("[::1]:7000"). Each problem is a message
// and the part of the text it concerns (offsets into the text), so the reader can put the caret
// on the host or the port rather than on the whole string.

export interface ParsedEndpoint {
  /** As written, except that an IPv6 address loses its brackets: "::1". */
  readonly host: string;
  readonly port: number;
}

export interface TextProblem {
  readonly message: string;
  readonly label: string;
  /** The offending part of the text, [start, end); the whole text when absent. */
  readonly part?: readonly [number, number];
  readonly hint?: string;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: TextProblem };

export const MIN_PORT = 1;
export const MAX_PORT = 65535;

const hostExamples = 'such as "10.0.0.5", "node-1.example.org" or "::1"';

/** A host: a DNS name, an IPv4 address, or an IPv6 address (with or without brackets). */
export function parseHost(text: string): Parsed<string> {
  const fail = (message: string, label: string, hint?: string): Parsed<string> => ({ ok: false, problem: { message, label, ...(hint ? { hint } : {}) } });
  if (text === '') return fail('the host is empty', 'empty host', `give a host name or an IP address, ${hostExamples}`);
  if (/\s/.test(text)) return fail(`the host \`${text}\` contains a space`, 'space in host');
  const scheme = schemeOf(text);
  if (scheme) return fail(`the host \`${text}\` has a scheme; give the host alone`, 'scheme', `write "${text.slice(scheme.length).replace(/[/:].*$/, '')}", without "${scheme}"`);
  const bracketed = /^\[(.*)\]$/.exec(text);
  const bare = bracketed ? bracketed[1]! : text;
  if (bare.includes(':')) {
    if (isIPv6(bare)) return { ok: true, value: bare };
    return fail(`\`${text}\` is not an IPv6 address, and a host has no \`:\``, 'not a host', 'give the port separately, or write "host:port" in one string');
  }
  if (bracketed || !isHostName(bare)) return fail(`\`${text}\` is not a host name or an IP address`, 'not a host', `a host is a name or an address, ${hostExamples}`);
  return { ok: true, value: bare };
}

/** A port: a whole number from 1 to 65535. */
export function portProblem(port: number): TextProblem | undefined {
  if (Number.isInteger(port) && port >= MIN_PORT && port <= MAX_PORT) return undefined;
  return { message: `a port is a whole number from ${MIN_PORT} to ${MAX_PORT}, not ${port}`, label: 'not a port' };
}

/** "host:port", "[ipv6]:port". */
export function parseEndpoint(text: string): Parsed<ParsedEndpoint> {
  const fail = (problem: TextProblem): Parsed<ParsedEndpoint> => ({ ok: false, problem });
  let hostText: string;
  let hostStart = 0;
  let portStart: number;
  const scheme = schemeOf(text);
  if (scheme) {
    return fail({ message: `\`${text}\` has a scheme; give "host:port" alone`, label: 'scheme', part: [0, scheme.length], hint: `write "${text.slice(scheme.length).replace(/\/.*$/, '')}", without "${scheme}"` });
  }
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return fail({ message: `\`${text}\` has no \`]\` after the IPv6 address`, label: 'unclosed bracket', hint: 'write an IPv6 endpoint as "[::1]:7000"' });
    hostText = text.slice(1, close);
    hostStart = 1;
    if (text[close + 1] !== ':') {
      return fail({ message: `\`${text}\` gives no port after the address`, label: 'no port', hint: `write "host:port", such as "[${hostText}]:7000"` });
    }
    portStart = close + 2;
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) return fail({ message: `\`${text}\` gives no port`, label: 'no port', hint: `write "host:port", such as "${text || '10.0.0.5'}:7000", or use {"host": ..., "port": ...}` });
    if (text.indexOf(':') !== colon) {
      return fail({ message: `\`${text}\` has several \`:\`; an IPv6 address goes in brackets`, label: 'ambiguous', hint: `write "[${text.slice(0, colon)}]:${text.slice(colon + 1)}"` });
    }
    hostText = text.slice(0, colon);
    portStart = colon + 1;
  }
  const host = parseHost(hostText);
  if (!host.ok) return fail({ ...host.problem, part: [hostStart, hostStart + hostText.length] });
  const portText = text.slice(portStart);
  const portPart = [portStart, text.length] as const;
  if (!/^\d+$/.test(portText)) {
    return fail({ message: portText === '' ? `\`${text}\` gives no port after \`:\`` : `the port \`${portText}\` is not a number`, label: 'not a port', part: portText === '' ? [portStart - 1, portStart] : portPart, hint: `a port is a whole number from ${MIN_PORT} to ${MAX_PORT}` });
  }
  const port = Number(portText);
  const bad = portProblem(port);
  if (bad) return fail({ ...bad, part: portPart });
  return { ok: true, value: { host: host.value, port } };
}

/** `host:port` as people write it: IPv6 addresses in brackets. */
export function formatEndpoint(e: ParsedEndpoint): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

/** "ws://" in "ws://10.0.0.5:7000". */
function schemeOf(text: string): string | undefined {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(text)?.[0];
}

/** DNS names (letters, digits, `-`, `_` in dot-separated labels) and IPv4 addresses. */
function isHostName(text: string): boolean {
  if (text.length > 253) return false;
  return text.split('.').every((label, i, all) => (label === '' ? i === all.length - 1 && i > 0 : /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(label)));
}

/** Eight groups of up to four hex digits, `::` once for a run of zero groups, an IPv4 tail allowed. */
function isIPv6(text: string): boolean {
  let groups = text;
  let extra = 0;
  const v4 = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (v4) {
    if (!v4[2]!.split('.').every((b) => Number(b) <= 255)) return false;
    groups = `${v4[1]!}0`;
    extra = 1;
  }
  const halves = groups.split('::');
  if (halves.length > 2) return false;
  const parts = halves.map((h) => (h === '' ? [] : h.split(':')));
  if (!parts.every((p) => p.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g)))) return false;
  const count = parts.reduce((n, p) => n + p.length, 0) + extra;
  return halves.length === 2 ? count <= 7 : count === 8;
}
