// Compiles a small AssemblyScript test entry (which imports "runtime/x" like generated role
// modules do) with compileAssembly and instantiates it, for the runtime library's unit tests.
// Gives the exports plus helpers that move bytes across `memory`, re-creating the byte view
// whenever memory has grown (a grown memory detaches the old ArrayBuffer).

import { compileAssembly } from '../../assembly/codegen/compile-assembly.js';

// The tsconfig's libs (ES2022, node 20 types) do not declare WebAssembly; this much is used.
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
const wasmApi = (globalThis as unknown as {
  WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: object } }> };
}).WebAssembly;

export interface RuntimeModule<E> {
  readonly exports: E;
  readonly memory: WasmMemory;
  /** A view on all of memory, valid until the next call that may allocate. */
  bytes(): Uint8Array;
  write(ptr: number, data: Uint8Array): void;
  read(ptr: number, len: number): Uint8Array;
}

export async function instantiateRuntimeEntry<E>(source: string, options: { name?: string; optimizeLevel?: 0 | 1 | 2 | 3 } = {}): Promise<RuntimeModule<E>> {
  const result = await compileAssembly(source, { optimizeLevel: options.optimizeLevel ?? 3, name: options.name ?? 'runtime test' });
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
  const { instance } = await wasmApi.instantiate(result.wasm, {
    env: {
      abort() {
        throw new Error('abort');
      },
    },
  });
  const exports = instance.exports as unknown as E & { memory: WasmMemory };
  const memory = exports.memory;
  let view = new Uint8Array(memory.buffer);
  const bytes = () => {
    if (view.buffer !== memory.buffer) view = new Uint8Array(memory.buffer);
    return view;
  };
  return {
    exports,
    memory,
    bytes,
    write: (ptr, data) => bytes().set(data, ptr),
    read: (ptr, len) => bytes().slice(ptr, ptr + len),
  };
}
