// Runs hot decoded blocks as compiled WebAssembly (docs/design/jit.md, step 4): the
// functional code of block-compiler.ts with the timing calls of timing-hooks.ts, on the
// machine's linear memory. A block is compiled after HOT runs in the interpreter; one
// the compiler refuses stays interpreted. Each entry hands the CPU's flag state and the
// timing model's scalars to the slots and back (cpu-slots.ts, timing-runtime.ts), so the
// interpreter, the kernels and the counters see the state the interpreter would have
// left, bit for bit.
import type { Cpu, CompiledRunner } from '../cpu/cpu';
import type { Block } from '../cpu/decoder-types';
import { SegReg } from '../cpu/registers';
import type { TimingModel } from '../timing/timing-model';
import { compileBlock, exitEip, formOf, TAKEN, type CompiledBlock } from './block-compiler';
import { CpuSlots } from './cpu-slots';
import { TimingHooks } from './timing-hooks';
import { TimingRuntime } from './timing/timing-runtime';

/** interpreted runs before a block is compiled: compiling costs about as much as this many runs */
const HOT = 50;

export class BlockJit implements CompiledRunner {
  /** what the compiler did and how much ran compiled (for benches and tests) */
  readonly stats = { compiled: 0, refused: 0, entries: 0, instructions: 0 };
  private readonly slots: CpuSlots;
  private readonly rt: TimingRuntime;
  private readonly hooks: TimingHooks;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  /** the timing model's state is in the runtime's slots (entered, not yet left) */
  private inWasm = false;

  constructor(
    private readonly cpu: Cpu,
    timing: TimingModel,
  ) {
    const lin = cpu.memory.linear;
    this.slots = new CpuSlots(cpu);
    this.rt = new TimingRuntime(timing, lin);
    this.hooks = new TimingHooks(this.rt, lin, this.slots.layout);
    this.i32 = new Int32Array(lin.buffer);
    this.f64 = new Float64Array(lin.buffer);
  }

  run(block: Block, eip: number): number {
    let code = block.compiled as CompiledBlock | null | undefined;
    if (code === undefined) {
      if (++block.heat < HOT) return 0;
      code = this.compile(block);
    }
    if (code === null) return 0;
    const cpu = this.cpu;
    this.i32[this.hooks.entryEipAddr >> 2] = eip;
    this.f64[this.hooks.cyclesAddr >> 3] = 0;
    this.f64[this.hooks.budgetAddr >> 3] = cpu.runLimit - cpu.counters.cycles;
    this.slots.enter();
    // the timing state stays in the slots from one compiled block to the next; sync() hands it back
    if (!this.inWasm) {
      this.rt.enter();
      this.inWasm = true;
    }
    const before = this.rt.instructions();
    const r = code.run();
    this.slots.leave();
    const k = r & 0xff;
    cpu.counters.cycles += this.f64[this.hooks.cyclesAddr >> 3];
    this.stats.entries++;
    this.stats.instructions += this.rt.instructions() - before;
    cpu.eip = exitEip(code, eip, r);
    // a taken branch ends the block; otherwise the interpreter goes on at instruction k
    return r & TAKEN ? block.insns.length : k;
  }

  sync(): void {
    if (this.inWasm) {
      this.rt.leave();
      this.inWasm = false;
    }
  }

  private compile(block: Block): CompiledBlock | null {
    // the block compiles for flat segments only; the compiled code checks them at every entry
    const flatSegs = (1 << SegReg.CS) | (1 << SegReg.DS) | (1 << SegReg.SS) | (1 << SegReg.ES);
    // the longest prefix of compilable instructions; the interpreter runs the rest
    let n = 0;
    while (n < block.insns.length && formOf(block.insns[n]) !== null) n++;
    const code = n === 0 ? null : compileBlock(block.insns.slice(0, n), this.slots, { facts: { flatSegs }, hooks: this.hooks, imports: this.hooks.imports });
    block.compiled = code;
    if (code === null) this.stats.refused++;
    else this.stats.compiled++;
    return code;
  }
}
