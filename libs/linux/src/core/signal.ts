// Signals as Linux 2.0 on i386 defines them (include/asm-i386/signal.h,
// arch/i386/kernel/signal.c, kernel/signal.c, kernel/exit.c).

import type { UserRegs } from '../arch/arch';

export const SIGHUP = 1;
export const SIGINT = 2;
export const SIGQUIT = 3;
export const SIGILL = 4;
export const SIGTRAP = 5;
export const SIGABRT = 6;
export const SIGBUS = 7;
export const SIGFPE = 8;
export const SIGKILL = 9;
export const SIGUSR1 = 10;
export const SIGSEGV = 11;
export const SIGUSR2 = 12;
export const SIGPIPE = 13;
export const SIGALRM = 14;
export const SIGTERM = 15;
export const SIGSTKFLT = 16;
export const SIGCHLD = 17;
export const SIGCONT = 18;
export const SIGSTOP = 19;
export const SIGTSTP = 20;
export const SIGTTIN = 21;
export const SIGTTOU = 22;
export const SIGURG = 23;
export const SIGWINCH = 28;
export const SIGPWR = 30;

export const SIG_DFL = 0;
export const SIG_IGN = 1;

export const SA_NOCLDSTOP = 0x00000001;
export const SA_RESTORER = 0x04000000;
export const SA_SHIRQ = 0x04000000;
export const SA_STACK = 0x08000000;
export const SA_RESTART = 0x10000000;
export const SA_INTERRUPT = 0x20000000;
export const SA_NOMASK = 0x40000000;
export const SA_ONESHOT = 0x80000000;

export const SIG_BLOCK = 0;
export const SIG_UNBLOCK = 1;
export const SIG_SETMASK = 2;

export const sigmask = (sig: number): number => (1 << (sig - 1)) >>> 0;
/** SIGKILL and SIGSTOP can be neither blocked nor caught (_BLOCKABLE). */
export const BLOCKABLE = ~(sigmask(SIGKILL) | sigmask(SIGSTOP)) >>> 0;

/** struct sigaction of i386 Linux 2.0: handler, mask, flags, restorer (16 bytes). */
export interface SigAction {
  handler: number;
  mask: number;
  flags: number;
  restorer: number;
}

export const emptyAction = (): SigAction => ({ handler: SIG_DFL, mask: 0, flags: 0, restorer: 0 });

export type DefaultAction = 'ignore' | 'terminate' | 'core' | 'stop' | 'continue';

/** do_signal's default actions (arch/i386/kernel/signal.c, 2.0). */
export function defaultAction(sig: number): DefaultAction {
  switch (sig) {
    case SIGCONT:
      return 'continue';
    case SIGCHLD:
    case SIGWINCH:
    case SIGURG:
    case SIGPWR:
      return 'ignore';
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
      return 'stop';
    case SIGQUIT:
    case SIGILL:
    case SIGTRAP:
    case SIGABRT:
    case SIGFPE:
    case SIGSEGV:
      return 'core';
    default:
      return 'terminate';
  }
}

/** Wait status word (include/linux/wait.h conventions): exit code in bits 8..15, signal in 0..6, core flag 0x80. */
export const exitStatus = (code: number): number => (code & 0xff) << 8;
export const signalStatus = (sig: number, core: boolean): number => (sig & 0x7f) | (core ? 0x80 : 0);
export const stoppedStatus = (sig: number): number => 0x7f | ((sig & 0xff) << 8);

export const NR_SIGRETURN = 119;

/**
 * The signal frame of Linux 2.0's setup_frame (64 words below the interrupted
 * user stack pointer):
 *   word 0      return address for the handler (the trampoline at word 24, or sa_restorer
 *               with SA_RESTORER as later kernels and libcs use it)
 *   word 1      signal number (the handler's argument)
 *   words 2–23  struct sigcontext: gs fs es ds edi esi ebp esp ebx edx ecx eax trapno err
 *               eip cs eflags esp_at_signal ss fpstate oldmask cr2
 *   words 24–25 trampoline: popl %eax; movl $119,%eax; int $0x80
 *   words 32–63 room for the FPU state (fpstate = 0: not saved)
 */
export const FRAME_WORDS = 64;
export const FRAME_BYTES = FRAME_WORDS * 4;
export const SIGCONTEXT_OFFSET = 8;
export const SIGCONTEXT_BYTES = 22 * 4;
export const TRAMPOLINE_OFFSET = 24 * 4;

export interface FrameInput {
  sig: number;
  regs: UserRegs;
  oldmask: number;
  trapNo: number;
  errorCode: number;
  cr2: number;
  /** sa_restorer when SA_RESTORER is set, else 0 (use the trampoline on the stack) */
  restorer: number;
}

/** Builds the frame's bytes for a frame placed at user address `frame`. */
export function buildSignalFrame(frame: number, f: FrameInput): Uint8Array {
  const bytes = new Uint8Array(FRAME_BYTES);
  const dv = new DataView(bytes.buffer);
  const w = (i: number, v: number): void => dv.setUint32(i * 4, v >>> 0, true);
  const r = f.regs;
  w(0, f.restorer !== 0 ? f.restorer : frame + TRAMPOLINE_OFFSET);
  w(1, f.sig);
  const ctx = [r.gs, r.fs, r.es, r.ds, r.edi, r.esi, r.ebp, r.esp, r.ebx, r.edx, r.ecx, r.eax, f.trapNo, f.errorCode, r.eip, r.cs, r.eflags, r.esp, r.ss, 0, f.oldmask, f.cr2];
  ctx.forEach((v, i) => w(2 + i, v));
  // popl %eax (58); movl $119,%eax (b8 77 00 00 00); int $0x80 (cd 80)
  bytes.set([0x58, 0xb8, NR_SIGRETURN & 0xff, (NR_SIGRETURN >> 8) & 0xff, 0, 0, 0xcd, 0x80], TRAMPOLINE_OFFSET);
  return bytes;
}

export interface SigContext {
  gs: number;
  fs: number;
  es: number;
  ds: number;
  edi: number;
  esi: number;
  ebp: number;
  esp: number;
  ebx: number;
  edx: number;
  ecx: number;
  eax: number;
  trapno: number;
  err: number;
  eip: number;
  cs: number;
  eflags: number;
  espAtSignal: number;
  ss: number;
  fpstate: number;
  oldmask: number;
  cr2: number;
}

export function parseSigContext(bytes: Uint8Array): SigContext {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const g = (i: number): number => dv.getUint32(i * 4, true);
  return {
    gs: g(0), fs: g(1), es: g(2), ds: g(3), edi: g(4), esi: g(5), ebp: g(6), esp: g(7), ebx: g(8), edx: g(9),
    ecx: g(10), eax: g(11), trapno: g(12), err: g(13), eip: g(14), cs: g(15), eflags: g(16), espAtSignal: g(17),
    ss: g(18), fpstate: g(19), oldmask: g(20), cr2: g(21),
  };
}

/** EFLAGS bits sigreturn takes from the saved context (2.0: 0x40DD5 = AC OF DF TF SF ZF AF PF CF). */
export const SIGRETURN_EFLAGS_MASK = 0x40dd5;
