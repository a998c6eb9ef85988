// The rewrites of the paper's Figure 10 (Chu et al., SIGMOD 2024, §5.4), each measured on its
// own: per rewrite, its bench program in bench/programs/ (micro-<key>.ded, with its deployment
// and plan beside it), the node the rewrite splits, and the paper's gain. The order is the
// figure's: the two decouplings that add a network hop to the critical path first.

export interface MicroRewrite {
  /** `functional`, `monotonic`, ...: the program is bench/programs/micro-<key>.ded. */
  readonly key: string;
  /** The rewrite, as protocols/micro/README.md names it. */
  readonly rewrite: string;
  /** The protocols/micro/ program and plan it is a bench variant of. */
  readonly from: string;
  /** The role whose CPU-heavy work the rewrite splits over two nodes. */
  readonly split: string;
  /**
   * `rounds` calls per request on that role before the rewrite: a decoupled node decrypts the
   * request and encrypts the reply (two), a partitioned node encrypts its output (one).
   */
  readonly steps: number;
  /** What the paper reports: the text says about 1.7x for these two, closer to 2x for the others. */
  readonly paper: { readonly low: number; readonly high: number; readonly text: string };
}

/** The paper's bars range from 1.7x to 1.94x; the ideal is 2x (one node split into two). */
export const IDEAL_FACTOR = 2;
const hop = { low: 1.7, high: 1.7, text: 'about 1.7x (adds a network hop)' };
const near2 = { low: 1.7, high: 1.94, text: 'close to 2x (bars up to 1.94x)' };

export const microRewrites: readonly MicroRewrite[] = [
  { key: 'functional', rewrite: 'functional decoupling', from: 'rset-functional.plan.json', split: 'leader', steps: 2, paper: hop },
  { key: 'monotonic', rewrite: 'monotonic decoupling', from: 'rset-monotonic.plan.json', split: 'leader', steps: 2, paper: hop },
  { key: 'decouple', rewrite: 'mutually independent decoupling', from: 'rset-decouple.plan.json', split: 'leader', steps: 2, paper: near2 },
  { key: 'partition', rewrite: 'partitioning with co-hashing', from: 'rset-partition.plan.json', split: 'replica', steps: 1, paper: near2 },
  { key: 'dependencies', rewrite: 'partitioning with dependencies', from: 'rset-dependencies.plan.json', split: 'replica', steps: 1, paper: near2 },
  { key: 'partial', rewrite: 'partial partitioning', from: 'rset-partial.plan.json', split: 'replica', steps: 1, paper: near2 },
];
