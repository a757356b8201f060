// Timing rows for the timing model's tests, written as the decoder would fill them
// for the named instructions (clocks from Intel's Pentium instruction timings).
import { BranchKind, PairClass, REG_BIT, type TimingInfo } from './timing-info';

export const EAX = REG_BIT(0);
export const ECX = REG_BIT(1);
export const EDX = REG_BIT(2);
export const EBX = REG_BIT(3);
export const ESI = REG_BIT(6);
export const EDI = REG_BIT(7);

export function row(fields: Partial<TimingInfo>): TimingInfo {
  return {
    pair: PairClass.UV,
    clocks: 1,
    regsRead: 0,
    regsWritten: 0,
    addrRegs: 0,
    readsFlags: false,
    writesFlags: false,
    dispAndImm: false,
    prefixes: 0,
    memRead: false,
    memWrite: false,
    branch: BranchKind.None,
    length: 2,
    ...fields,
  };
}

/** MOV r32, imm32 */
export const movImm = (dst: number): TimingInfo => row({ regsWritten: dst, length: 5 });
/** MOV r32, r32 */
export const movReg = (dst: number, src: number): TimingInfo => row({ regsRead: src, regsWritten: dst });
/** MOV r32, [base] */
export const load = (dst: number, base: number): TimingInfo => row({ regsWritten: dst, addrRegs: base, regsRead: base, memRead: true });
/** ADD r32, imm8 */
export const addImm = (dst: number): TimingInfo => row({ regsRead: dst, regsWritten: dst, writesFlags: true, length: 3 });
/** CMP r32, r32 */
export const cmpReg = (a: number, b: number): TimingInfo => row({ regsRead: a | b, writesFlags: true });
/** MOVZX r32, r8: 3 clocks, not pairable */
export const movzx = (dst: number, src: number): TimingInfo => row({ pair: PairClass.NP, clocks: 3, regsRead: src, regsWritten: dst, length: 3 });
/** ADC r32, r32: pairable in U only */
export const adcReg = (dst: number, src: number): TimingInfo =>
  row({ pair: PairClass.PU, regsRead: dst | src, regsWritten: dst, readsFlags: true, writesFlags: true });
/** ADD [base], r32: read-modify-write, 3 clocks */
export const addMemReg = (base: number, src: number): TimingInfo =>
  row({ clocks: 3, regsRead: base | src, addrRegs: base, writesFlags: true, memRead: true, memWrite: true });
/** MOV dword [base+disp8], imm32 */
export const movMemImm = (base: number): TimingInfo => row({ regsRead: base, addrRegs: base, dispAndImm: true, memWrite: true, length: 7 });
/** Jcc rel8 */
export const jcc = (): TimingInfo => row({ pair: PairClass.PV, readsFlags: true, branch: BranchKind.Jcc });
/** JMP rel8 */
export const jmp = (): TimingInfo => row({ pair: PairClass.PV, branch: BranchKind.Jmp });
/** MOV r16, imm16 (66 prefix) */
export const movImm16 = (dst: number): TimingInfo => row({ regsWritten: dst, prefixes: 1, length: 4 });
/** FADD ST, ST(i): 3 clocks, FX class */
export const fadd = (): TimingInfo => row({ pair: PairClass.FX, clocks: 3 });
/** FXCH ST(i) */
export const fxch = (): TimingInfo => row({ pair: PairClass.FXCH, clocks: 1 });
