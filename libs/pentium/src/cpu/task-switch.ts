// Hardware task switch (Intel, "Pentium Processor Family Developer's Manual", vol. 3,
// ch. 13): JMP/CALL to a TSS or task gate, interrupts through task gates, IRET with NT.
// A task whose saved EFLAGS has VM set runs in virtual-8086 mode.
// The whole new state is read before anything is changed, so a fault while reading
// the new TSS leaves the old task intact.

import type { Cpu } from './cpu';
import { TSS32 } from './descriptors';
import { CR0, EFLAGS, SegReg, Vector } from './registers';
import { taskSwitchDebug } from './ops/debug-registers';
import { desc, descBase, descLimit, loadLdtr, loadSegmentChecked, readDescriptor } from './segmentation';

/** "hardware task switch (JMP to a TSS): about 85 clocks" (pentium-p54c.md, Intel's table: 85 for a 32-bit TSS). */
export const TASK_SWITCH_CLOCKS = 85;

const regs = new Int32Array(8);
const sels = new Uint16Array(6);

export function switchTask(c: Cpu, sel: number, how: 'jmp' | 'call' | 'iret' | 'int', ext = 0): void {
  const errVec = how === 'iret' ? Vector.TS : Vector.GP;
  if (sel & 4 || (sel & 0xfffc) === 0) c.raise(errVec, (sel & 0xfffc) | ext);
  readDescriptor(c, sel, errVec, ext);
  const descAddr = desc.addr;
  const lo = desc.lo,
    hi = desc.hi;
  const type = (hi >>> 8) & 0x1f;
  if (how === 'iret' ? type !== 0x0b : type !== 0x09) c.raise(errVec, (sel & 0xfffc) | ext);
  if (!(hi & 0x8000)) c.raise(Vector.NP, (sel & 0xfffc) | ext);
  const base = descBase(lo, hi);
  const limit = descLimit(lo, hi);
  if (limit >>> 0 < TSS32.SIZE - 1) c.raise(Vector.TS, (sel & 0xfffc) | ext);

  // read the new task's state
  const r = (off: number) => c.sysRead32((base + off) | 0);
  const newCr3 = r(TSS32.CR3);
  const newEip = r(TSS32.EIP);
  let newEflags = r(TSS32.EFLAGS);
  for (let i = 0; i < 8; i++) regs[i] = r(TSS32.EAX + i * 4);
  for (let i = 0; i < 6; i++) sels[i] = r(TSS32.ES + i * 4) & 0xffff;
  const newLdt = r(TSS32.LDT) & 0xffff;
  // the debug trap bit (T): read with the rest of the TSS, its clocks are part of the 85 (no separate access charged)
  const tPhys = c.translate((base + TSS32.TRAP) | 0);
  const debugTrap = tPhys >= 0 && tPhys < c.memory.size && (c.memory.read8(tPhys) & 1) !== 0;

  // save the old task's state (in its TSS) — the current TSS must be writable
  const oldBase = c.trBase;
  const oldSel = c.trSel;
  if (c.trType !== 0) {
    let ef = c.getEflags();
    if (how === 'iret') ef &= ~0x4000;
    const w = (off: number, v: number) => c.sysWrite32((oldBase + off) | 0, v);
    w(TSS32.EIP, c.eip);
    w(TSS32.EFLAGS, ef);
    for (let i = 0; i < 8; i++) w(TSS32.EAX + i * 4, c.r32[i]);
    for (let i = 0; i < 6; i++) w(TSS32.ES + i * 4, c.segSel[i]);
    if (how === 'jmp' || how === 'iret') {
      // clear the old TSS's busy bit
      readDescriptor(c, oldSel);
      c.sysWrite32((desc.addr + 4) | 0, desc.hi & ~0x200);
    }
  }
  if (how === 'call' || how === 'int') {
    c.sysWrite32((base + TSS32.LINK) | 0, oldSel);
    newEflags |= 0x4000;
  }
  if (how !== 'iret') c.sysWrite32((descAddr + 4) | 0, hi | 0x200);

  // load the new task
  c.trSel = sel;
  c.trBase = base;
  c.trLimit = limit;
  c.trType = 0xb;
  if (c.cr0 & CR0.PG) c.writeCr3(newCr3); // its clocks are part of the 85
  c.setCr0(c.cr0 | CR0.TS);
  // EFLAGS.VM of the new task selects how its segment registers load (V86: selector << 4, CPL 3)
  c.setEflagsWithVm(newEflags);
  if (newEflags & EFLAGS.RF) c.setResumeFlag(); // a task switch loads RF from the TSS (Intel SDM vol. 3 §17.3.1.1)
  taskSwitchDebug(c, debugTrap); // DR7.L0–L3 cleared; T: a #DB trap before the new task's first instruction
  for (let i = 0; i < 8; i++) c.r32[i] = regs[i];
  c.eip = newEip >>> 0;
  loadLdtr(c, newLdt, Vector.TS);
  // CS first: its RPL becomes the CPL the other checks use
  loadSegmentChecked(c, SegReg.CS, sels[SegReg.CS], Vector.TS);
  loadSegmentChecked(c, SegReg.SS, sels[SegReg.SS], Vector.TS);
  for (const s of [SegReg.ES, SegReg.DS, SegReg.FS, SegReg.GS]) loadSegmentChecked(c, s, sels[s], Vector.TS);
  c.charge(TASK_SWITCH_CLOCKS);
}
