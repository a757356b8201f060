// System instructions: flags with IOPL rules (CLI/STI/PUSHF/POPF), HLT, port I/O with
// the TSS I/O bitmap, descriptor-table registers, control registers, INVLPG, CPUID,
// RDTSC, MSRs, the x87 escape, and the emulator-only HOSTCALL.

import type { Cpu } from '../cpu';
import type { Insn } from '../decoder-types';
import { CR0, CR4, EFLAGS, SegReg, Vector } from '../registers';
import { ea, readMem, setReg, writeMem } from './operands';
import { loadLdtr, loadTr, realOrV86 } from '../segmentation';
import { ioAccess } from './debug-registers';

const IF = 0x200;

function iopl(c: Cpu): number {
  return (c.flags >>> 12) & 3;
}
function requireCpl0(c: Cpu): void {
  if (c.cpl !== 0) c.gp(0);
}

/**
 * CLI/STI where CPL > IOPL act on VIF instead of faulting: in virtual-8086 mode with
 * CR4.VME, at CPL 3 in protected mode with CR4.PVI (Intel vol. 3 "Virtual-8086 mode
 * extensions" / "Protected-mode virtual interrupts").
 */
function virtualIf(c: Cpu): boolean {
  return c.flags & EFLAGS.VM ? (c.cr4 & CR4.VME) !== 0 : c.cpl === 3 && (c.cr4 & CR4.PVI) !== 0;
}

export function cli(c: Cpu): void {
  if (c.cpl > iopl(c)) {
    if (!virtualIf(c)) c.gp(0);
    c.flags &= ~EFLAGS.VIF;
    return;
  }
  c.flags &= ~IF;
}
export function sti(c: Cpu): void {
  if (c.cpl > iopl(c)) {
    // a pending virtual interrupt (VIP) goes to the monitor
    if (!virtualIf(c) || c.flags & EFLAGS.VIP) c.gp(0);
    c.flags |= EFLAGS.VIF;
    return;
  }
  if (!(c.flags & IF)) c.irqShadow = true;
  c.flags |= IF;
}

/**
 * PUSHF/POPF in virtual-8086 mode with IOPL < 3: #GP(0) to the monitor, except with
 * CR4.VME and a 16-bit operand size, where the FLAGS image carries VIF in the IF position
 * (and IOPL reads as 3). Returns true when the VME form applies.
 */
function v86Virtual(c: Cpu, d: Insn): boolean {
  if (!(c.flags & EFLAGS.VM) || (c.flags & EFLAGS.IOPL) === EFLAGS.IOPL) return false;
  if (!(c.cr4 & CR4.VME) || d.size === 4) c.gp(0);
  return true;
}

export function pushf(c: Cpu, d: Insn): void {
  if (v86Virtual(c, d)) {
    const f = c.getEflags();
    c.push16((f & 0xffff & ~(IF | EFLAGS.IOPL)) | (f & EFLAGS.VIF ? IF : 0) | EFLAGS.IOPL);
    return;
  }
  // VM and RF are never pushed as set
  const f = c.getEflags() & ~0x30000;
  if (d.size === 4) c.push32(f);
  else c.push16(f);
}
export function popf(c: Cpu, d: Insn): void {
  if (v86Virtual(c, d)) {
    // VME: IF and IOPL stay; VIF takes the image's IF. TF set, or IF set with VIP pending: #GP(0)
    const old = c.getEflags();
    const sp = c.sp;
    const v = c.rd16(c.linR(SegReg.SS, sp, 2));
    if (v & EFLAGS.TF || (v & IF && old & EFLAGS.VIP)) c.gp(0);
    c.setSp(sp + 2);
    const keep = IF | EFLAGS.IOPL;
    c.setEflags((old & 0xffff0000) | (v & ~keep) | (old & keep));
    c.flags = v & IF ? c.flags | EFLAGS.VIF : c.flags & ~EFLAGS.VIF;
    return;
  }
  const old = c.getEflags();
  const v = d.size === 4 ? c.pop32() : (old & 0xffff0000) | c.pop16();
  let keep = 0x30000; // VM, RF
  if (c.cpl > 0) keep |= 0x3000;
  if (c.cpl > ((old >>> 12) & 3)) keep |= IF;
  c.setEflags((v & ~keep) | (old & keep));
}

export function hlt(c: Cpu): void {
  requireCpl0(c);
  c.halted = true;
}

// ---------------------------------------------------------------- port I/O

/**
 * CPL > IOPL, and always in virtual-8086 mode (IOPL does not apply to IN/OUT there):
 * the TSS I/O permission bitmap must allow every byte of the access (Intel vol. 3 §15.5).
 */
function checkIo(c: Cpu, port: number, size: number): void {
  if (c.cpl <= iopl(c) && !(c.flags & EFLAGS.VM)) return;
  if (c.trType === 0 || c.trLimit < 0x67) c.gp(0);
  const mapBase = c.sysRead16((c.trBase + 0x66) | 0);
  const byteOff = mapBase + (port >>> 3);
  if (byteOff + 1 > c.trLimit) c.gp(0);
  const bits = c.sysRead16((c.trBase + byteOff) | 0);
  const mask = ((1 << size) - 1) << (port & 7);
  if (bits & mask) c.gp(0);
  c.charge(IO_BITMAP_EXTRA_CLOCKS);
}
/** IN/OUT checked against the I/O bitmap: 21/26 instead of 4/9 (pentium-p54c.md). */
const IO_BITMAP_EXTRA_CLOCKS = 17;

function portIn(c: Cpu, port: number, size: number): number {
  const io = c.io;
  if (c.bpIo !== 0) ioAccess(c, port, size); // I/O breakpoints (CR4.DE, R/W = 10)
  if (c.onIo !== null) c.onIo();
  if (io === null) return size === 4 ? -1 : size === 2 ? 0xffff : 0xff;
  return size === 4 ? io.in32(port) : size === 2 ? io.in16(port) : io.in8(port);
}
function portOut(c: Cpu, port: number, size: number, v: number): void {
  const io = c.io;
  if (c.bpIo !== 0) ioAccess(c, port, size);
  if (c.onIo !== null) c.onIo();
  if (io === null) return;
  if (size === 4) io.out32(port, v >>> 0);
  else if (size === 2) io.out16(port, v & 0xffff);
  else io.out8(port, v & 0xff);
}

/** IN AL/eAX, imm8 (E4/E5: d.op = 0) or DX (EC/ED: d.op = 1) */
export function inAcc(c: Cpu, d: Insn): void {
  const port = d.op === 1 ? c.r16[4] : d.imm & 0xff;
  checkIo(c, port, d.size);
  setReg(c, 0, d.size, portIn(c, port, d.size) & (d.size === 4 ? -1 : d.size === 2 ? 0xffff : 0xff));
}
export function outAcc(c: Cpu, d: Insn): void {
  const port = d.op === 1 ? c.r16[4] : d.imm & 0xff;
  checkIo(c, port, d.size);
  const v = d.size === 4 ? c.r32[0] : d.size === 2 ? c.r16[0] : c.r8[0];
  portOut(c, port, d.size, v);
}
/** INS (6C/6D) and OUTS (6E/6F), with REP */
export function insOuts(c: Cpu, d: Insn): void {
  const port = c.r16[4];
  const size = d.size;
  checkIo(c, port, size);
  const delta = c.flags & 0x400 ? -size : size;
  let n = d.rep ? c.r32[1] >>> 0 : 1;
  while (n !== 0) {
    if (d.op === 0) {
      const v = portIn(c, port, size);
      writeMem(c, SegReg.ES, c.r32[7], size, v);
      c.r32[7] = c.r32[7] + delta;
    } else {
      portOut(c, port, size, readMem(c, d.seg, c.r32[6], size));
      c.r32[6] = c.r32[6] + delta;
    }
    n = (n - 1) >>> 0;
    if (d.rep) c.r32[1] = n;
    // a breakpoint hit ends a REP string after this iteration (debug-registers.ts)
    if (c.repChunk === 0 && n !== 0) {
      c.eip = c.instEip;
      c.setResumeFlag(); // RF = 1 in the trap's image, as after any unfinished string iteration (data.ts)
      return;
    }
  }
}

// ------------------------------------------------------ descriptor tables

export function lgdtLidt(c: Cpu, d: Insn): void {
  if (d.mod3) c.ud();
  requireCpl0(c);
  const off = ea(c, d);
  const limit = readMem(c, d.seg, off, 2);
  let base = readMem(c, d.seg, (off + 2) & d.amask, 4);
  if (d.size === 2) base &= 0xffffff;
  if (d.op === 2) c.setGdtr(base, limit);
  else c.setIdtr(base, limit);
}
export function sgdtSidt(c: Cpu, d: Insn): void {
  if (d.mod3) c.ud();
  const off = ea(c, d);
  const isG = d.op === 0;
  writeMem(c, d.seg, off, 2, isG ? c.gdtLimit : c.idtLimit);
  writeMem(c, d.seg, (off + 2) & d.amask, 4, isG ? c.gdtBase : c.idtBase);
}
export function lldt(c: Cpu, d: Insn): void {
  if (realOrV86(c)) c.ud(); // not recognised in real and V86 mode (Intel, LLDT/LTR/SLDT/STR)
  requireCpl0(c);
  const sel = d.mod3 ? c.r16[d.rm << 1] : readMem(c, d.seg, ea(c, d), 2);
  loadLdtr(c, sel);
}
export function ltr(c: Cpu, d: Insn): void {
  if (realOrV86(c)) c.ud(); // not recognised in real and V86 mode (Intel, LLDT/LTR/SLDT/STR)
  requireCpl0(c);
  const sel = d.mod3 ? c.r16[d.rm << 1] : readMem(c, d.seg, ea(c, d), 2);
  loadTr(c, sel);
}
/** SLDT (op 0) / STR (op 1) */
export function sldtStr(c: Cpu, d: Insn): void {
  if (realOrV86(c)) c.ud(); // not recognised in real and V86 mode (Intel, LLDT/LTR/SLDT/STR)
  const v = d.op === 0 ? c.ldtSel : c.trSel;
  if (d.mod3) setReg(c, d.rm, d.size, v);
  else writeMem(c, d.seg, ea(c, d), 2, v);
}
export function smsw(c: Cpu, d: Insn): void {
  const v = c.cr0 & 0xffff;
  if (d.mod3) setReg(c, d.rm, d.size, v);
  else writeMem(c, d.seg, ea(c, d), 2, v);
}
export function lmsw(c: Cpu, d: Insn): void {
  requireCpl0(c);
  const v = d.mod3 ? c.r16[d.rm << 1] : readMem(c, d.seg, ea(c, d), 2);
  // LMSW sets PE, MP, EM, TS; it cannot clear PE (it can set it: real mode → protected mode)
  c.setCr0((c.cr0 & ~0xe) | (v & 0xf));
}
export function invlpg(c: Cpu, d: Insn): void {
  if (d.mod3) c.ud();
  requireCpl0(c);
  c.invlpg((c.segBase[d.seg] + ea(c, d)) | 0);
}
export function clts(c: Cpu): void {
  requireCpl0(c);
  c.setCr0(c.cr0 & ~CR0.TS);
}
/** INVD (op 0) / WBINVD (op 1): empty the caches (timing only; memory is always coherent here) */
export function invd(c: Cpu, d: Insn): void {
  requireCpl0(c);
  c.hier?.flushAll(d.op === 1);
}

// Clocks of MOV CRn, r32 (pentium-p54c.md, Intel's table): CR0 16 [IPM], CR3 22, CR4 14 [IPM], CR2 12 [IPM].
const CR_WRITE_CLOCKS = [16, 0, 12, 22, 14];

/** MOV r32, CRn (0F 20) */
export function movRCr(c: Cpu, d: Insn): void {
  requireCpl0(c);
  let v: number;
  switch (d.reg) {
    case 0:
      v = c.cr0;
      break;
    case 2:
      v = c.cr2;
      break;
    case 3:
      v = c.cr3;
      break;
    case 4:
      v = c.cr4;
      break;
    default:
      return c.ud();
  }
  c.r32[d.rm] = v;
}
/** MOV CRn, r32 (0F 22) */
export function movCrR(c: Cpu, d: Insn): void {
  requireCpl0(c);
  const v = c.r32[d.rm];
  switch (d.reg) {
    case 0:
      if (v & CR0.PG && !(v & CR0.PE)) c.gp(0);
      c.setCr0(v); // PE = 0: real-address mode
      break;
    case 2:
      c.cr2 = v >>> 0;
      break;
    case 3:
      c.writeCr3(v);
      break;
    case 4:
      if (v & ~0x5f) c.gp(0);
      c.setCr4(v);
      break;
    default:
      c.ud();
  }
  c.charge(CR_WRITE_CLOCKS[d.reg]);
}

// ----------------------------------------------------------- identification

/** CPUID of a P54C: family 5, model 2, stepping 12 (a common P133 stepping); features FPU VME PSE TSC MSR CX8. */
export const CPUID_SIGNATURE = 0x0000052c;
export const CPUID_FEATURES = (1 << 0) | (1 << 1) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 8);

export function cpuid(c: Cpu): void {
  const r = c.r32;
  const leaf = r[0] >>> 0;
  if (leaf === 0) {
    r[0] = 1;
    r[3] = 0x756e6547; // "Genu"
    r[2] = 0x49656e69; // "ineI"
    r[1] = 0x6c65746e; // "ntel"
  } else {
    r[0] = CPUID_SIGNATURE;
    r[3] = 0;
    r[1] = 0;
    r[2] = CPUID_FEATURES;
  }
}

export function rdtsc(c: Cpu): void {
  if (c.cr4 & CR4.TSD && c.cpl !== 0) c.gp(0);
  const t = c.tsc();
  c.r32[0] = t % 4294967296;
  c.r32[2] = Math.floor(t / 4294967296);
}

/** RDPMC (0F 33): the emulator's phase counters (clock/phases.ts); #GP(0) for any other counter. */
export function rdpmc(c: Cpu): void {
  const v = c.readPmc === null ? -1 : c.readPmc(c.r32[1] >>> 0);
  if (v < 0) c.gp(0);
  c.r32[0] = v % 4294967296;
  c.r32[2] = Math.floor(v / 4294967296);
}

/** RDMSR/WRMSR (minimal): MSR 0x10 is the TSC; others are stored and read back. */
export function rdmsr(c: Cpu): void {
  requireCpl0(c);
  const idx = c.r32[1] >>> 0;
  if (idx === 0x10) {
    const t = c.tsc();
    c.r32[0] = t % 4294967296;
    c.r32[2] = Math.floor(t / 4294967296);
    return;
  }
  const v = c.msrs.get(idx);
  c.r32[0] = v ? v[0] : 0;
  c.r32[2] = v ? v[1] : 0;
}
export function wrmsr(c: Cpu): void {
  requireCpl0(c);
  const idx = c.r32[1] >>> 0;
  if (idx === 0x10) {
    c.tscOffset = (c.r32[2] >>> 0) * 4294967296 + (c.r32[0] >>> 0) - c.counters.cycles;
    return;
  }
  c.msrs.set(idx, [c.r32[0], c.r32[2]]);
}

// ---------------------------------------------------------------- x87

/** WAIT/FWAIT: #NM when CR0.TS and CR0.MP */
export function fwait(c: Cpu): void {
  if ((c.cr0 & (CR0.TS | CR0.MP)) === (CR0.TS | CR0.MP)) c.raise(Vector.NM, -1);
}

/** D8..DF: the x87 escape. #NM when CR0.EM or CR0.TS (Intel vol. 3 §23.3). */
export function fpuEscape(c: Cpu, d: Insn): void {
  const cr0 = c.cr0;
  if (cr0 & (CR0.EM | CR0.TS)) c.raise(Vector.NM, -1);
  const fpu = c.fpu;
  if (fpu === null) return c.ud();
  let la = -1;
  if (!d.mod3) la = c.linR(d.seg, ea(c, d), 1);
  fpu.setInstructionPointer(c.segSel[SegReg.CS], c.instEip, c.segSel[d.seg]);
  fpu.execute(c, d.opcode, d.modrm, la);
}

// ------------------------------------------------------------ HOSTCALL

/** 0F 3F iw: calls the TypeScript handler registered under imm16 (contracts.md). Costs 0 cycles. */
export function hostcall(c: Cpu, d: Insn): void {
  const e = c.hostcalls.get(d.imm & 0xffff);
  if (e === undefined) return c.ud();
  if (c.cpl === 3 && !e.fromUser) return c.ud();
  c.pipe?.serialize();
  e.handler(c);
  // the handler may have charged kernel paths through the code TLB
  c.forgetItlbPage();
}

export function ud(c: Cpu): void {
  c.ud();
}
