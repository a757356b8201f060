// The L4Linux emulation library: real x86 code mapped into every Linux process (the
// server maps its code page read-only at EMU_BASE, and a private data page at
// EMU_DATA, when the process first touches them). It is the process side of the
// system-call protocol, shared by both paths:
//
//   trampoline  an unmodified `int $0x80` raises #GP (error 0x402). L4 reflects it into
//               the faulting thread itself through the task's user-level IDT (L4/x86's
//               LIDT emulation, libs/l4 faults.ts; the server loads the table, IDT below,
//               for every process task): the thread continues at EMU_TRAP13 with EFLAGS,
//               CS, EIP and the error code on its stack, as the hardware would push them
//               at the same privilege level. EMU_TRAP13 turns that frame into the entry's
//               (return address EIP + 2, EFLAGS) and falls into EMU_ENTRY — the process
//               continues in its emulation library, in user mode, as in L4Linux
//               (kernels.md: "reflected to an emulation library inside the process,
//               which then makes the same IPC"). A #GP with another error code is a real
//               one: EMU_TRAP13 saves the registers as a frame (return address = the
//               faulting EIP) and sends it to the server with TRAP13_TAG (w0 = error code);
//               the server turns it into a signal, as for any other exception.
//               (Before the code page is mapped — the first system call — the kernel
//               cannot read the table and sends the exception by IPC to the handler
//               thread, lthread 1, which redirects the main thread with lthread_ex_regs
//               to EMU_TRAMP: the same entry, by the slower way.)
//   ipc         a libc built with the L4 IPC backend calls EMU_ENTRY itself (or inlines
//               the same sequence): no exception, no reflection.
//
// EMU_ENTRY saves the caller's registers as a frame on the user stack and calls the
// server by L4 IPC (send + closed receive from the server):
//
//   frame (ESP after the pushes, 36 bytes): eax ebx ecx edx esi edi ebp eflags ret
//   request  w0 = EDX = system-call number, w1 = EBX = frame address, w2 = EDI = SYSCALL_TAG
//   reply    w0 = EDX = the result (new EAX), w1 = EBX = 0: only EAX changes
//                                             w1 = EBX ≠ 0: the server wrote a whole new
//                                             frame there (exec, signal delivery, sigreturn):
//                                             ESP := EBX before the pops
//
// The server reads the frame by walking the process's Linux page table in software
// (copy_from_user through its 1:1 physical mapping), exactly as it reads any other
// user buffer. EMU_RESTORE (the pops + RET) is also where a forked child starts.
//
// Other exceptions (a real #GP, #UD, divide error, …) reach the handler thread too; it
// forwards them to the server by IPC (w0 vector, w1 error code, w2 EIP) and applies the
// server's answer (new EIP and ESP, 0xFFFFFFFF = keep) with lthread_ex_regs.
//
// Encodings checked against the Intel SDM opcode map (89 /r MOV r/m32,r32; A3 MOV moffs32,EAX;
// FF /6 PUSH r/m32; 83 /0,/1,/7 ADD/OR/CMP r/m32,imm8; 81 /7 CMP r/m32,imm32; 85 TEST;
// A8 TEST AL,imm8; 31 XOR; B8+r MOV r32,imm32; CD INT; 74/75/EB rel8).

import { PHASE, phaseMarkBytes } from '@mklab/pentium';

/** User address of the emulation library page (below the stack, above mmap's usual range). */
export const EMU_BASE = 0xbf000000;
// Phase marks (contracts.md "Phase accounting"): `HOSTCALL 0xFE00 + phase` (0 cycles) at the
// library's entries (emu_enter) and before its final RET (user): no kernel sees control
// enter or leave the library. The server registers them (honoured inside the library only).
/** w2 of a system-call request: never the EIP of an exception message (user EIPs are < 0xC0000000) nor 0 (page faults). */
export const SYSCALL_TAG = 0xffffffff;
/** w2 of a signal entry (the process was redirected to EMU_SIGNAL to let the server deliver a signal) */
export const SIGNAL_TAG = 0xfffffffd;
/** w2 of a real #GP reflected into the process (w0 = error code, w1 = frame; the frame's return address is the faulting EIP) */
export const TRAP13_TAG = 0xfffffffc;
/** bytes of the user-level IDT in the code page: gates 0..13 (only #GP's is present) */
export const EMU_IDT_LIMIT = 14 * 8 - 1;
/** bytes of the saved frame */
export const EMU_FRAME_BYTES = 36;

/** the library's private data page (the return address the handler thread saves) */
export const EMU_DATA = EMU_BASE + 0x1000;
/** the library's pages: code (shared, read-only) and data (per process) */
export const EMU_BYTES = 0x2000;

export interface EmuLib {
  bytes: number[];
  /** push the saved return address, fall into entry */
  tramp: number;
  /** the system-call entry (a `call` target for the IPC libc backend) */
  entry: number;
  /** the pops + RET (a forked child starts here) */
  restore: number;
  /** the exception handler thread's code (lthread 1) */
  handler: number;
  /** signal entry: the signal thread redirects the main thread here (ex_regs) to deliver a signal */
  signal: number;
  /** the signal thread's code (lthread 2) */
  sigthread: number;
  /** the #GP handler of the user-level IDT */
  trap13: number;
  /** user address of the user-level IDT (EMU_IDT_LIMIT + 1 bytes) */
  idt: number;
}

/** A tiny assembler: bytes plus rel8 jumps to labels. */
class Asm {
  readonly b: number[] = [];
  private readonly labels = new Map<string, number>();
  private readonly fixups: { at: number; label: string }[] = [];
  emit(...bytes: number[]): this {
    this.b.push(...bytes);
    return this;
  }
  imm32(v: number): this {
    return this.emit(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  }
  label(name: string): number {
    this.labels.set(name, this.b.length);
    return this.b.length;
  }
  /** opcode + rel8 to `label` */
  jump(opcode: number, label: string): this {
    this.b.push(opcode, 0);
    this.fixups.push({ at: this.b.length - 1, label });
    return this;
  }
  /** JMP rel32 to `label` */
  jump32(label: string): this {
    this.b.push(0xe9, 0, 0, 0, 0);
    this.fixups32.push({ at: this.b.length - 4, label });
    return this;
  }
  private readonly fixups32: { at: number; label: string }[] = [];
  link(): number[] {
    for (const f of this.fixups32) {
      const target = this.labels.get(f.label);
      if (target === undefined) throw new Error(`emulib: no label ${f.label}`);
      const rel = (target - (f.at + 4)) >>> 0;
      this.b.splice(f.at, 4, rel & 0xff, (rel >>> 8) & 0xff, (rel >>> 16) & 0xff, rel >>> 24);
    }
    for (const f of this.fixups) {
      const target = this.labels.get(f.label);
      if (target === undefined) throw new Error(`emulib: no label ${f.label}`);
      const rel = target - (f.at + 1);
      if (rel < -128 || rel > 127) throw new Error(`emulib: jump to ${f.label} out of rel8 range`);
      this.b[f.at] = rel & 0xff;
    }
    return this.b;
  }
}

export function assembleEmuLib(serverThreadId: number): EmuLib {
  const a = new Asm();
  const at = (off: number): number => (EMU_BASE + off) >>> 0;
  // EMU_TRAMP: the main thread arrives here from the handler's ex_regs
  const tramp = a.label('tramp');
  a.emit(0xff, 0x35).imm32(EMU_DATA); // push dword [EMU_DATA]   the return address
  // EMU_ENTRY
  const entry = a.label('entry');
  a.emit(...phaseMarkBytes(PHASE.EMU_ENTER)); // phase mark: emu_enter
  a.emit(0x9c); // pushfd
  a.label('regs');
  a.emit(0x55, 0x57, 0x56, 0x52, 0x51, 0x53, 0x50); // push ebp edi esi edx ecx ebx eax
  a.emit(0x89, 0xc2); // mov edx, eax        w0 = number
  a.emit(0x89, 0xe3); // mov ebx, esp        w1 = frame
  a.emit(0xbe).imm32(serverThreadId); // mov esi, server
  a.emit(0xbf).imm32(SYSCALL_TAG); // mov edi, tag
  a.emit(0x31, 0xc0); // xor eax, eax        send: register message
  a.emit(0x31, 0xc9); // xor ecx, ecx        timeouts: never
  a.emit(0x31, 0xed); // xor ebp, ebp        receive: closed (from ESI), registers only
  a.label('call');
  a.emit(0xcd, 0x30); // int 0x30            L4 IPC (call)
  a.emit(0xa8, 0xf0); // test al, 0xf0       IPC error? (the signal thread's ex_regs cancelled it)
  a.jump(0x75, 'recall'); // jnz recall      … then make the call again
  a.label('reply');
  a.emit(0x85, 0xdb); // test ebx, ebx
  a.jump(0x74, 'fast'); // jz fast
  a.emit(0x89, 0xdc); // mov esp, ebx        a new frame from the server
  a.jump(0xeb, 'restore');
  a.label('fast');
  a.emit(0x89, 0x14, 0x24); // mov [esp], edx   the result into the frame's EAX
  const restore = a.label('restore');
  a.emit(0x58, 0x5b, 0x59, 0x5a, 0x5e, 0x5f, 0x5d, 0x9d); // pop eax ebx ecx edx esi edi ebp; popfd
  a.emit(...phaseMarkBytes(PHASE.USER)); // phase mark: back in the program after the RET
  a.emit(0xc3); // ret

  // EMU_SIGNAL: the main thread, redirected by the server (ex_regs) while it ran in user
  // mode, enters the server so that a pending signal is delivered (L4Linux's signal
  // thread does this redirection); the interrupted EIP is in the data page's second dword
  const signal = a.label('signal');
  a.emit(0xff, 0x35).imm32(EMU_DATA + 4); // push dword [EMU_DATA + 4]   return to the interrupted EIP
  a.emit(0x9c, 0x55, 0x57, 0x56, 0x52, 0x51, 0x53, 0x50); // the same frame as the entry
  a.emit(0x89, 0xe3); // mov ebx, esp
  a.emit(0xbe).imm32(serverThreadId); // mov esi, server
  a.emit(0xbf).imm32(SIGNAL_TAG); // mov edi, signal tag
  a.emit(0x31, 0xc0, 0x31, 0xc9, 0x31, 0xed); // xor eax, eax; xor ecx, ecx; xor ebp, ebp
  a.label('sigcall');
  a.emit(0xcd, 0x30); // int 0x30
  a.emit(0xa8, 0xf0); // test al, 0xf0
  a.jump(0x75, 'resig'); // jnz resig
  a.emit(0x8b, 0x14, 0x24); // mov edx, [esp]   the reply's w0 is unused: keep the frame's EAX
  a.jump(0xeb, 'reply');
  a.label('recall');
  a.emit(0x31, 0xc0); // xor eax, eax        the registers of the call are still there (a cancelled
  a.jump(0xeb, 'call'); //                   IPC changes only EAX; the signal entry restored them)
  a.label('resig');
  a.emit(0x31, 0xc0); // xor eax, eax
  a.jump(0xeb, 'sigcall');

  // the signal thread (lthread 2; L4Linux: one per process): the server's message makes it
  // redirect the main thread to EMU_SIGNAL with lthread_ex_regs; the main thread's old EIP
  // goes to the data page for EMU_SIGNAL's return. It runs above the main thread, so the
  // store is done before the main thread runs again.
  const sigthread = a.label('sigthread');
  a.emit(0xb8).imm32(0xffffffff); // mov eax, -1         no send phase
  a.emit(0x31, 0xed); // xor ebp, ebp                    closed receive …
  a.emit(0xbe).imm32(serverThreadId); // mov esi, server … from the server
  a.emit(0x31, 0xc9); // xor ecx, ecx                    never time out
  a.emit(0xcd, 0x30); // int 0x30
  a.emit(0xa8, 0xf0); // test al, 0xf0
  a.jump(0x75, 'sigthread'); // jnz sigthread
  a.emit(0x31, 0xc0); // xor eax, eax                    lthread 0
  a.emit(0x83, 0xc9, 0xff); // or ecx, -1                ESP: keep
  a.emit(0xba).imm32(at(signal)); // mov edx, EMU_SIGNAL
  a.emit(0x83, 0xcb, 0xff); // or ebx, -1                pager: keep
  a.emit(0x83, 0xcf, 0xff); // or edi, -1                exception handler: keep
  a.emit(0xcd, 0x35); // int 0x35                        lthread_ex_regs
  a.emit(0x89, 0x15).imm32(EMU_DATA + 4); // mov [EMU_DATA + 4], edx   the interrupted EIP
  a.jump(0xeb, 'sigthread');

  // EMU_TRAP13: #GP reflected through the user-level IDT; stack: error code, EIP, CS, EFLAGS
  const trap13 = a.label('trap13');
  a.emit(...phaseMarkBytes(PHASE.EMU_ENTER)); // phase mark: emu_enter (the reflection before it is L4's)
  a.emit(0x81, 0x3c, 0x24).imm32(0x402); // cmp dword [esp], 0x402   `int $0x80`?
  a.jump(0x75, 'gp'); // jne gp
  a.emit(0xa3).imm32(EMU_DATA + 8); // mov [EMU_DATA + 8], eax   scratch
  a.emit(0x8b, 0x44, 0x24, 0x0c); // mov eax, [esp + 12]        EFLAGS
  a.emit(0x89, 0x44, 0x24, 0x08); // mov [esp + 8], eax          … into the CS slot
  a.emit(0x8b, 0x44, 0x24, 0x04); // mov eax, [esp + 4]          EIP of the INT
  a.emit(0x83, 0xc0, 0x02); // add eax, 2                        return after it
  a.emit(0x89, 0x44, 0x24, 0x0c); // mov [esp + 12], eax         … into the EFLAGS slot
  a.emit(0xa1).imm32(EMU_DATA + 8); // mov eax, [EMU_DATA + 8]
  a.emit(0x83, 0xc4, 0x08); // add esp, 8                        stack: eflags, return address
  a.jump32('regs'); // jmp regs                                  the entry's frame, after its pushfd
  a.label('gp');
  a.emit(0xa3).imm32(EMU_DATA + 8); // mov [EMU_DATA + 8], eax
  a.emit(0x8b, 0x04, 0x24); // mov eax, [esp]                    error code
  a.emit(0xa3).imm32(EMU_DATA + 12); // mov [EMU_DATA + 12], eax
  a.emit(0x8b, 0x44, 0x24, 0x0c); // mov eax, [esp + 12]        EFLAGS → CS slot
  a.emit(0x89, 0x44, 0x24, 0x08); // mov [esp + 8], eax
  a.emit(0x8b, 0x44, 0x24, 0x04); // mov eax, [esp + 4]          faulting EIP → EFLAGS slot (restart there)
  a.emit(0x89, 0x44, 0x24, 0x0c); // mov [esp + 12], eax
  a.emit(0xa1).imm32(EMU_DATA + 8); // mov eax, [EMU_DATA + 8]
  a.emit(0x83, 0xc4, 0x08); // add esp, 8
  a.emit(0x55, 0x57, 0x56, 0x52, 0x51, 0x53, 0x50); // push ebp edi esi edx ecx ebx eax
  a.emit(0x89, 0xe3); // mov ebx, esp                            w1 = frame
  a.emit(0x8b, 0x15).imm32(EMU_DATA + 12); // mov edx, [EMU_DATA + 12]   w0 = error code
  a.emit(0xbe).imm32(serverThreadId); // mov esi, server
  a.emit(0xbf).imm32(TRAP13_TAG); // mov edi, tag
  a.emit(0x31, 0xc0, 0x31, 0xc9, 0x31, 0xed); // xor eax, eax; xor ecx, ecx; xor ebp, ebp
  a.label('gpcall');
  a.emit(0xcd, 0x30); // int 0x30
  a.emit(0xa8, 0xf0); // test al, 0xf0
  a.jump(0x75, 'regp'); // jnz regp
  a.emit(0x8b, 0x14, 0x24); // mov edx, [esp]   keep the frame's EAX unless a new frame comes
  a.jump32('reply');
  a.label('regp');
  a.emit(0x31, 0xc0); // xor eax, eax
  a.jump(0xeb, 'gpcall');

  // the exception handler thread (lthread 1)
  const handler = a.label('handler');
  a.emit(0xa3).imm32(EMU_DATA); // mov [EMU_DATA], eax   touch the data page once, before any exception needs it
  a.label('wait');
  a.emit(0xb8).imm32(0xffffffff); // mov eax, -1          no send phase
  a.emit(0xbd).imm32(1); // mov ebp, 1                   open receive (only lthread 0's exceptions come here)
  a.emit(0x31, 0xc9); // xor ecx, ecx
  a.emit(0xcd, 0x30); // int 0x30
  a.emit(0xa8, 0xf0); // test al, 0xf0                   IPC error?
  a.jump(0x75, 'wait');
  a.emit(0x83, 0xfa, 0x0d); // cmp edx, 13                #GP
  a.jump(0x75, 'forward');
  a.emit(0x81, 0xfb).imm32(0x402); // cmp ebx, 0x402      error code of `int $0x80` (IDT slot 0x80, not a user gate)
  a.jump(0x75, 'forward');
  a.emit(0x83, 0xc7, 0x02); // add edi, 2                 return address: after the INT
  a.emit(0x89, 0x3d).imm32(EMU_DATA); // mov [EMU_DATA], edi
  a.emit(0x31, 0xc0); // xor eax, eax                     lthread 0
  a.emit(0x83, 0xc9, 0xff); // or ecx, -1                 ESP: keep
  a.emit(0xba).imm32(at(tramp)); // mov edx, EMU_TRAMP    EIP
  a.label('exregs');
  a.emit(0x83, 0xcb, 0xff); // or ebx, -1                 pager: keep
  a.emit(0x83, 0xcf, 0xff); // or edi, -1                 exception handler: keep
  a.emit(0xcd, 0x35); // int 0x35                         lthread_ex_regs (cancels lthread 0's exception IPC)
  a.jump(0xeb, 'wait');
  a.label('forward');
  a.emit(0xbe).imm32(serverThreadId); // mov esi, server  message: vector, error code, EIP as received
  a.emit(0x31, 0xc0, 0x31, 0xed, 0x31, 0xc9); // xor eax, eax; xor ebp, ebp; xor ecx, ecx
  a.emit(0xcd, 0x30); // int 0x30                         call the server
  a.emit(0x89, 0xd9); // mov ecx, ebx                     new ESP
  a.emit(0x31, 0xc0); // xor eax, eax                     lthread 0; EDX = new EIP
  a.jump(0xeb, 'exregs');
  // the user-level IDT (8-byte aligned): gates 0..13, only #GP's present (32-bit trap gate, DPL 3)
  while (a.b.length % 8) a.emit(0x90);
  const idt = a.label('idt');
  for (let v = 0; v <= 13; v++) {
    if (v !== 13) a.emit(0, 0, 0, 0, 0, 0, 0, 0);
    else {
      const off = at(trap13);
      a.emit(off & 0xff, (off >>> 8) & 0xff, 0x23, 0x00, 0x00, 0xef, (off >>> 16) & 0xff, off >>> 24); // selector: ignored by L4's reflection
    }
  }
  const bytes = a.link();
  return { bytes, tramp: at(tramp), entry: at(entry), restore: at(restore), handler: at(handler), signal: at(signal), sigthread: at(sigthread), trap13: at(trap13), idt: at(idt) };
}
