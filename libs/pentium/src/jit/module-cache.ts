// Compiled WebAssembly modules by their bytes. A module's bytes hold everything it does
// (the block's instructions, the offsets of the state it works on), and machines of one
// configuration lay their state out identically, so a block compiled for one run serves
// the next run of the same program (a sweep's repetitions, bench --repeat) without
// compiling again. Only compilation is shared: each machine instantiates its own.

/** at most this many modules are kept (oldest dropped first) */
const LIMIT = 4096;
const modules = new Map<string, WebAssembly.Module>();

export function compiledModule(bytes: Uint8Array): WebAssembly.Module {
  // the bytes as a string key: exact (no hash collisions), and Map hashes strings natively
  const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  let m = modules.get(key);
  if (m === undefined) {
    m = new WebAssembly.Module(bytes);
    if (modules.size >= LIMIT) modules.delete(modules.keys().next().value as string);
    modules.set(key, m);
  }
  return m;
}
