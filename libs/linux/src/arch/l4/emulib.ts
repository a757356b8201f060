// The L4Linux emulation library: a page of real x86 code mapped into every Linux
// process (the server maps it read-only at EMU_BASE when the process first touches
// it). It is the process side of the system-call protocol, shared by both paths:
//
//   trampoline  an unmodified `int $0x80` raises #GP (error 0x402); L4 reflects it as
//               an exception IPC to the server, which pushes the return address
//               (EIP + 2) on the process's stack and answers with EIP = EMU_ENTRY,
//               ESP = ESP - 4: the process continues in this library, in user mode;
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
// Encodings checked against the Intel SDM opcode map (89 /r = MOV r/m32, r32;
// 85 /r = TEST; 31 /r = XOR; CD ib = INT; 74/EB = Jcc/JMP rel8; 9C/9D = PUSHFD/POPFD).

/** User address of the emulation library page (below the stack, above mmap's usual range). */
export const EMU_BASE = 0xbf000000;
/** w2 of a system-call request: never the EIP of an exception message (user EIPs are < 0xC0000000) nor 0 (page faults). */
export const SYSCALL_TAG = 0xffffffff;
/** bytes of the saved frame */
export const EMU_FRAME_BYTES = 36;

export interface EmuLib {
  bytes: number[];
  entry: number;
  restore: number;
}

export function assembleEmuLib(serverThreadId: number): EmuLib {
  const imm32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
  const b: number[] = [
    0x9c, // pushfd
    0x55, // push ebp
    0x57, // push edi
    0x56, // push esi
    0x52, // push edx
    0x51, // push ecx
    0x53, // push ebx
    0x50, // push eax
    0x89, 0xc2, // mov edx, eax        w0 = number
    0x89, 0xe3, // mov ebx, esp        w1 = frame
    0xbe, ...imm32(serverThreadId), // mov esi, server
    0xbf, ...imm32(SYSCALL_TAG), // mov edi, tag
    0x31, 0xc0, // xor eax, eax        send: register message
    0x31, 0xc9, // xor ecx, ecx        timeouts: never
    0x31, 0xed, // xor ebp, ebp        receive: closed (from ESI), registers only
    0xcd, 0x30, // int 0x30            L4 IPC (call)
    0x85, 0xdb, // test ebx, ebx
    0x74, 0x04, // jz fast
    0x89, 0xdc, // mov esp, ebx        a new frame from the server
    0xeb, 0x03, // jmp restore
    0x89, 0x14, 0x24, // fast: mov [esp], edx   the result into the frame's EAX
  ];
  const restore = b.length;
  b.push(
    0x58, // pop eax
    0x5b, // pop ebx
    0x59, // pop ecx
    0x5a, // pop edx
    0x5e, // pop esi
    0x5f, // pop edi
    0x5d, // pop ebp
    0x9d, // popfd
    0xc3, // ret
  );
  return { bytes: b, entry: EMU_BASE, restore: EMU_BASE + restore };
}
