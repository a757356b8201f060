// The part of the WebAssembly JavaScript API (https://webassembly.github.io/spec/js-api/)
// that the machine (its linear memory) and the block compiler use. Node provides the
// API; @types/node does not declare it, and the DOM lib that does would bring browser
// globals into every file.
declare namespace WebAssembly {
  type ImportValue = ((...args: never[]) => unknown) | Memory | Global | number;
  type Imports = Record<string, Record<string, ImportValue>>;
  type Exports = Record<string, ((...args: never[]) => unknown) | Memory | Global>;
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
  }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  interface GlobalDescriptor {
    value: 'i32' | 'i64';
    mutable?: boolean;
  }
  class Global {
    constructor(descriptor: GlobalDescriptor, value?: number | bigint);
    value: number | bigint;
  }
  class Module {
    constructor(bytes: BufferSource);
  }
  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Exports;
  }
  function validate(bytes: BufferSource): boolean;
  function instantiate(bytes: BufferSource, imports?: Imports): Promise<{ module: Module; instance: Instance }>;
}
