// The system calls besides IPC (L4 reference manual, x86 vectors 0x31–0x36), with our
// register conventions:
//
//   id_nearest        INT 0x31  IN  ESI dest            OUT ESI = dest, EAX = 0 (no clans & chiefs: every
//                                                           destination is its own nearest)
//   fpage_unmap       INT 0x32  IN  EAX fpage, ECX mask: bit 1 = 1 flush, 0 write-protect; bit 31 = also
//                                   the caller's own mappings           OUT EAX = pages changed
//   thread_switch     INT 0x33  IN  ESI dest (0 = yield): donate the CPU to a ready thread
//   thread_schedule   INT 0x34  IN  ESI dest, EAX new priority (0..255, at most the caller's),
//                                   ECX time slice in ticks (0 = keep)   OUT EAX = old priority,
//                                   0xFFFFFFFF when dest does not exist or the priority is refused
//   lthread_ex_regs   INT 0x35  IN  EAX lthread (of the caller's task), ECX ESP, EDX EIP, EBX pager,
//                                   EDI exception handler (0xFFFFFFFF keeps a value)
//                               OUT EAX old EFLAGS, ECX old ESP, EDX old EIP, EBX old pager,
//                                   EDI old exception handler; a pending IPC of the thread is
//                                   cancelled (it returns with *_CANCELLED); an inactive lthread
//                                   given an EIP starts running (thread creation)
//   task_new          INT 0x36  IN  ESI task's id (lthread 0), EDX EIP, ECX ESP, EBX pager
//                                   (0 = only delete), EAX small-space size in bytes (0 = large;
//                                   honoured with the smallSpaces boot option)
//                               OUT EAX 0 = done, 0x10 = refused. An existing task is deleted first.
import type { L4Kernel } from './kernel';
import { Thread, ThreadState } from './tcb';
import { EAX, EBX, ECX, EDI, EDX, ESI } from '@mklab/pentium';
import { decodeFpage, isEmptyFpage, fpageBytes } from './fpage';
import { IPC_ERR } from './ipc-abi';
import { L4_COSTS } from './costs';
import { kernelLinear, LTHREADS_PER_TASK, TCB } from './layout';
import { lthreadOf, taskOf, threadId, isUserThreadId } from './thread-id';

const KEEP = 0xffffffff;

export function idNearest(k: L4Kernel, t: Thread): void {
  k.charge(L4_COSTS.idNearest, [t.field(TCB.STATE)]);
  t.regs[EAX] = 0;
}

export function fpageUnmap(k: L4Kernel, t: Thread): void {
  const f = decodeFpage(t.regs[EAX] >>> 0);
  const mask = t.regs[ECX] >>> 0;
  const own = (mask & 0x80000000) !== 0;
  const readOnly = (mask & 2) === 0;
  k.charge(L4_COSTS.fpageUnmap, [t.field(TCB.SPACE)]);
  let changed = 0;
  if (!isEmptyFpage(f)) {
    // the fpage names a range: superpages it covers whole are flushed as one, others split (mapping-db.ts)
    changed = k.mdb.flushRange(t.task.space, f.base, Math.min(fpageBytes(f), t.task.space.userBytes), own, readOnly);
  }
  for (let i = 0; i < changed; i++) k.charge(L4_COSTS.flushPage);
  k.bump('flushedPages', changed);
  t.regs[EAX] = changed;
}

export function threadSwitch(k: L4Kernel, t: Thread): void {
  k.charge(L4_COSTS.threadSwitch, [t.field(TCB.STATE)]);
  const dest = t.regs[ESI] >>> 0;
  const d = dest ? k.activeThread(dest) : undefined;
  if (d && d !== t && d.state === ThreadState.Ready) {
    k.current = d;
    return;
  }
  k.scheduler.rotate(t);
  k.reschedule();
}

export function threadSchedule(k: L4Kernel, t: Thread): void {
  k.charge(L4_COSTS.threadSchedule, [t.field(TCB.PRIO)]);
  const d = k.activeThread(t.regs[ESI] >>> 0);
  const prio = t.regs[EAX] >>> 0;
  const slice = t.regs[ECX] >>> 0;
  if (!d || prio > 255 || prio > t.prio) {
    t.regs[EAX] = KEEP;
    return;
  }
  const old = d.prio;
  k.scheduler.remove(d);
  d.prio = prio;
  if (slice > 0) d.timesliceTicks = d.remainingTicks = slice;
  if (d.state === ThreadState.Ready) k.scheduler.enqueue(d);
  t.regs[EAX] = old;
  // a lowered current thread or a raised other one: let the scheduler decide now
  if (k.scheduler.topPriority() > k.current.prio) k.reschedule();
}

export function lthreadExRegs(k: L4Kernel, t: Thread): void {
  const r = t.regs;
  const l = r[EAX] >>> 0;
  k.charge(L4_COSTS.exRegs, [t.field(TCB.STATE)]);
  if (l >= LTHREADS_PER_TASK) {
    r[EAX] = KEEP;
    return;
  }
  const target = t.task.threads[l] as Thread;
  const esp = r[ECX] >>> 0;
  const eip = r[EDX] >>> 0;
  const pager = r[EBX] >>> 0;
  const handler = r[EDI] >>> 0;
  k.bump('exRegs');
  if (target.state === ThreadState.Inactive) {
    r[EAX] = 0;
    r[ECX] = 0;
    r[EDX] = 0;
    r[EBX] = 0;
    r[EDI] = 0;
    if (eip !== KEEP) {
      target.exceptionHandler = handler === KEEP ? t.exceptionHandler : handler;
      k.activate(target, eip, esp === KEEP ? 0 : esp, pager === KEEP ? t.pager : pager, t.prio);
      k.bump('threadsCreated');
    }
    return;
  }
  const f = k.frame(target);
  const oldPager = target.pager;
  const oldHandler = target.exceptionHandler;
  // a thread inside an IPC leaves it (the register results of the cancelled IPC are its EAX…)
  if (target !== t) k.cancelIpc(target, IPC_ERR.SEND_CANCELLED, IPC_ERR.RECV_CANCELLED);
  k.setFrameEipEsp(target, eip, esp);
  if (pager !== KEEP) target.pager = pager;
  if (handler !== KEEP) target.exceptionHandler = handler;
  r[EAX] = f.eflags;
  r[ECX] = f.esp;
  r[EDX] = f.eip;
  r[EBX] = oldPager;
  r[EDI] = oldHandler;
}

export function taskNew(k: L4Kernel, t: Thread): void {
  const r = t.regs;
  const id = r[ESI] >>> 0;
  const number = taskOf(id);
  if (!isUserThreadId(id) || lthreadOf(id) !== 0 || number === t.task.number || number === k.sigma0.task.number) {
    r[EAX] = IPC_ERR.NOT_EXISTENT;
    return;
  }
  const existing = k.tasks[number];
  if (existing) k.deleteTask(existing);
  const pager = r[EBX] >>> 0;
  if (pager === 0) {
    r[EAX] = 0;
    return;
  }
  const task = k.createTask(number, r[EAX] >>> 0);
  const t0 = task.threads[0] as Thread;
  k.charge(L4_COSTS.taskNew, [t.field(TCB.STATE)], [kernelLinear(task.space.pdir), t0.field(TCB.STATE)]);
  k.activate(t0, r[EDX] >>> 0, r[ECX] >>> 0, pager, t.prio);
  r[EAX] = 0;
  void threadId;
}
