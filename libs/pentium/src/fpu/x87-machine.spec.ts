// The x87 behind the real CPU: decoding, effective addresses, FNSTSW AX + SAHF flags and
// the FPREM loop as libm writes it, run on the flat test machine.
import { flatMachine, loadCode, runToStop, STOP } from '../cpu/test-support';

const DATA = 0x30000;
const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
/** an instruction with a [disp32] memory operand: opcode, ModRM (mod 00, rm 101), disp32 */
const mem = (opcode: number, reg: number, addr: number): number[] => [opcode, (reg << 3) | 5, ...le32(addr)];

describe('x87 through the CPU', () => {
  it('runs the libm fmod loop: fprem; fnstsw ax; sahf; jp', () => {
    const m = flatMachine();
    const X = DATA;
    const Y = DATA + 8;
    const R = DATA + 16;
    const CW = DATA + 24;
    m.memory.writeBytes(CW, [0x7f, 0x02]); // PC = 53 bits, as the guest libc sets it
    const dv = new DataView(new ArrayBuffer(16));
    dv.setFloat64(0, 1e300, true);
    dv.setFloat64(8, 0.1, true);
    m.memory.writeBytes(X, Array.from(new Uint8Array(dv.buffer)));
    const code = [
      0xdb, 0xe3, // fninit
      ...mem(0xd9, 5, CW), // fldcw [CW]
      ...mem(0xdd, 0, Y), // fld qword [Y]
      ...mem(0xdd, 0, X), // fld qword [X]
      0xd9, 0xf8, // L: fprem
      0xdf, 0xe0, // fnstsw ax
      0x9e, // sahf (C2 → PF)
      0x7a, 0xf9, // jp L
      ...mem(0xdd, 3, R), // fstp qword [R]
      0xdd, 0xd8, // fstp st(0)
      ...STOP,
    ];
    loadCode(m, code);
    runToStop(m);
    const out = new DataView(m.memory.readBytes(R, 8).buffer.slice(0) as ArrayBuffer);
    expect(out.getFloat64(0, true)).toBe(1e300 % 0.1);
    expect(m.cpu.fpu!.top).toBe(0);
    expect(m.cpu.fpu!.isEmpty(0)).toBe(true);
  });

  it('compares with fcomp; fnstsw ax; sahf and branches like gcc code, and moves 64-bit integers exactly', () => {
    const m = flatMachine();
    const A = DATA;
    const B = DATA + 8;
    const Q = DATA + 16;
    m.memory.writeBytes(A, [0x01, 0, 0, 0, 0, 0, 0, 0x10]); // 2^60 + 1 as an int64
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, 2 ** 60, true);
    m.memory.writeBytes(B, Array.from(new Uint8Array(dv.buffer)));
    const code = [
      0xdb, 0xe3, // fninit
      ...mem(0xdf, 5, A), // fild qword [A]
      ...mem(0xdc, 3, B), // fcomp qword [B]  (2^60 + 1 > 2^60)
      0xdf, 0xe0, // fnstsw ax
      0x9e, // sahf: C0 → CF, C3 → ZF
      0xb8, ...le32(0), // mov eax, 0 (flags kept)
      0x76, 0x05, // jbe +5 (not taken when above)
      0xb8, ...le32(1), // mov eax, 1
      ...mem(0xdf, 5, A), // fild qword [A]
      ...mem(0xdf, 7, Q), // fistp qword [Q]
      ...STOP,
    ];
    loadCode(m, code);
    runToStop(m);
    expect(m.cpu.getReg(0)).toBe(1);
    expect(Array.from(m.memory.readBytes(Q, 8))).toEqual([0x01, 0, 0, 0, 0, 0, 0, 0x10]);
  });
});
