// do_execve for static ELF32 executables (fs/exec.c + fs/binfmt_elf.c, 2.0): check the
// file, validate the ELF image, copy argv/envp out of the old address space, tear it
// down, map the segments (demand-loaded from the file; bss demand-zero), build the
// initial stack and start the new image in user mode.

import { E2BIG, EACCES, EISDIR, ENOEXEC, KernelError } from '../errno';
import type { LinuxKernel } from '../kernel';
import { PAGE_SIZE, pageAlignDown, pageAlignUp } from '../phys-mem';
import { TASK_SIZE } from '../mm/page-table';
import { VM_EXEC, VM_GROWSDOWN, VM_READ, VM_WRITE } from '../mm/vm-area';
import { SIG_DFL, SIG_IGN } from '../signal';
import type { Task } from '../task';
import { ElfImage, PF_R, PF_W, PF_X, parseElf } from './elf';

/** 2.0 keeps argv+envp in at most MAX_ARG_PAGES = 32 pages. */
export const MAX_ARG_BYTES = 32 * PAGE_SIZE;
/** Initial stack area below TASK_SIZE; it grows down on faults. */
export const INITIAL_STACK_BYTES = 32 * PAGE_SIZE;

/** Auxiliary vector types (include/linux/elf.h). */
export const AT = { NULL: 0, PHDR: 3, PHENT: 4, PHNUM: 5, PAGESZ: 6, BASE: 7, FLAGS: 8, ENTRY: 9, UID: 11, EUID: 12, GID: 13, EGID: 14 } as const;

/** The interpreter line of a script (binfmt_script, 2.0): "#!interpreter [one argument]". */
export const SCRIPT_LINE_MAX = 127;

/** Parses "#!" and returns the interpreter and its optional argument, or null when `bytes` is not a script. */
export function parseScriptLine(bytes: Uint8Array): { interp: string; arg: string | null } | null {
  if (bytes.length < 2 || bytes[0] !== 0x23 /* # */ || bytes[1] !== 0x21 /* ! */) return null;
  let line = '';
  for (let i = 2; i < Math.min(bytes.length, SCRIPT_LINE_MAX) && bytes[i] !== 0x0a; i++) line += String.fromCharCode(bytes[i]);
  line = line.replace(/[ \t]+$/, '').replace(/^[ \t]+/, '');
  if (line === '') throw new KernelError(ENOEXEC, 'ENOEXEC: "#!" without an interpreter');
  const m = /^(\S+)[ \t]*(.*)$/.exec(line)!;
  return { interp: m[1], arg: m[2] === '' ? null : m[2] };
}

/** execve from a task (the system call, or the kernel starting init). Returns 0 or -errno. */
export function execve(k: LinuxKernel, t: Task, path: string, argv: string[], envp: string[], viaScript = false): number {
  let image: ElfImage;
  let bytes: Uint8Array;
  try {
    const inode = k.fs.lookup(path, t.cwd ?? k.fs.root);
    if (inode.isDir) throw new KernelError(EISDIR);
    if (!inode.isReg || (inode.mode & 0o111) === 0) throw new KernelError(EACCES);
    bytes = inode.contents().slice();
    const script = parseScriptLine(bytes);
    if (script) {
      // binfmt_script: run the interpreter with [interpreter, argument?, script path, argv[1..]]
      // (an interpreter that is itself a script is not run: 2.0's sh_bang check)
      if (viaScript) throw new KernelError(ENOEXEC, 'ENOEXEC: the interpreter is a script');
      const next = [script.interp, ...(script.arg !== null ? [script.arg] : []), path, ...argv.slice(1)];
      return execve(k, t, script.interp, next, envp, true);
    }
    image = parseElf(bytes);
    const strBytes = [path, ...argv, ...envp].reduce((n, s) => n + s.length + 1, 0);
    if (strBytes + 4 * (argv.length + envp.length + 40) > MAX_ARG_BYTES) throw new KernelError(E2BIG);
  } catch (e) {
    if (e instanceof KernelError) {
      k.lastExecFailure = e.message;
      return -e.errno;
    }
    throw e;
  }
  k.count('execs');
  k.charge('exec');

  // point of no return: flush the old image (exec_mmap + flush_old_exec)
  if (!t.mm) {
    t.mm = k.newMm();
    k.arch.setAddressSpace(t);
  } else {
    t.mm.clear();
  }
  const mm = t.mm;
  let startCode = 0xffffffff;
  let endCode = 0;
  let endData = 0;
  let brk = 0;
  for (const s of image.segments) {
    const start = pageAlignDown(s.vaddr);
    const end = pageAlignUp(s.vaddr + s.memsz);
    const flags = (s.flags & PF_R ? VM_READ : 0) | (s.flags & PF_W ? VM_WRITE : 0) | (s.flags & PF_X ? VM_EXEC : 0);
    mm.insertArea({
      start,
      end,
      flags,
      backing: { data: bytes, offset: s.offset - (s.vaddr - start), end: s.vaddr + s.filesz },
      name: s.flags & PF_X ? 'text' : 'data',
    });
    if (s.flags & PF_X) {
      startCode = Math.min(startCode, s.vaddr);
      endCode = Math.max(endCode, s.vaddr + s.filesz);
    }
    endData = Math.max(endData, s.vaddr + s.filesz);
    brk = Math.max(brk, s.vaddr + s.memsz);
  }
  mm.startCode = startCode === 0xffffffff ? 0 : startCode;
  mm.endCode = endCode;
  mm.startData = endCode;
  mm.endData = endData;
  mm.startBrk = mm.brk = pageAlignUp(brk);
  mm.insertArea({
    start: TASK_SIZE - INITIAL_STACK_BYTES,
    end: TASK_SIZE,
    flags: VM_READ | VM_WRITE | VM_EXEC | VM_GROWSDOWN,
    backing: null,
    name: 'stack',
  });
  let sp: number;
  try {
    sp = buildInitialStack(k, t, path, argv, envp, image);
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    // past the point of no return: the old image is gone (2.0 sends SIGSEGV/SIGKILL here)
    k.forceSig(t, 9 /* SIGKILL */);
    return -e.errno;
  }

  // flush_old_exec: close-on-exec files, caught signals back to default, the new name
  for (let fd = 0; fd < t.files.length; fd++) if (t.files[fd] && t.closeOnExec[fd]) k.closeFd(t, fd);
  for (let s = 1; s < t.sigactions.length; s++) {
    const sa = t.sigactions[s];
    if (sa.handler !== SIG_IGN) t.sigactions[s] = { handler: SIG_DFL, mask: 0, flags: 0, restorer: 0 };
  }
  t.comm = path.slice(path.lastIndexOf('/') + 1).slice(0, 15);
  t.didExec = true;
  k.arch.startUserThread(t, image.entry, sp);
  return 0;
}

/**
 * The initial user stack (create_elf_tables), from the top of user space down:
 * a NULL word, the file name, the environment strings, the argument strings, then
 * (16-byte aligned, as later kernels and the i386 ABI want) the auxiliary vector,
 * envp[] + NULL, argv[] + NULL, and argc at the stack pointer.
 */
export function buildInitialStack(k: LinuxKernel, t: Task, path: string, argv: string[], envp: string[], image: ElfImage): number {
  const mm = t.mm!;
  const enc = new TextEncoder();
  let p = TASK_SIZE - 4;
  k.uaccess.write32(mm, p, 0);
  const pushString = (s: string): number => {
    const b = enc.encode(s);
    const z = new Uint8Array(b.length + 1);
    z.set(b);
    p -= z.length;
    k.uaccess.copyTo(mm, p, z);
    return p;
  };
  pushString(path);
  const envPtrs: number[] = [];
  for (let i = envp.length - 1; i >= 0; i--) envPtrs.unshift(pushString(envp[i]));
  mm.envStart = envPtrs[0] ?? p;
  mm.envEnd = TASK_SIZE - 4;
  const argPtrs: number[] = [];
  for (let i = argv.length - 1; i >= 0; i--) argPtrs.unshift(pushString(argv[i]));
  mm.argStart = argPtrs[0] ?? p;
  mm.argEnd = mm.envStart;
  const aux: number[] = [
    AT.PHDR, image.phdrAddr,
    AT.PHENT, 32,
    AT.PHNUM, image.phnum,
    AT.PAGESZ, PAGE_SIZE,
    AT.BASE, 0,
    AT.FLAGS, 0,
    AT.ENTRY, image.entry,
    AT.UID, 0,
    AT.EUID, 0,
    AT.GID, 0,
    AT.EGID, 0,
    AT.NULL, 0,
  ];
  const words = [argv.length, ...argPtrs, 0, ...envPtrs, 0, ...aux];
  const sp = ((p - words.length * 4) & ~15) >>> 0;
  const buf = new Uint8Array(words.length * 4);
  const dv = new DataView(buf.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  k.uaccess.copyTo(mm, sp, buf);
  mm.startStack = sp;
  return sp;
}

export { ENOEXEC };
