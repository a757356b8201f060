import { assembleEmuLib, EMU_BASE, EMU_DATA, SYSCALL_TAG } from './emulib';
import { PHASE, phaseMarkBytes } from '@mklab/pentium';

const u32 = (b: number[], at: number): number => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;

describe('the emulation library', () => {
  const lib = assembleEmuLib(0x0400);
  const off = (a: number): number => a - EMU_BASE;

  test('fits its code page and lays out tramp → entry → restore → signal → handler', () => {
    expect(lib.bytes.length).toBeLessThan(EMU_DATA - EMU_BASE);
    expect(lib.tramp).toBe(EMU_BASE);
    expect(lib.entry).toBe(EMU_BASE + 6); // push dword [EMU_DATA] falls into the entry
    expect(lib.restore).toBeGreaterThan(lib.entry);
    expect(lib.signal).toBeGreaterThan(lib.restore);
    expect(lib.handler).toBeGreaterThan(lib.signal);
  });

  test('the trampoline pushes the saved return address and the entry calls the server with the tag', () => {
    const b = lib.bytes;
    expect(b.slice(0, 2)).toEqual([0xff, 0x35]);
    expect(u32(b, 2)).toBe(EMU_DATA);
    const e = off(lib.entry);
    // the phase mark (emu_enter, contracts.md "Phase accounting"), then the frame's pushes
    expect(b.slice(e, e + 12)).toEqual([...phaseMarkBytes(PHASE.EMU_ENTER), 0x9c, 0x55, 0x57, 0x56, 0x52, 0x51, 0x53, 0x50]);
    const movEsi = b.indexOf(0xbe, e);
    expect(u32(b, movEsi + 1)).toBe(0x0400);
    expect(u32(b, movEsi + 6)).toBe(SYSCALL_TAG);
  });

  test('the restore path pops the frame in push order and returns', () => {
    const r = off(lib.restore);
    expect(lib.bytes.slice(r, r + 13)).toEqual([0x58, 0x5b, 0x59, 0x5a, 0x5e, 0x5f, 0x5d, 0x9d, ...phaseMarkBytes(PHASE.USER), 0xc3]);
  });

  test('every rel8 jump lands on an instruction the assembler labelled (the jz skips exactly the slow path)', () => {
    const b = lib.bytes;
    const jz = b.indexOf(0x74, off(lib.entry));
    const target = jz + 2 + ((b[jz + 1] << 24) >> 24);
    expect(b.slice(target, target + 3)).toEqual([0x89, 0x14, 0x24]); // mov [esp], edx
    const jmp = jz + 4;
    expect(b[jmp]).toBe(0xeb);
    expect(jmp + 2 + ((b[jmp + 1] << 24) >> 24)).toBe(off(lib.restore));
  });
});
