import type { UserRegs } from '../arch/arch';
import { FRAME_BYTES, SIGCONTEXT_OFFSET, SIGCONTEXT_BYTES, TRAMPOLINE_OFFSET, buildSignalFrame, defaultAction, exitStatus, parseSigContext, signalStatus } from './signal';

const regs: UserRegs = { eax: 1, ebx: 2, ecx: 3, edx: 4, esi: 5, edi: 6, ebp: 7, esp: 0xbffff000, eip: 0x08048100, eflags: 0x246, cs: 0x23, ss: 0x2b, ds: 0x2b, es: 0x2b, fs: 0x2b, gs: 0x2b };

describe('the i386 signal frame (Linux 2.0 setup_frame)', () => {
  const frame = 0xbffff000 - FRAME_BYTES;
  const bytes = buildSignalFrame(frame, { sig: 10, regs, oldmask: 0x1234, trapNo: 14, errorCode: 6, cr2: 0xdead0000, restorer: 0 });
  const dv = new DataView(bytes.buffer);
  const word = (i: number): number => dv.getUint32(i * 4, true);

  test('return address, signal number, then sigcontext in 2.0 order', () => {
    expect(bytes.length).toBe(256);
    expect(word(0)).toBe(frame + TRAMPOLINE_OFFSET);
    expect(word(1)).toBe(10);
    // gs fs es ds edi esi ebp esp ebx edx ecx eax trapno err eip cs eflags esp_at_signal ss fpstate oldmask cr2
    expect(Array.from({ length: 22 }, (_, i) => word(2 + i))).toEqual([
      0x2b, 0x2b, 0x2b, 0x2b, 6, 5, 7, 0xbffff000, 2, 4, 3, 1, 14, 6, 0x08048100, 0x23, 0x246, 0xbffff000, 0x2b, 0, 0x1234, 0xdead0000,
    ]);
  });

  test('the trampoline is popl %eax; movl $119,%eax; int $0x80; SA_RESTORER replaces the return address', () => {
    expect([...bytes.subarray(TRAMPOLINE_OFFSET, TRAMPOLINE_OFFSET + 8)]).toEqual([0x58, 0xb8, 119, 0, 0, 0, 0xcd, 0x80]);
    const withRestorer = buildSignalFrame(frame, { sig: 2, regs, oldmask: 0, trapNo: 0, errorCode: 0, cr2: 0, restorer: 0x08049abc });
    expect(new DataView(withRestorer.buffer).getUint32(0, true)).toBe(0x08049abc);
  });

  test('sigreturn reads back what setup_frame wrote (after the handler popped the return address and the number)', () => {
    const ctx = parseSigContext(bytes.subarray(SIGCONTEXT_OFFSET, SIGCONTEXT_OFFSET + SIGCONTEXT_BYTES));
    expect(ctx).toMatchObject({ eax: 1, ebx: 2, ecx: 3, edx: 4, esi: 5, edi: 6, ebp: 7, eip: 0x08048100, esp: 0xbffff000, eflags: 0x246, oldmask: 0x1234, cr2: 0xdead0000 });
  });
});

describe('signal defaults and wait status encoding', () => {
  test('default actions as 2.0 do_signal', () => {
    expect(defaultAction(17)).toBe('ignore'); // SIGCHLD
    expect(defaultAction(11)).toBe('core'); // SIGSEGV
    expect(defaultAction(8)).toBe('core'); // SIGFPE
    expect(defaultAction(15)).toBe('terminate');
    expect(defaultAction(9)).toBe('terminate');
    expect(defaultAction(19)).toBe('stop');
    expect(defaultAction(18)).toBe('continue');
  });
  test('status words', () => {
    expect(exitStatus(3)).toBe(0x300);
    expect(exitStatus(256 + 7)).toBe(0x700);
    expect(signalStatus(11, true)).toBe(0x8b);
    expect(signalStatus(15, false)).toBe(15);
  });
});
