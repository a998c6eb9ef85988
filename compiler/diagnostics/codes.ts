// The numbered table of diagnostics. DED1xx syntax, DED2xx analysis, DED3xx rewrite
// preconditions, DED4xx build, DED5xx runtime, DED6xx deployment files. docs/language.md
// carries the same table; a test keeps the two in step.

export interface CodeInfo {
  readonly severity: 'error' | 'warning';
  readonly title: string;
}

export const codes = {
  DED101: { severity: 'error', title: 'syntax error' },
  DED102: { severity: 'error', title: 'unterminated string literal' },
  DED103: { severity: 'error', title: 'integer literal out of the signed 64-bit range' },
  DED104: { severity: 'error', title: 'invalid escape sequence in a string literal' },
  DED105: { severity: 'error', title: 'unterminated backtick snippet' },
  DED106: { severity: 'error', title: 'role block not closed' },
  DED107: { severity: 'error', title: 'invalid timer period' },
  DED108: { severity: 'error', title: 'unmatched closing brace' },

  DED201: { severity: 'error', title: 'relation declared twice' },
  DED202: { severity: 'error', title: 'relation used with different arities' },
  DED203: { severity: 'error', title: 'type conflict' },
  DED204: { severity: 'error', title: 'relation never defined' },
  DED205: { severity: 'error', title: 'variable not bound by a positive atom' },
  DED206: { severity: 'error', title: 'asynchronous rule without a destination' },
  DED207: { severity: 'error', title: 'destination on a local rule' },
  DED208: { severity: 'error', title: 'rule body without a positive atom' },
  DED209: { severity: 'error', title: 'cycle through negation or aggregation' },
  DED210: { severity: 'error', title: 'relation cannot be the head of this rule' },
  DED211: { severity: 'error', title: 'unknown function' },
  DED212: { severity: 'error', title: 'wrong number of arguments' },
  DED213: { severity: 'error', title: 'invalid aggregate' },
  DED214: { severity: 'error', title: 'invalid use of index()' },
  DED215: { severity: 'error', title: 'wildcard where a value is needed' },
  DED216: { severity: 'error', title: 'rule label used twice' },
  DED217: { severity: 'error', title: 'role declared twice' },
  DED218: { severity: 'error', title: 'rule outside any role' },
  DED219: { severity: 'error', title: 'relation read on a role that never derives it' },
  DED220: { severity: 'error', title: 'invalid persistence declaration' },
  DED221: { severity: 'error', title: 'less_than variable already bound' },
  DED222: { severity: 'error', title: 'column named twice in a declaration' },
  DED250: { severity: 'warning', title: 'relation derived but never used' },
  DED251: { severity: 'warning', title: 'channel never sent' },
  DED252: { severity: 'warning', title: 'declared relation never read' },
  DED253: { severity: 'warning', title: 'redundant persistence declaration' },
  DED254: { severity: 'warning', title: 'role without rules' },

  DED301: { severity: 'error', title: 'plan file is not valid JSON' },
  DED302: { severity: 'error', title: 'unexpected plan setting' },
  DED303: { severity: 'error', title: 'unknown role in a plan' },
  DED304: { severity: 'error', title: 'unknown rule or relation in a plan' },
  DED305: { severity: 'error', title: 'invalid name for a new role' },
  DED306: { severity: 'error', title: 'nothing to decouple' },
  DED310: { severity: 'error', title: 'rule sets are not independent' },
  DED311: { severity: 'error', title: 'rule sets are not mutually independent' },
  DED312: { severity: 'error', title: 'rules are not monotonic' },
  DED313: { severity: 'error', title: 'rules are not functional' },
  DED314: { severity: 'error', title: 'rules do not behave like a state machine' },
  DED315: { severity: 'error', title: 'no distribution policy consistent with co-hashing' },
  DED316: { severity: 'error', title: 'no distribution policy consistent with the dependencies' },
  DED317: { severity: 'error', title: 'messages cannot be rerouted' },
  DED318: { severity: 'error', title: 'no decoupling applies' },
  DED319: { severity: 'error', title: 'rewrite step could not be applied' },
  DED320: { severity: 'error', title: 'relations cannot be replicated' },

  DED401: { severity: 'error', title: 'program uses a feature the Wasm back end does not support' },
  DED402: { severity: 'error', title: 'generated code failed to compile' },
  DED403: { severity: 'error', title: 'build directory cannot be written' },
  DED404: { severity: 'error', title: 'build manifest is missing or invalid' },
  DED405: { severity: 'error', title: 'compiled module is missing, corrupted or does not match its manifest' },

  DED501: { severity: 'error', title: 'tick exceeded its limit of derivation steps' },

  DED601: { severity: 'error', title: 'deployment file is not valid JSON' },
  DED602: { severity: 'error', title: 'unexpected deployment setting' },
  DED603: { severity: 'error', title: 'unknown role' },
  DED604: { severity: 'error', title: 'not a static relation or timer of the program' },
  DED605: { severity: 'error', title: 'row has the wrong number of columns' },
  DED606: { severity: 'error', title: 'value of the wrong type' },
  DED607: { severity: 'error', title: 'invalid duration' },
  DED608: { severity: 'error', title: 'unknown node' },
  DED609: { severity: 'warning', title: 'static relation without facts' },
  DED610: { severity: 'error', title: 'invalid client workload' },
  DED611: { severity: 'error', title: 'invalid verification setting' },
  DED612: { severity: 'error', title: 'invalid network setting' },
} as const satisfies Record<string, CodeInfo>;

export type DiagnosticCode = keyof typeof codes;
