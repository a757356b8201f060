// The IA-32 CPU of the emulated P54C: architectural state, the memory access paths
// (segmentation → software TLB → physical memory, each access charged to the timing
// model), lazy arithmetic flags, and the block-at-a-time execution loop.
//
// Speed (v86-style): instructions are decoded once into `Insn` records grouped in
// basic blocks keyed by physical address (decoder.ts); each record carries its
// handler and its precomputed TimingInfo. Writes to a page holding decoded code drop
// that page's blocks (PhysicalMemory.onCodeWrite). A software TLB (one Int32Array
// entry per linear page) caches linear → physical translations with their
// permissions; it is a functional cache only — the P54C's real TLBs (hit/miss and
// their page-walk cost) are modelled by the timing engineer's Tlb objects, consulted
// on every access. The software TLB is emptied wherever the architecture empties the
// TLB (MOV CR3, CR0/CR4 paging bits, task switch with a new CR3) and INVLPG drops one
// entry; a kernel that edits a PTE without INVLPG sees the old mapping for longer than
// a real P54C would (documented deviation, kernels here always invalidate).
//
// Guest exceptions are raised by throwing the preallocated `GuestFault`; the run loop
// restores EIP to the faulting instruction and delivers the exception through the IDT
// (exceptions.ts). Handlers therefore read all operands and check all accesses before
// they change architectural state.
//
// Modes: protected mode, real-address mode (CR0.PE = 0) and virtual-8086 mode
// (EFLAGS.VM = 1), as the Pentium has them (Intel, Pentium Processor Family Developer's
// Manual vol. 3, ch. 14-16). By default the machine starts the way a boot loader leaves
// it (CR0.PE=1, flat 4 GiB ring-0 segments, paging off); `resetState: 'power-on'` gives
// the processor's reset state instead (real mode, CS F000:FFF0 with base FFFF0000).
// Every mode-dependent fact lives outside the block loop: segment loads (segmentation.ts:
// base = selector << 4 in real and V86 mode), far transfers and IRET (ops/control.ts,
// exceptions.ts), interrupt delivery (IVT in real mode, the V86 frame through the IDT)
// and the decoder's default operand/address size, which comes from the CS cache's D bit
// (the block cache key carries it; handlers test the mode when they run, so a block
// decoded in one mode decodes identically in another with the same D bit). A stack
// segment with B = 0 (real mode, V86 mode) makes the stack pointer SP, wrapping within
// 64 KiB (push/pop below, `sp`/`setSp`/`spOff` for the instructions that address the
// stack themselves). The P54C's virtual-8086 mode extensions are modelled: CR4.VME
// (VIF/VIP for CLI, STI, PUSHF, POPF, IRET in V86 mode, INT n redirected through the
// TSS interrupt redirection bitmap to the V86 program's own vector table) and CR4.PVI
// (CLI/STI at CPL 3 in protected mode act on VIF).

import { PhysicalMemory } from '../memory/physical-memory';
import { Counters } from '../timing/counters';
import { BranchKind } from '../timing/timing-info';
import { CR0, CR4, EFLAGS, SegReg, Vector } from './registers';
import type { InterruptSource } from './ports';
import type { TimingModel } from '../timing/timing-model';
import type { Pipeline } from '../timing/pipeline';
import type { MemoryHierarchy } from '../timing/memory-hierarchy';
import type { Tlb } from '../timing/tlb';
import type { IoBus } from '../devices/io-bus';
import type { X87 } from '../fpu/x87';
import type { Block, Insn } from './decoder-types';
import { decodeBlock, decodeOne } from './decoder';
import { deliverInterrupt, IntKind } from './exceptions';
import { loadSegmentChecked, loadLdtr, loadTr } from './segmentation';
import { switchTask as taskSwitch } from './task-switch';
import { ACC_WRITE, DR6_BS, DR6_RESET, DR7_RESET, dataAccess, instructionBreakpoint, updateBreakpoints, watchedPage, writeDebugRegister } from './ops/debug-registers';
import { REP_CHUNK } from './ops/data';
import { CPUID_SIGNATURE } from './ops/system';

/** Thrown (one preallocated instance) when a guest exception is raised. */
export class GuestFault extends Error {
  vector = 0;
  /** error code, or -1 when the exception has none */
  errorCode = -1;
  constructor() {
    super('guest fault');
    this.name = 'GuestFault';
  }
}
export const FAULT = new GuestFault();

/** Thrown when the CPU shuts down (triple fault). */
export class TripleFault extends Error {
  constructor(msg: string) {
    super(msg);
    this.name = 'TripleFault';
  }
}

// Software TLB entry bits (low 12 bits of the entry; the high 20 bits are the physical page).
export const T_VALID = 1; // supervisor may read/execute
export const T_USER = 2; // user may read/execute
export const T_KW = 4; // supervisor may write (and D is set)
export const T_UW = 8; // user may write (and D is set)
export const T_LARGE = 16; // translated by a 4 MiB page
export const T_WATCHED = 32; // a data breakpoint watches the page: no permission bit, every access walks (never in a mask)

// Lazy flag kinds: the arithmetic flags are computed from (kind, op1, op2, res) on demand.
export const LF_ADD = 0;
export const LF_ADC = 1; // ADD with carry-in 1
export const LF_SUB = 2;
export const LF_SBB = 3; // SUB with borrow-in 1
export const LF_LOGIC = 4; // CF = OF = 0, AF = 0

const CF = 1,
  PF = 4,
  AF = 0x10,
  ZF = 0x40,
  SF = 0x80,
  OF = 0x800;
export const ARITH = CF | PF | AF | ZF | SF | OF;

/** "MOV CR3, r32: 22 clocks" (pentium-p54c.md; Intel's table gives 12 or 22 by register, we take 22). */
export const MOV_CR3_CLOCKS = 22;

/** parity flag of a byte: PF set when the number of 1 bits is even */
const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let b = i,
    n = 0;
  while (b) {
    n += b & 1;
    b >>= 1;
  }
  PARITY[i] = n & 1 ? 0 : PF;
}

/** Segment-cache attributes after a real-mode load or reset: present, DPL 0, read/write data, accessed. */
export const REAL_MODE_AR = 0x00009300;

/** EFLAGS bits software can change on a P54C (ID toggles: CPUID is supported). */
const EFLAGS_WRITABLE = 0x00247fd5;
/** VM, VIF, VIP: changed only by IRET at CPL 0, task switches and the V86 mode extensions */
const EFLAGS_VIRTUAL = EFLAGS.VM | EFLAGS.VIF | EFLAGS.VIP;

export interface CpuOptions {
  memory: PhysicalMemory;
  counters?: Counters;
  /** the P54C timing model; null runs the CPU untimed (table clocks only), for unit tests */
  timing?: TimingModel | null;
  io?: IoBus | null;
  pic?: InterruptSource | null;
  fpu?: X87 | null;
  /**
   * State after reset(): 'boot-loader' (default) is protected mode with flat ring-0
   * segments as a boot loader leaves it; 'power-on' is the Pentium's reset state (real
   * mode, CS F000 base FFFF0000 limit FFFF, EIP FFF0, CR0 60000010, EDX = the CPUID
   * signature). Physical memory has no ROM at FFFFFFF0: a power-on machine is pointed at
   * its code by the caller (loadSegment(CS, …) and eip).
   */
  resetState?: 'boot-loader' | 'power-on';
}

/**
 * Runs decoded blocks as compiled code (jit/block-jit.ts; docs/design/jit.md). run()
 * returns the index of the block's instruction the interpreter goes on at, with EIP
 * set to it: 0 when nothing ran, the block's length (or more) when the block is done
 * (all ran, or a taken branch set EIP).
 */
export interface CompiledRunner {
  run(block: Block, eip: number): number;
  /**
   * Hands the timing model's state back to TypeScript when compiled code still holds it
   * (the runner keeps it across consecutive compiled blocks). Called before anything
   * else uses the timing model: the interpreter, a page walk, an interrupt or exception
   * delivery, the end of a run slice.
   */
  sync(): void;
}

export type HostcallHandler = (cpu: Cpu) => void;
export interface HostcallEntry {
  id: number;
  name: string;
  handler: HostcallHandler;
  fromUser: boolean;
}

export class Cpu {
  // ---- general registers: 32 bytes of the machine's linear memory, three views (little-endian host assumed)
  readonly r32: Int32Array;
  readonly r16: Uint16Array;
  readonly r8: Uint8Array;

  /** offset of the next instruction in CS (unsigned) */
  eip = 0;
  /** EIP of the instruction being executed (faults restart here) */
  instEip = 0;

  // ---- EFLAGS: `flags` holds every bit not in `lazy`; lazy bits come from the last ALU op
  flags = 2;
  lazy = 0;
  fKind = 0;
  fOp1 = 0;
  fOp2 = 0;
  fRes = 0;
  /** sign-bit position of the last ALU op (7, 15, 31) */
  fSign = 31;

  // ---- segment registers with their descriptor caches (in the linear memory)
  readonly segSel: Uint16Array;
  readonly segBase: Int32Array;
  /** last valid offset (expand-up) or the limit field (expand-down), as int32 */
  readonly segLimit: Int32Array;
  /** descriptor high dword (type, S, DPL, P, D/B, G) of the cached descriptor */
  readonly segAr: Int32Array;
  /** how reads / writes through the segment are checked: 0 not at all (flat), 1 limit compare, 2 the full check (null, type, expand-down) */
  readonly segChkR: Uint8Array;
  readonly segChkW: Uint8Array;
  private _cpl = 0;
  /** SS.B = 0: stack operations use SP (updateSegChecks keeps it in step with the SS cache) */
  ss16 = false;

  // ---- system registers
  private _cr0 = CR0.PE | CR0.ET;
  cr2 = 0;
  private _cr3 = 0;
  private _cr4 = 0;
  gdtBase = 0;
  gdtLimit = 0xffff;
  idtBase = 0;
  idtLimit = 0x3ff;
  ldtSel = 0;
  ldtBase = 0;
  ldtLimit = 0;
  trSel = 0;
  trBase = 0;
  trLimit = 0;
  /** descriptor type of the current TSS (0 until LTR) */
  trType = 0;
  /** model-specific registers written by WRMSR (minimal: kept, not interpreted) */
  readonly msrs = new Map<number, [number, number]>();
  /** debug registers DR0–DR7 (ops/debug-registers.ts); write them through MOV DRn or setDebugRegister, which arm the breakpoints */
  readonly dr = new Int32Array(8);
  // ---- breakpoints as DR0–DR3/DR7/CR4.DE describe them (ops/debug-registers.ts updateBreakpoints)
  /** the run loop takes its checked path (runDebug): a breakpoint is enabled or EFLAGS.RF is set */
  debugArmed = false;
  /** enabled breakpoints, bit n for DRn: instruction, data write or read/write, data read/write only, I/O */
  bpExec = 0;
  bpData = 0;
  bpDataRead = 0;
  bpIo = 0;
  /** breakpoint n's address aligned by its length, and the length (1, 2, 4) */
  readonly bpAddr = new Int32Array(4);
  readonly bpLen = new Int32Array(4);
  /** the linear page a data breakpoint n watches (kept off the software TLB's fast path), -1 none */
  readonly bpPage = new Int32Array(4).fill(-1);
  /** DR6.B bits of the data/I/O breakpoints the current instruction hit (a trap at its end) */
  dbHits = 0;
  /** iterations a REP string runs per execution (ops/data.ts); 0 after a breakpoint hit ends the string */
  repChunk = REP_CHUNK;
  /** the fault being raised is an instruction breakpoint's #DB (pushes RF as it is, not 1) */
  instructionBreak = false;
  /** DR6 bits of a #DB trap due before the next instruction (DR6.BT: a task switch into a TSS with T set) */
  dbPendingTrap = 0;

  /** scratch for POPA (no allocation per instruction) */
  readonly scratch8 = new Int32Array(8);

  halted = false;
  /** set by STI / MOV SS / POP SS: no interrupt before the next instruction completes */
  irqShadow = false;

  // ---- memory and timing
  readonly memory: PhysicalMemory;
  readonly i32: Int32Array;
  readonly u8: Uint8Array;
  readonly memBytes: number;
  /** the cycle count at which the current runUntil slice ends (compiled self-loops run up to it) */
  runLimit = 0;
  /** compiled blocks (Machine({ jit: true })), or null: the interpreter runs everything */
  jit: CompiledRunner | null = null;
  /** the software TLB, one entry per linear page (in the linear memory) */
  readonly tlb: Int32Array;
  private readonly tlbFilled = new Int32Array(4096);
  private tlbFillCount = 0;
  private tlbOverflow = false;
  /** mask an entry must contain for a read / write at the current CPL */
  rmask = T_VALID;
  wmask = T_VALID | T_KW;
  /** stall clocks of the data accesses of the current instruction */
  memStall = 0;
  /** physical address of the first data access of the current instruction (bank-conflict rule), -1 none */
  dataPhys = -1;
  /** Accessed/Dirty bits the functional walk just set (charged with the timing walk) */
  private pendingAd = 0;
  counters: Counters;
  readonly timing: TimingModel | null;
  readonly pipe: Pipeline | null;
  readonly hier: MemoryHierarchy | null;
  readonly itlb: Tlb | null;
  readonly dtlb: Tlb | null;
  io: IoBus | null;
  pic: InterruptSource | null;
  fpu: X87 | null;

  // ---- decode cache
  private readonly blockCache: (Block | undefined)[] = new Array(1 << 16);
  private readonly blocksByPage = new Map<number, Block[]>();
  /** blocks decoded so far (a statistic: each block is decoded once while its code stays unwritten) */
  blocksDecoded = 0;
  /** set when the running block must stop after the current instruction (decoded code written, stop requested) */
  blockBreak = false;
  /** page of the last ITLB lookup (-1 after a flush): a repeat lookup is a state-free hit in Tlb, so it is skipped */
  private lastItlbPage = -1;

  /** Something else may have used the ITLB (a kernel path profile charged in a hostcall or an event): look up again. */
  forgetItlbPage(): void {
    this.lastItlbPage = -1;
  }

  // ---- emulator services
  readonly hostcalls = new Map<number, HostcallEntry>();
  /** set by Machine.stop() (through requestStop): the run loop ends after the current instruction */
  stopRequested = false;

  requestStop(): void {
    this.stopRequested = true;
    this.blockBreak = true;
  }
  /** vector of the exception being delivered (-1 none), for double/triple-fault rules */
  delivering = -1;
  /** reason the CPU shut down (triple fault), null while running */
  shutdown: string | null = null;
  /** called when the CPU shuts down after a triple fault */
  onTripleFault: ((why: string) => void) | null = null;
  /** phase accounting (clock/phases.ts): the cycle count when the last trap (INT n, exception, IRQ) began to be delivered */
  trapCycle = 0;
  /** phase accounting: called by an IRET to CPL 3 while a phase switch is armed there; null otherwise (no cost) */
  onUserReturn: (() => void) | null = null;
  /** RDPMC: the value of counter ECX, or -1 for none (#GP); the Machine's phase counters (clock/phases.ts) */
  readPmc: ((ecx: number) => number) | null = null;

  constructor(opts: CpuOptions) {
    // the state compiled code reads and writes lives in the machine's linear memory (docs/design/jit.md)
    const lin = opts.memory.linear;
    const regs = lin.alloc(32, 8);
    this.r32 = new Int32Array(lin.buffer, regs, 8);
    this.r16 = new Uint16Array(lin.buffer, regs, 16);
    this.r8 = new Uint8Array(lin.buffer, regs, 32);
    this.segSel = lin.u16(6);
    this.segBase = lin.i32(6);
    this.segLimit = lin.i32(6);
    this.segAr = lin.i32(6);
    this.segChkR = lin.u8(6);
    this.segChkW = lin.u8(6);
    this.tlb = lin.i32(1 << 20);
    this.memory = opts.memory;
    this.i32 = opts.memory.i32;
    this.u8 = opts.memory.u8;
    this.memBytes = opts.memory.size;
    this.counters = opts.counters ?? new Counters();
    const t = opts.timing ?? null;
    this.timing = t;
    this.pipe = t ? t.pipeline : null;
    this.hier = t ? t.hierarchy : null;
    this.itlb = t ? t.itlb : null;
    this.dtlb = t ? t.dtlb : null;
    this.io = opts.io ?? null;
    this.pic = opts.pic ?? null;
    this.fpu = opts.fpu ?? null;
    this.memory.onCodeWrite = (page) => this.invalidateCodePage(page);
    this.resetState = opts.resetState ?? 'boot-loader';
    this.reset();
  }

  /** what reset() produces (CpuOptions.resetState) */
  readonly resetState: 'boot-loader' | 'power-on';

  /**
   * Reset: by default the state a boot loader leaves (protected mode, flat ring-0
   * segments, paging off, IF=0); with `state` (or CpuOptions.resetState) 'power-on' the
   * Pentium's reset state (Intel vol. 3, "Processor State After Reset").
   */
  reset(state: 'boot-loader' | 'power-on' = this.resetState): void {
    const powerOn = state === 'power-on';
    this.r32.fill(0);
    if (powerOn) this.r32[2] = CPUID_SIGNATURE; // EDX holds the component identifier after reset
    this.eip = powerOn ? 0xfff0 : 0;
    this.flags = 2;
    this.lazy = 0;
    // power-on: 60000010H (the timing model does not interpret CD/NW)
    this._cr0 = powerOn ? CR0.CD | CR0.NW | CR0.ET : CR0.PE | CR0.ET;
    this._cr4 = 0;
    this._cr3 = 0;
    this.cr2 = 0;
    this.dr.fill(0);
    this.dr[6] = DR6_RESET;
    this.dr[7] = DR7_RESET;
    this.dbPendingTrap = 0;
    updateBreakpoints(this);
    if (powerOn) this.resetRealModeState();
    else {
      for (let s = 0; s < 6; s++) {
        this.segSel[s] = 0;
        this.segBase[s] = 0;
        this.segLimit[s] = -1;
        // present, DPL 0, S=1, D/B=1, G=1; CS execute/read, others read/write
        this.segAr[s] = s === SegReg.CS ? 0x00cf9b00 : 0x00cf9300;
        this.segChkR[s] = 0;
        this.segChkW[s] = s === SegReg.CS ? 1 : 0;
      }
      this.ss16 = false;
    }
    this.setCplInternal(0);
    this.halted = false;
    this.irqShadow = false;
    if (powerOn) this.flushAllTlbs();
    else this.flushTlb();
  }

  /** The processor's reset tables and segments: real mode, CS F000 with base FFFF0000, 64 KiB segments. */
  private resetRealModeState(): void {
    this.gdtBase = 0;
    this.gdtLimit = 0xffff;
    this.idtBase = 0;
    this.idtLimit = 0x3ff;
    this.ldtSel = this.ldtBase = 0;
    this.ldtLimit = 0xffff;
    this.trSel = this.trBase = 0;
    this.trLimit = 0xffff;
    this.trType = 0;
    for (let s = 0; s < 6; s++) {
      this.segSel[s] = s === SegReg.CS ? 0xf000 : 0;
      this.segBase[s] = s === SegReg.CS ? 0xffff0000 | 0 : 0;
      this.segLimit[s] = 0xffff;
      this.segAr[s] = REAL_MODE_AR; // present, read/write, accessed (CS included)
      this.updateSegChecks(s);
    }
  }

  /** CR0.PE = 0 */
  get realMode(): boolean {
    return (this._cr0 & CR0.PE) === 0;
  }
  /** EFLAGS.VM = 1 */
  get v86(): boolean {
    return (this.flags & EFLAGS.VM) !== 0;
  }

  // ===================================================================== kernel API

  getReg(r: number): number {
    return this.r32[r] >>> 0;
  }
  setReg(r: number, v: number): void {
    this.r32[r] = v;
  }
  get cpl(): number {
    return this._cpl;
  }
  get cr0(): number {
    return this._cr0 >>> 0;
  }
  get cr3(): number {
    return this._cr3 >>> 0;
  }
  get cr4(): number {
    return this._cr4 >>> 0;
  }

  getEflags(): number {
    const lz = this.lazy;
    if (lz === 0) return this.flags >>> 0;
    let f = this.flags & ~lz;
    if (lz & CF) f |= this.getCF();
    if (lz & PF) f |= PARITY[this.fRes & 0xff];
    if (lz & AF) f |= this.getAF();
    if (lz & ZF) f |= this.fRes === 0 ? ZF : 0;
    if (lz & SF) f |= (this.fRes >>> this.fSign) & 1 ? SF : 0;
    if (lz & OF) f |= this.getOF();
    return (f | 2) >>> 0;
  }

  /**
   * Sets EFLAGS as a kernel (or POPF) would: VM, VIF and VIP keep their values (POPF
   * leaves them alone in every mode), the reserved bits stay 0.
   */
  setEflags(v: number): void {
    this.flags = (v & EFLAGS_WRITABLE) | (this.flags & EFLAGS_VIRTUAL) | 2;
    this.lazy = 0;
  }

  /**
   * @internal EFLAGS with VM, VIF and VIP (IRET at CPL 0, task switches, interrupt
   * delivery out of V86). The caller loads the segment registers for the new mode.
   */
  setEflagsWithVm(v: number): void {
    this.flags = (v & (EFLAGS_WRITABLE | EFLAGS_VIRTUAL)) | 2;
    this.lazy = 0;
  }

  /**
   * CR0 as MOV CR0 writes it. PE may be cleared (real mode) while paging is off: the
   * segment caches keep what they hold until the next load, as on the processor.
   */
  setCr0(v: number): void {
    v |= CR0.ET;
    if (v & CR0.PG && !(v & CR0.PE)) throw new Error('Cpu.setCr0: CR0.PG requires CR0.PE');
    if (!(v & CR0.PE) && this.flags & EFLAGS.VM) throw new Error('Cpu.setCr0: CR0.PE cannot be cleared in virtual-8086 mode');
    const old = this._cr0;
    this._cr0 = v | 0;
    if ((old ^ v) & (CR0.PG | CR0.WP | CR0.PE)) this.flushAllTlbs();
  }

  /** CR4 (VME: virtual-8086 mode extensions, PVI: protected-mode virtual interrupts, TSD, DE, PSE, MCE). */
  setCr4(v: number): void {
    const old = this._cr4;
    this._cr4 = v & (CR4.VME | CR4.PVI | CR4.TSD | CR4.DE | CR4.PSE | CR4.MCE);
    if ((old ^ this._cr4) & CR4.PSE) this.flushAllTlbs();
    if ((old ^ this._cr4) & CR4.DE) updateBreakpoints(this); // I/O breakpoints exist only with DE
  }

  /** MOV DRn, r32 as a kernel does it (no CPL or GD check, no clocks): n = 0..3, 6, 7; the breakpoints follow. */
  setDebugRegister(n: number, v: number): void {
    if (n < 0 || n > 7 || n === 4 || n === 5) throw new Error(`Cpu.setDebugRegister: no DR${n}`);
    writeDebugRegister(this, n, v | 0);
  }

  /** EFLAGS.RF set by IRET or a task switch (setEflags keeps it out): instruction breakpoints skip one instruction. */
  setResumeFlag(): void {
    this.flags |= EFLAGS.RF;
    this.debugArmed = true;
    this.blockBreak = true; // the next instruction runs on the debug path, which clears RF
  }

  /** MOV CR3 as a kernel does it: loads the page-directory base, empties the TLBs, charges MOV CR3's clocks. */
  loadCr3(v: number): void {
    this.writeCr3(v);
    this.charge(MOV_CR3_CLOCKS);
  }

  /** CR3 load without charging (the MOV CR3 row and the task switch carry their own clocks). */
  writeCr3(v: number): void {
    this._cr3 = v & 0xfffff018;
    this.flushAllTlbs();
  }

  setGdtr(base: number, limit: number): void {
    this.gdtBase = base | 0;
    this.gdtLimit = limit & 0xffff;
  }
  setIdtr(base: number, limit: number): void {
    this.idtBase = base | 0;
    this.idtLimit = limit & 0xffff;
  }

  /** Protected-mode segment load with all checks (may throw a guest fault). */
  loadSegment(sreg: SegReg, selector: number): void {
    loadSegmentChecked(this, sreg, selector & 0xffff);
  }
  loadTr(selector: number): void {
    loadTr(this, selector & 0xffff);
  }
  loadLdtr(selector: number): void {
    loadLdtr(this, selector & 0xffff);
  }
  switchTask(selector: number, how: 'jmp' | 'call' | 'iret'): void {
    taskSwitch(this, selector & 0xffff, how, -1);
  }
  invlpg(linear: number): void {
    const page = linear >>> 12;
    this.tlb[page] = 0;
    this.lastItlbPage = -1;
    if (this.timing !== null) this.timing.invlpg(linear);
    else this.counters.tlbInvalidations++;
  }

  // ============================================================ CPL and TLB plumbing

  /** @internal CPL changes only through CS loads (segmentation.ts, exceptions.ts, task switch). */
  setCplInternal(cpl: number): void {
    this._cpl = cpl;
    if (cpl === 3) {
      this.rmask = T_VALID | T_USER;
      this.wmask = T_VALID | T_UW;
    } else {
      this.rmask = T_VALID;
      this.wmask = T_VALID | T_KW;
    }
  }

  /** Empties the software TLB only (clearing just the filled entries). */
  flushTlb(): void {
    if (this.tlbOverflow) {
      this.tlb.fill(0);
    } else {
      const f = this.tlbFilled;
      for (let i = 0; i < this.tlbFillCount; i++) this.tlb[f[i]] = 0;
    }
    this.tlbFillCount = 0;
    this.tlbOverflow = false;
  }

  /** MOV CR3 / paging-mode change: software TLB and the P54C TLBs. */
  flushAllTlbs(): void {
    this.flushTlb();
    this.lastItlbPage = -1;
    if (this.timing !== null) this.timing.flushTlbs();
    else this.counters.tlbFlushes++;
  }

  private fillTlb(page: number, entry: number): void {
    // a page a data breakpoint watches keeps no permission bit: every access misses the fast path and walks (checked there)
    if (this.bpData !== 0 && watchedPage(this, page)) entry = (entry & (-4096 | T_LARGE)) | T_WATCHED;
    if (this.tlb[page] === 0) {
      if (this.tlbFillCount < this.tlbFilled.length) this.tlbFilled[this.tlbFillCount++] = page;
      else this.tlbOverflow = true;
    }
    this.tlb[page] = entry;
  }

  // ==================================================================== faults

  raise(vector: number, errorCode: number): never {
    FAULT.vector = vector;
    FAULT.errorCode = errorCode;
    FAULT.message = `guest exception ${vector}${errorCode >= 0 ? ` (error 0x${errorCode.toString(16)})` : ''} at eip 0x${(this.instEip >>> 0).toString(16)}`;
    throw FAULT;
  }
  gp(code: number): never {
    return this.raise(Vector.GP, code);
  }
  ud(): never {
    return this.raise(Vector.UD, -1);
  }

  // ==================================================================== paging

  /**
   * Translates `la` for an access (write: needs write permission; user: checked as CPL 3),
   * walking the page tables in physical memory, setting Accessed/Dirty bits, filling the
   * software TLB. Raises #PF (CR2 = la) on a violation. Returns the physical address.
   * `acc` describes a data access for the data breakpoints (size | ACC_WRITE for a write;
   * 0: instruction fetch or permission check only).
   */
  walk(la: number, write: boolean, user: boolean, acc = 0): number {
    la |= 0;
    if (acc !== 0 && this.bpData !== 0) dataAccess(this, la, acc);
    const page = la >>> 12;
    if (!(this._cr0 & CR0.PG)) {
      const phys = la >>> 0;
      if (phys < this.memBytes) this.fillTlb(page, (la & -4096) | T_VALID | T_USER | T_KW | T_UW);
      return phys;
    }
    const mem = this.memory;
    const wp = (this._cr0 & CR0.WP) !== 0;
    const errBase = (write ? 2 : 0) | (user ? 4 : 0);
    const pdeAddr = ((this._cr3 & -4096) + ((la >>> 22) << 2)) >>> 0;
    let pde = mem.read32(pdeAddr);
    if (!(pde & 1)) return this.pageFault(la, errBase);
    let phys: number, us: boolean, rw: boolean, large: boolean, dirty: boolean;
    if (pde & 0x80 && this._cr4 & CR4.PSE) {
      large = true;
      us = (pde & 4) !== 0;
      rw = (pde & 2) !== 0;
      this.checkAccess(la, errBase | 1, write, user, us, rw, wp);
      const nv = pde | 0x20 | (write ? 0x40 : 0);
      if (nv !== pde) {
        mem.write32(pdeAddr, nv);
        this.pendingAd++;
      }
      dirty = (nv & 0x40) !== 0;
      phys = ((pde & 0xffc00000) | (la & 0x3ff000)) >>> 0;
    } else {
      large = false;
      const pteAddr = ((pde & -4096) + (((la >>> 12) & 0x3ff) << 2)) >>> 0;
      let pte = mem.read32(pteAddr);
      if (!(pte & 1)) return this.pageFault(la, errBase);
      us = (pde & pte & 4) !== 0;
      rw = (pde & pte & 2) !== 0;
      this.checkAccess(la, errBase | 1, write, user, us, rw, wp);
      if (!(pde & 0x20)) {
        pde |= 0x20;
        mem.write32(pdeAddr, pde);
        this.pendingAd++;
      }
      const nv = pte | 0x20 | (write ? 0x40 : 0);
      if (nv !== pte) {
        pte = nv;
        mem.write32(pteAddr, pte);
        this.pendingAd++;
      }
      dirty = (pte & 0x40) !== 0;
      phys = (pte & -4096) >>> 0;
    }
    if (phys < this.memBytes) {
      let e = phys | T_VALID | (large ? T_LARGE : 0);
      if (us) e |= T_USER;
      if (dirty) {
        if (rw || !wp) e |= T_KW;
        if (rw && us) e |= T_UW;
      }
      this.fillTlb(page, e);
    }
    return (phys | (la & 0xfff)) >>> 0;
  }

  private checkAccess(la: number, err: number, write: boolean, user: boolean, us: boolean, rw: boolean, wp: boolean): void {
    if (user) {
      if (!us || (write && !rw)) this.pageFault(la, err);
    } else if (write && !rw && wp) {
      this.pageFault(la, err);
    }
  }

  pageFault(la: number, err: number): never {
    this.cr2 = la >>> 0;
    return this.raise(Vector.PF, err);
  }

  /** Timing of a P54C TLB miss: the walker reads the PDE (and PTE) through the data cache. */
  private walkClocks(la: number): number {
    const t = this.timing;
    if (t === null || !(this._cr0 & CR0.PG)) return 0;
    const pdeAddr = ((this._cr3 & -4096) + ((la >>> 22) << 2)) >>> 0;
    const pde = this.memory.read32(pdeAddr);
    let pteAddr = -1;
    if (pde & 1 && !(pde & 0x80 && this._cr4 & CR4.PSE)) pteAddr = ((pde & -4096) + (((la >>> 12) & 0x3ff) << 2)) >>> 0;
    const ad = this.pendingAd;
    this.pendingAd = 0;
    return t.pageWalk(pdeAddr, pteAddr, ad);
  }

  /** Charges one data access to the timing model: DTLB (+walk on a miss) and the cache hierarchy (misalignment included). */
  private dTime(la: number, phys: number, size: number, write: boolean): number {
    let s = 0;
    if (!(this.dtlb as Tlb).lookup(la, (this.tlb[la >>> 12] & T_LARGE) !== 0)) s += this.walkClocks(la);
    const h = this.hier as MemoryHierarchy;
    s += write ? h.write(phys, size) : h.read(phys, size);
    if (this.dataPhys < 0) this.dataPhys = phys;
    return s;
  }

  // ---- PathMmu for kernel path profiles (timing/path-profile.ts)
  /** CR0.PG */
  get paging(): boolean {
    return (this._cr0 & CR0.PG) !== 0;
  }
  /** set by translate(): the last translation went through a 4 MiB page */
  largePage = false;
  /** Physical address of `linear` without side effects, or -1 when not mapped. */
  translate(linear: number): number {
    this.largePage = false;
    if (!(this._cr0 & CR0.PG)) return linear >>> 0;
    const pde = this.memory.read32(((this._cr3 & -4096) + ((linear >>> 22) << 2)) >>> 0);
    if (!(pde & 1)) return -1;
    if (pde & 0x80 && this._cr4 & CR4.PSE) {
      this.largePage = true;
      return ((pde & 0xffc00000) | (linear & 0x3fffff)) >>> 0;
    }
    const pte = this.memory.read32(((pde & -4096) + (((linear >>> 12) & 0x3ff) << 2)) >>> 0);
    if (!(pte & 1)) return -1;
    return ((pte & -4096) | (linear & 0xfff)) >>> 0;
  }
  /** Hardware walk after a TLB miss of a kernel path: sets A (and D) bits, returns its clocks. */
  walkForPath(linear: number, write: boolean): number {
    if (!(this._cr0 & CR0.PG)) return 0;
    const saved = this._cpl;
    if (saved === 3) this.setCplInternal(0);
    try {
      this.walk(linear | 0, write, false);
    } catch (e) {
      if (e !== FAULT) throw e;
      // an unmapped kernel address in a path profile is the kernel's bug: report it clearly
      throw new Error(`kernel path touches unmapped linear address 0x${(linear >>> 0).toString(16)}`);
    } finally {
      if (saved === 3) this.setCplInternal(3);
    }
    return this.walkClocks(linear);
  }

  // ======================================================== linear memory access

  /** Linear address of seg:off for a read of `size` bytes (segment checks included). */
  linR(seg: number, off: number, size: number): number {
    const k = this.segChkR[seg];
    // 1: an expand-up segment with a limit below 4 GiB (Linux's 3 GiB user segments): one compare
    if (k !== 0 && (k !== 1 || (off >>> 0) + size - 1 > this.segLimit[seg] >>> 0)) this.segCheck(seg, off, size, false);
    return (this.segBase[seg] + off) | 0;
  }
  linW(seg: number, off: number, size: number): number {
    const k = this.segChkW[seg];
    if (k !== 0 && (k !== 1 || (off >>> 0) + size - 1 > this.segLimit[seg] >>> 0)) this.segCheck(seg, off, size, true);
    return (this.segBase[seg] + off) | 0;
  }

  /** Slow segment check: null selector, type (read-only / execute-only), limit (expand-up/down). */
  segCheck(seg: number, off: number, size: number, write: boolean): void {
    const ar = this.segAr[seg];
    const fault = seg === SegReg.SS ? Vector.SS : Vector.GP;
    if (!(ar & 0x8000)) this.raise(fault, 0); // null or unusable segment
    const type = (ar >>> 8) & 0xf;
    if (write) {
      if (type & 8 || !(type & 2)) this.raise(fault, 0); // code or read-only data
    } else if ((type & 0xa) === 8) {
      this.raise(fault, 0); // execute-only code
    }
    const o = off >>> 0;
    const last = (o + size - 1) >>> 0;
    const lim = this.segLimit[seg] >>> 0;
    if (!(type & 8) && type & 4) {
      // expand-down: valid offsets are limit+1 .. (B ? 0xffffffff : 0xffff)
      const top = ar & 0x400000 ? 0xffffffff : 0xffff;
      if (o <= lim || last > top || last < o) this.raise(fault, 0);
    } else if (last > lim || last < o) {
      this.raise(fault, 0);
    }
  }

  /** @internal recompute the fast-path check flags of a segment from its cache */
  updateSegChecks(seg: number): void {
    const ar = this.segAr[seg];
    const type = (ar >>> 8) & 0xf;
    const present = (ar & 0x8000) !== 0;
    const expandDown = !(type & 8) && (type & 4) !== 0;
    const readable = !(type & 8) || (type & 2) !== 0;
    const writable = !(type & 8) && (type & 2) !== 0;
    // 0: no check (flat 4 GiB); 1: limit compare only; 2: the full check (null, type, expand-down)
    const lim = this.segLimit[seg] === -1 ? 0 : 1;
    this.segChkR[seg] = !present || !readable || expandDown ? 2 : lim;
    this.segChkW[seg] = !present || !writable || expandDown ? 2 : lim;
    if (seg === SegReg.SS) this.ss16 = (ar & 0x400000) === 0;
  }

  rd8(la: number): number {
    const e = this.tlb[la >>> 12];
    const phys = (e & this.rmask) === this.rmask ? (e & -4096) | (la & 4095) : this.walk(la, false, this._cpl === 3, 1);
    if (this.hier !== null) this.memStall += this.dTime(la, phys, 1, false);
    return phys < this.memBytes ? this.u8[phys] : 0xff;
  }
  rd16(la: number): number {
    if ((la & 4095) === 4095) return this.rd8(la) | (this.rd8(la + 1) << 8);
    const e = this.tlb[la >>> 12];
    const phys = (e & this.rmask) === this.rmask ? (e & -4096) | (la & 4095) : this.walk(la, false, this._cpl === 3, 2);
    if (this.hier !== null) this.memStall += this.dTime(la, phys, 2, false);
    return phys < this.memBytes ? this.u8[phys] | (this.u8[phys + 1] << 8) : 0xffff;
  }
  /** 32-bit read; returns an int32 */
  rd32(la: number): number {
    const e = this.tlb[la >>> 12];
    if ((e & this.rmask) === this.rmask && (la & 3) === 0) {
      const phys = (e & -4096) | (la & 4095);
      if (this.hier !== null) this.memStall += this.dTime(la, phys, 4, false);
      return this.i32[phys >>> 2];
    }
    return this.rd32slow(la, false);
  }
  private rd32slow(la: number, write: boolean): number {
    if ((la & 4095) > 4092) {
      // crosses a page: both translations first, then the bytes
      const a = this.rd16x(la, write);
      return a | (this.rd16x(la + 2, write) << 16);
    }
    const user = this._cpl === 3;
    const mask = write ? this.wmask : this.rmask;
    const e = this.tlb[la >>> 12];
    const phys = (e & mask) === mask ? (e & -4096) | (la & 4095) : this.walk(la, write, user, 4);
    if (this.hier !== null) this.memStall += this.dTime(la, phys, 4, false);
    if (phys >= this.memBytes) return -1;
    const u = this.u8;
    return u[phys] | (u[phys + 1] << 8) | (u[phys + 2] << 16) | (u[phys + 3] << 24);
  }
  private rd16x(la: number, write: boolean): number {
    return write ? this.rd16w(la) : this.rd16(la);
  }
  /** Reads for a read-modify-write: the page must be writable (checked now, before the write). */
  rd8w(la: number): number {
    const e = this.tlb[la >>> 12];
    const phys = (e & this.wmask) === this.wmask ? (e & -4096) | (la & 4095) : this.walk(la, true, this._cpl === 3, 1);
    if (this.hier !== null) this.memStall += this.dTime(la, phys, 1, false);
    return phys < this.memBytes ? this.u8[phys] : 0xff;
  }
  rd16w(la: number): number {
    if ((la & 4095) === 4095) return this.rd8w(la) | (this.rd8w(la + 1) << 8);
    const e = this.tlb[la >>> 12];
    const phys = (e & this.wmask) === this.wmask ? (e & -4096) | (la & 4095) : this.walk(la, true, this._cpl === 3, 2);
    if (this.hier !== null) this.memStall += this.dTime(la, phys, 2, false);
    return phys < this.memBytes ? this.u8[phys] | (this.u8[phys + 1] << 8) : 0xffff;
  }
  rd32w(la: number): number {
    const e = this.tlb[la >>> 12];
    if ((e & this.wmask) === this.wmask && (la & 3) === 0) {
      const phys = (e & -4096) | (la & 4095);
      if (this.hier !== null) this.memStall += this.dTime(la, phys, 4, false);
      return this.i32[phys >>> 2];
    }
    return this.rd32slow(la, true);
  }

  wr8(la: number, v: number): void {
    const e = this.tlb[la >>> 12];
    const phys = (e & this.wmask) === this.wmask ? (e & -4096) | (la & 4095) : this.walk(la, true, this._cpl === 3, 1 | ACC_WRITE);
    if (this.hier !== null) this.memStall += this.dTime(la, phys, 1, true);
    if (phys >= this.memBytes) return;
    if (this.memory.codePages[phys >>> 12]) this.memory.write8(phys, v);
    else this.u8[phys] = v;
  }
  wr16(la: number, v: number): void {
    if ((la & 4095) === 4095) {
      // crossing a page: check both pages before writing either
      this.walkW(la + 1);
      this.wr8(la, v);
      this.wr8(la + 1, v >>> 8);
      return;
    }
    const e = this.tlb[la >>> 12];
    const phys = (e & this.wmask) === this.wmask ? (e & -4096) | (la & 4095) : this.walk(la, true, this._cpl === 3, 2 | ACC_WRITE);
    if (this.hier !== null) this.memStall += this.dTime(la, phys, 2, true);
    if (phys >= this.memBytes) return;
    this.memory.write16(phys, v);
  }
  wr32(la: number, v: number): void {
    const e = this.tlb[la >>> 12];
    if ((e & this.wmask) === this.wmask && (la & 3) === 0) {
      const phys = (e & -4096) | (la & 4095);
      if (this.hier !== null) this.memStall += this.dTime(la, phys, 4, true);
      if (this.memory.codePages[phys >>> 12]) this.memory.write32(phys, v);
      else this.i32[phys >>> 2] = v;
      return;
    }
    this.wr32slow(la, v);
  }
  private wr32slow(la: number, v: number): void {
    if ((la & 4095) > 4092) {
      this.walkW(la);
      this.walkW(la + 3);
      this.wr16(la, v);
      this.wr16(la + 2, v >>> 16);
      return;
    }
    const e = this.tlb[la >>> 12];
    const phys = (e & this.wmask) === this.wmask ? (e & -4096) | (la & 4095) : this.walk(la, true, this._cpl === 3, 4 | ACC_WRITE);
    if (this.hier !== null) this.memStall += this.dTime(la, phys, 4, true);
    if (phys >= this.memBytes) return;
    this.memory.write32(phys, v);
  }
  /** write-permission check of one byte's page (no access charged) */
  private walkW(la: number): void {
    const e = this.tlb[la >>> 12];
    if ((e & this.wmask) !== this.wmask) this.walk(la, true, this._cpl === 3);
  }

  // ---- the x87 engineer's entry points (through paging and timing; may raise #PF)
  readLinear8(la: number): number {
    return this.rd8(la | 0);
  }
  readLinear16(la: number): number {
    return this.rd16(la | 0);
  }
  readLinear32(la: number): number {
    return this.rd32(la | 0) >>> 0;
  }
  writeLinear8(la: number, v: number): void {
    this.wr8(la | 0, v & 0xff);
  }
  writeLinear16(la: number, v: number): void {
    this.wr16(la | 0, v & 0xffff);
  }
  writeLinear32(la: number, v: number): void {
    this.wr32(la | 0, v | 0);
  }

  /** Supervisor ("implicit") accesses to GDT/LDT/IDT/TSS: checked as CPL 0 whatever the CPL. */
  sysRead32(la: number): number {
    const saved = this._cpl;
    if (saved === 3) this.setCplInternal(0);
    try {
      return this.rd32(la | 0);
    } finally {
      if (saved === 3) this.setCplInternal(3);
    }
  }
  sysRead16(la: number): number {
    const saved = this._cpl;
    if (saved === 3) this.setCplInternal(0);
    try {
      return this.rd16(la | 0);
    } finally {
      if (saved === 3) this.setCplInternal(3);
    }
  }
  sysWrite32(la: number, v: number): void {
    const saved = this._cpl;
    if (saved === 3) this.setCplInternal(0);
    try {
      this.wr32(la | 0, v);
    } finally {
      if (saved === 3) this.setCplInternal(3);
    }
  }
  sysWrite16(la: number, v: number): void {
    const saved = this._cpl;
    if (saved === 3) this.setCplInternal(0);
    try {
      this.wr16(la | 0, v);
    } finally {
      if (saved === 3) this.setCplInternal(3);
    }
  }

  // ---- stack
  // SS.B = 0 (every real-mode and V86 stack, a 16-bit protected-mode stack): the stack
  // pointer is SP and wraps within 64 KiB; ESP's upper half is left alone.
  push32(v: number): void {
    if (this.ss16) return this.pushSp16(v, 4);
    const esp = (this.r32[4] - 4) | 0;
    this.wr32(this.linW(SegReg.SS, esp, 4), v);
    this.r32[4] = esp;
  }
  push16(v: number): void {
    if (this.ss16) return this.pushSp16(v, 2);
    const esp = (this.r32[4] - 2) | 0;
    this.wr16(this.linW(SegReg.SS, esp, 2), v);
    this.r32[4] = esp;
  }
  pop32(): number {
    if (this.ss16) return this.popSp16(4);
    const esp = this.r32[4];
    const v = this.rd32(this.linR(SegReg.SS, esp, 4));
    this.r32[4] = esp + 4;
    return v;
  }
  pop16(): number {
    if (this.ss16) return this.popSp16(2);
    const esp = this.r32[4];
    const v = this.rd16(this.linR(SegReg.SS, esp, 2));
    this.r32[4] = esp + 2;
    return v;
  }
  private pushSp16(v: number, n: number): void {
    const sp = (this.r16[8] - n) & 0xffff;
    const la = this.linW(SegReg.SS, sp, n);
    if (n === 4) this.wr32(la, v);
    else this.wr16(la, v);
    this.r16[8] = sp;
  }
  private popSp16(n: number): number {
    const sp = this.r16[8];
    const la = this.linR(SegReg.SS, sp, n);
    const v = n === 4 ? this.rd32(la) : this.rd16(la);
    this.r16[8] = sp + n;
    return v;
  }
  /** The stack pointer as an offset in SS: SP when SS.B = 0, else ESP (int32). */
  get sp(): number {
    return this.ss16 ? this.r16[8] : this.r32[4];
  }
  /** Sets the stack pointer: SP only (wrapping) when SS.B = 0, else ESP. */
  setSp(v: number): void {
    if (this.ss16) this.r16[8] = v;
    else this.r32[4] = v;
  }
  /** A stack offset computed from the stack pointer, wrapped to the stack's address size. */
  spOff(v: number): number {
    return this.ss16 ? v & 0xffff : v | 0;
  }

  // ==================================================================== lazy flags

  getCF(): number {
    if (!(this.lazy & CF)) return this.flags & CF;
    switch (this.fKind) {
      case LF_ADD:
        return this.fRes >>> 0 < this.fOp1 >>> 0 ? 1 : 0;
      case LF_ADC:
        return this.fRes >>> 0 <= this.fOp1 >>> 0 ? 1 : 0;
      case LF_SUB:
        return this.fOp1 >>> 0 < this.fOp2 >>> 0 ? 1 : 0;
      case LF_SBB:
        return this.fOp1 >>> 0 <= this.fOp2 >>> 0 ? 1 : 0;
      default:
        return 0;
    }
  }
  getOF(): number {
    if (!(this.lazy & OF)) return this.flags & OF;
    const a = this.fOp1,
      b = this.fOp2,
      r = this.fRes;
    switch (this.fKind) {
      case LF_ADD:
      case LF_ADC:
        return ((a ^ r) & (b ^ r)) >>> this.fSign & 1 ? OF : 0;
      case LF_SUB:
      case LF_SBB:
        return ((a ^ b) & (a ^ r)) >>> this.fSign & 1 ? OF : 0;
      default:
        return 0;
    }
  }
  getAF(): number {
    if (!(this.lazy & AF)) return this.flags & AF;
    return this.fKind === LF_LOGIC ? 0 : (this.fOp1 ^ this.fOp2 ^ this.fRes) & AF;
  }
  getZF(): boolean {
    return this.lazy & ZF ? this.fRes === 0 : (this.flags & ZF) !== 0;
  }
  getSF(): boolean {
    return this.lazy & SF ? ((this.fRes >>> this.fSign) & 1) !== 0 : (this.flags & SF) !== 0;
  }
  getPF(): boolean {
    return this.lazy & PF ? PARITY[this.fRes & 0xff] !== 0 : (this.flags & PF) !== 0;
  }

  /** Condition code cc (0..15, the low nibble of Jcc/SETcc). */
  cond(cc: number): boolean {
    let r: boolean;
    switch (cc >> 1) {
      case 0:
        r = this.getOF() !== 0;
        break;
      case 1:
        r = this.getCF() !== 0;
        break;
      case 2:
        r = this.getZF();
        break;
      case 3:
        r = this.getCF() !== 0 || this.getZF();
        break;
      case 4:
        r = this.getSF();
        break;
      case 5:
        r = this.getPF();
        break;
      case 6:
        r = this.getSF() !== (this.getOF() !== 0);
        break;
      default:
        r = this.getZF() || this.getSF() !== (this.getOF() !== 0);
        break;
    }
    return cc & 1 ? !r : r;
  }

  /** Materialise CF into `flags` (before an op that keeps CF, e.g. INC/DEC). */
  fixCF(): void {
    if (this.lazy & CF) {
      this.flags = (this.flags & ~CF) | this.getCF();
      this.lazy &= ~CF;
    }
  }
  /** Materialise every lazy flag into `flags`. */
  materialize(): void {
    if (this.lazy !== 0) {
      this.flags = this.getEflags();
      this.lazy = 0;
    }
  }
  setCF(on: boolean): void {
    this.materialize();
    this.flags = on ? this.flags | CF : this.flags & ~CF;
  }

  // =================================================== decode cache and execution

  private invalidateCodePage(page: number): void {
    const list = this.blocksByPage.get(page);
    if (!list) return;
    for (const b of list) {
      b.valid = false;
      const slot = b.phys & 0xffff;
      if (this.blockCache[slot] === b) this.blockCache[slot] = undefined;
    }
    this.blocksByPage.delete(page);
    this.blockBreak = true;
  }

  /** Drops every decoded block (e.g. after a kernel rewrote memory wholesale). */
  flushDecodeCache(): void {
    for (const page of this.blocksByPage.keys()) this.memory.unmarkCode(page);
    for (const list of this.blocksByPage.values()) for (const b of list) b.valid = false;
    this.blocksByPage.clear();
    this.blockCache.fill(undefined);
  }

  private lookupBlock(phys: number, lin: number): Block | null {
    const big = (this.segAr[SegReg.CS] & 0x400000) !== 0;
    const slot = phys & 0xffff;
    const b = this.blockCache[slot];
    if (b !== undefined && b.phys === phys && b.big === big) return b;
    // a slot shared with another block (same low 16 address bits, e.g. a server's and a
    // client's code): the page's blocks hold it if it was decoded before
    const page = phys >>> 12;
    let list = this.blocksByPage.get(page);
    if (list) {
      for (const known of list) {
        if (known.phys === phys && known.big === big) {
          this.blockCache[slot] = known;
          return known;
        }
      }
    }
    const nb = decodeBlock(this, phys, lin, big);
    if (nb === null) return null;
    this.blocksDecoded++;
    this.blockCache[slot] = nb;
    if (!list) {
      list = [];
      this.blocksByPage.set(page, list);
    }
    list.push(nb);
    this.memory.markCode(page);
    return nb;
  }

  /** Physical address of a code byte (translation with fetch permission, may #PF; no timing). */
  codePhys(lin: number): number {
    const e = this.tlb[lin >>> 12];
    return (e & this.rmask) === this.rmask ? ((e & -4096) | (lin & 4095)) >>> 0 : this.walk(lin, false, this._cpl === 3);
  }
  /** One code byte at a linear address (for instructions that cross a page). */
  fetchCodeByte(lin: number): number {
    const p = this.codePhys(lin);
    return p < this.memBytes ? this.u8[p] : 0xff;
  }

  /** Translates the code address CS:eip for a fetch (ITLB charged). */
  private fetchPhys(lin: number): number {
    const e = this.tlb[lin >>> 12];
    const phys = (e & this.rmask) === this.rmask ? (e & -4096) | (lin & 4095) : this.walk(lin, false, this._cpl === 3);
    const it = this.itlb;
    if (it !== null && lin >>> 12 !== this.lastItlbPage) {
      this.lastItlbPage = lin >>> 12;
      if (!it.lookup(lin, (this.tlb[lin >>> 12] & T_LARGE) !== 0)) {
        // the walk's entry reads go through the data cache
        if (this.jit !== null) this.jit.sync();
        this.counters.cycles += this.walkClocks(lin);
      }
    }
    return phys;
  }

  /**
   * Executes one basic block (or one instruction that crosses a page) at CS:EIP.
   * Guest faults propagate to the caller (the run loop), with instEip at the faulting instruction.
   * `checked` (the debug path, runDebug): before each instruction its instruction
   * breakpoints (unless RF), then RF cleared; after it, a data or I/O breakpoint hit ends
   * the block so runDebug can raise the trap. The timing calls are the same either way,
   * so breakpoints that do not fire leave the cycle count unchanged.
   */
  runBlock(checked = false): void {
    const csBase = this.segBase[SegReg.CS];
    let eip = this.eip;
    const lin = (csBase + eip) | 0;
    this.instEip = eip;
    // the code breakpoint comes before every other fault of the instruction (SDM vol. 3, priority among simultaneous exceptions)
    if (checked && this.bpExec !== 0 && !(this.flags & EFLAGS.RF)) instructionBreakpoint(this, lin);
    if (this.segChkR[SegReg.CS] && (eip >>> 0) > this.segLimit[SegReg.CS] >>> 0) this.gp(0);
    const phys = this.fetchPhys(lin);
    if (phys >= this.memBytes) this.raise(Vector.GP, 0);
    const block = this.lookupBlock(phys, lin);
    const counters = this.counters;
    const pipe = this.pipe;
    const hier = this.hier;
    if (block === null) {
      // an instruction crossing a page boundary: decoded afresh each time, not cached
      if (this.jit !== null) this.jit.sync();
      const d = decodeOne(this, lin, (this.segAr[SegReg.CS] & 0x400000) !== 0);
      if (checked) this.beginCheckedInsn();
      this.execOne(d);
      return;
    }
    const insns = block.insns;
    // single-step (EFLAGS.TF): one instruction, then the run loop raises the #DB trap
    const n = this.flags & EFLAGS.TF ? 1 : insns.length;
    const csLimit = this.segChkR[SegReg.CS] ? this.segLimit[SegReg.CS] >>> 0 : 0xffffffff;
    this.blockBreak = false;
    let start = 0;
    if (this.jit !== null && !checked && hier !== null && n === insns.length) {
      // compiled code runs the block, or its first instructions, exactly as the loop below would
      start = this.jit.run(block, eip);
      if (start >= n) return;
      eip = this.eip;
    }
    // the interpreter runs from here: the timing model's state must be the TypeScript one
    if (this.jit !== null) this.jit.sync();
    for (let i = start; i < n; i++) {
      const d = insns[i];
      const next = (eip + d.len) >>> 0;
      if (checked && i !== 0 && this.bpExec !== 0 && !(this.flags & EFLAGS.RF)) {
        this.instEip = eip;
        instructionBreakpoint(this, (csBase + eip) | 0);
      }
      if (next - 1 > csLimit) this.gp(0);
      this.instEip = eip;
      this.eip = next;
      this.memStall = 0;
      this.dataPhys = -1;
      if (checked) this.beginCheckedInsn();
      if (hier !== null) {
        // fetch before execute: a taken branch in this instruction must not hide its own line.
        // An instruction wholly in the line of the previous one in the block is a state-free hit.
        const fetchStall = d.newLine ? hier.fetch(d.phys, d.len) : 0;
        d.exec(this, d);
        // the pairing decision with the block's previous instruction was taken at decode
        counters.cycles += (pipe as Pipeline).issueAfter(d.timing, this.memStall + fetchStall, hier.codeFirstPass, this.dataPhys, d.prevTiming, d.pairsPrev);
      } else {
        d.exec(this, d);
        counters.cycles += d.timing.clocks + this.memStall;
        counters.instructions++;
      }
      if (this.eip !== next || this.blockBreak || (checked && this.dbHits !== 0)) return;
      eip = next;
    }
  }

  /** The debug path, before an instruction executes: RF cleared (after its code-breakpoint check, SDM §17.3.1.1), no hits yet. */
  private beginCheckedInsn(): void {
    this.flags &= ~EFLAGS.RF;
    this.dbHits = 0;
    this.repChunk = REP_CHUNK;
  }

  /** Executes one decoded instruction outside a block (page-crossing instructions). */
  private execOne(d: Insn): void {
    const eip = this.eip;
    const next = (eip + d.len) >>> 0;
    this.instEip = eip;
    this.eip = next;
    this.memStall = 0;
    this.dataPhys = -1;
    const hier = this.hier;
    if (hier !== null) {
      const fetchStall = hier.fetch(d.phys, d.len);
      d.exec(this, d);
      this.counters.cycles += (this.pipe as Pipeline).issue(d.timing, this.memStall + fetchStall, true, this.dataPhys);
    } else {
      d.exec(this, d);
      this.counters.cycles += d.timing.clocks + this.memStall;
      this.counters.instructions++;
    }
  }

  /** Charges a taken/not-taken branch to the branch predictor. */
  branch(taken: boolean, target: number, kind: BranchKind): void {
    const p = this.pipe;
    if (p !== null) this.counters.cycles += p.branch(this.instEip, taken, target, kind);
  }

  /** called before every port access (the Machine syncs the device clock there) */
  onIo: (() => void) | null = null;
  /** added to the cycle count by RDTSC (WRMSR to MSR 0x10 sets it) */
  tscOffset = 0;
  /** the time-stamp counter: core clocks since reset */
  tsc(): number {
    return this.counters.cycles + this.tscOffset;
  }

  /** FpuHost: raise a CPU exception for the x87 (#UD, #NM, #MF). */
  raiseException(vector: number): never {
    return this.raise(vector, -1);
  }

  /** Charges a fixed number of clocks (system instructions beyond their table clocks). */
  charge(clocks: number): void {
    this.counters.cycles += clocks;
    // the memory side's clock runs with the core (write buffers drain meanwhile)
    if (this.hier !== null) this.hier.advance(clocks);
  }

  /**
   * Runs until the cycle counter reaches `untilCycle`, the CPU halts, a stop is requested
   * or the CPU shuts down. Handles guest faults and external interrupts between blocks.
   */
  runUntil(untilCycle: number): void {
    try {
      this.runSlice(untilCycle);
    } finally {
      // whatever comes next (devices, kernels, the counters' readers) sees the TypeScript timing state
      if (this.jit !== null) this.jit.sync();
    }
  }

  private runSlice(untilCycle: number): void {
    const counters = this.counters;
    this.runLimit = untilCycle;
    this.lastItlbPage = -1; // events between slices may have charged kernel paths
    while (counters.cycles < untilCycle && !this.stopRequested && this.shutdown === null) {
      if (this.irqShadow) {
        this.irqShadow = false;
      } else if (this.flags & EFLAGS.IF && this.pic !== null && this.pic.hasInterrupt()) {
        this.halted = false;
        const vector = this.pic.acknowledge();
        this.instEip = this.eip;
        this.counters.interrupts++;
        this.deliver(vector, -1, IntKind.External);
        continue;
      }
      if (this.halted) return;
      const singleStep = (this.flags & EFLAGS.TF) !== 0;
      try {
        if (this.debugArmed) {
          // breakpoints enabled or RF set: the instruction-checked path (ops/debug-registers.ts)
          this.runDebug(singleStep);
        } else {
          this.runBlock();
          // single-step trap after the instruction (EIP = the next one), reported in DR6.BS
          if (singleStep) {
            this.dr[6] |= DR6_BS;
            this.deliver(Vector.DB, -1, IntKind.Exception);
          }
        }
      } catch (e) {
        if (e !== FAULT) throw e;
        this.eip = this.instEip;
        // a fault pushes EFLAGS with RF = 1, except an instruction breakpoint's #DB (Intel SDM vol. 3 §17.3.1.1)
        if (this.instructionBreak) this.instructionBreak = false;
        else this.flags |= EFLAGS.RF;
        this.deliver(FAULT.vector, FAULT.errorCode, IntKind.Exception);
        if (this.debugArmed) this.endDebugDelivery();
      }
    }
  }

  /**
   * The run loop's path while `debugArmed`: one block through runBlock(checked), then the
   * #DB trap of the data/I/O breakpoints it hit and of single-step, in one exception
   * (DR6 gets every cause). Faults (instruction breakpoints included) propagate.
   */
  private runDebug(singleStep: boolean): void {
    if (this.dbPendingTrap !== 0) {
      // the debug trap of a task switch, before the new task's first instruction
      this.dr[6] |= this.dbPendingTrap;
      this.dbPendingTrap = 0;
      this.deliver(Vector.DB, -1, IntKind.Exception);
      this.endDebugDelivery();
      return;
    }
    this.runBlock(true);
    const hits = this.dbHits;
    if (hits !== 0 || singleStep) {
      // (a hit inside a REP string that continues has set RF for the pushed image: ops/data.ts)
      this.dr[6] |= hits | (singleStep ? DR6_BS : 0);
      this.deliver(Vector.DB, -1, IntKind.Exception);
    }
    this.endDebugDelivery();
  }

  /** after an instruction or a delivery on the debug path: nothing pending; the path stays while breakpoints or RF need it */
  private endDebugDelivery(): void {
    this.dbHits = 0;
    this.repChunk = REP_CHUNK;
    this.debugArmed = (this.bpExec | this.bpData | this.bpIo | this.dbPendingTrap) !== 0 || (this.flags & EFLAGS.RF) !== 0;
  }

  /** Delivers an exception/interrupt, applying the double- and triple-fault rules. */
  deliver(vector: number, errorCode: number, kind: IntKind): void {
    // delivery charges clocks and memory accesses to the timing model
    if (this.jit !== null) this.jit.sync();
    let v = vector,
      code = errorCode,
      k = kind;
    this.pipe?.serialize();
    for (;;) {
      this.delivering = v;
      try {
        if (k !== IntKind.External) this.counters.traps++;
        deliverInterrupt(this, v, code, k);
        this.delivering = -1;
        return;
      } catch (e) {
        this.delivering = -1;
        if (e !== FAULT) throw e;
        const second = FAULT.vector;
        if (v === Vector.DF) {
          this.tripleFault(`triple fault: #${second} while delivering #DF`);
          return;
        }
        const contributory = (x: number) => x === 0 || (x >= 10 && x <= 13);
        if ((contributory(v) && contributory(second)) || (v === Vector.PF && (second === Vector.PF || contributory(second)))) {
          v = Vector.DF;
          code = 0;
        } else {
          v = second;
          code = FAULT.errorCode;
        }
        k = IntKind.Exception;
      }
    }
  }

  tripleFault(why: string): void {
    this.shutdown = why;
    this.halted = true;
    this.onTripleFault?.(why);
  }
}
