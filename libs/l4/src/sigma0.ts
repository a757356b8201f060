// sigma0: the initial address space, owner of all physical memory not used by the
// kernel, mapped 1:1 (idempotently: virtual = physical) — by 4 MiB superpages where the
// memory is 4 MiB aligned (L4/x86 on the Pentium: PSE pages), by 4 KiB pages below.
// It is an ordinary user-level server — a TypeScript thread body behind a HOSTCALL in
// its user-mode loop (stubs.ts userLoopBytes) — that answers page-fault IPCs by mapping
// the page at the fault address (the same physical page: idempotent) to the first task
// that asks for it, and requests for "any page" (w0 = 0xFFFFFFFC) with the lowest free
// page. A request with w1 = 22 asks for the whole 4 MiB superpage around w0: it is
// granted as one 4 MiB fpage when none of its pages belongs to another task (else the
// 4 KiB page alone is mapped). A page owned by another task, or one outside its
// memory, is refused: the reply carries no mapping (counter sigma0Refusals).
import type { L4Kernel } from './kernel';
import type { Task } from './task';
import { LARGE_PAGE_LOG2, LARGE_PAGE_SIZE, type AddressSpace } from './address-space';
import { Thread } from './tcb';
import { EAX, EBP, EBX, ECX, EDI, EDX, ESI, type KernelCpu, type PathProfile } from '@mklab/pentium';
import { encodeTimeouts, IPC_ERR_MASK, NO_PHASE } from './ipc-abi';
import { fpage } from './fpage';
import { PAGE_SIZE, SIGMA0_MEMORY } from './layout';
import { NIL_ID, SIGMA0_TASK, taskOf, type ThreadId } from './thread-id';
import { L4_COSTS } from './costs';
import { userLoopBytes } from './stubs';

export const ANY_PAGE = 0xfffffffc;
const REPLY_TIMEOUTS = encodeTimeouts({ send: 0 });

export class Sigma0 {
  readonly task: Task;
  readonly space: AddressSpace;
  readonly id: ThreadId;
  /** physical page → owning task */
  private readonly owner = new Map<number, number>();
  private readonly end: number;
  private readonly requestProfile: PathProfile;
  private waiting = false;
  /** no free page below this address (allocation hint) */
  private freeHint = SIGMA0_MEMORY;

  constructor(private readonly k: L4Kernel) {
    this.task = k.createTask(SIGMA0_TASK);
    this.space = this.task.space;
    const mem = k.memory;
    for (let p = SIGMA0_MEMORY; p < mem.size; ) {
      if (p % LARGE_PAGE_SIZE === 0 && p + LARGE_PAGE_SIZE <= mem.size) {
        k.mdb.addRoot(this.space, p, p, true, LARGE_PAGE_LOG2);
        p += LARGE_PAGE_SIZE;
      } else {
        k.mdb.addRoot(this.space, p, p, true);
        p += PAGE_SIZE;
      }
    }
    // sigma0's own code: the last page of memory, at its idempotent address
    const code = mem.size - PAGE_SIZE;
    this.owner.set(code, SIGMA0_TASK);
    this.end = code;
    const t = this.task.threads[0] as Thread;
    this.id = t.id;
    const id = k.registerUserLoop((cpu) => this.step(cpu), code, t.id);
    userLoopBytes(id).forEach((b, i) => mem.write8(code + i, b));
    this.requestProfile = { ...L4_COSTS.sigma0Request, code: { start: code, bytes: L4_COSTS.sigma0Request.code.bytes } };
    k.activate(t, code, 0, NIL_ID, 120);
  }

  /** Pages handed out so far (for tests and reports). */
  get pagesGiven(): number {
    return this.owner.size - 1;
  }

  ownerOf(frame: number): number | undefined {
    return this.owner.get(frame - (frame % PAGE_SIZE));
  }

  /** Boot-time allocation on behalf of a task (what a root server asks sigma0 for). */
  takeFreeFrame(task: number): number {
    const p = this.lowestFree();
    if (p < 0) throw new Error('sigma0: out of memory');
    this.owner.set(p, task);
    return p;
  }

  /**
   * Boot-time: sigma0 hands `task` the physical range [phys, phys + bytes) mapped at
   * `at` (what a server such as L4Linux asks sigma0 for at start-up, page by page).
   * Pages another task owns are refused with an error.
   */
  mapTo(task: Task, phys: number, at: number, bytes: number, writable = true): void {
    for (let off = 0; off < bytes; ) {
      const p = phys + off;
      const v = at + off;
      // a whole superpage, both sides aligned, free or already the task's: one 4 MiB fpage
      if (p % LARGE_PAGE_SIZE === 0 && v % LARGE_PAGE_SIZE === 0 && off + LARGE_PAGE_SIZE <= bytes && this.superpageFreeFor(p, task.number)) {
        for (let q = p; q < p + LARGE_PAGE_SIZE; q += PAGE_SIZE) this.owner.set(q, task.number);
        this.k.mdb.mapLarge(this.space, p, task.space, v, writable);
        this.k.bump('sigma0Superpages');
        off += LARGE_PAGE_SIZE;
        continue;
      }
      const o = this.owner.get(p);
      if (p < SIGMA0_MEMORY || p >= this.end) throw new Error(`sigma0: 0x${p.toString(16)} is not sigma0's memory`);
      if (o !== undefined && o !== task.number) throw new Error(`sigma0: page 0x${p.toString(16)} belongs to task ${o}`);
      this.owner.set(p, task.number);
      this.k.mdb.map(this.space, p, task.space, v, writable);
      off += PAGE_SIZE;
    }
  }

  /** The superpage at `p` is sigma0's as a superpage, inside its memory, and none of its pages belongs to a task other than `task`. */
  private superpageFreeFor(p: number, task: number): boolean {
    if (p < SIGMA0_MEMORY || p + LARGE_PAGE_SIZE > this.end) return false;
    const root = this.k.mdb.lookup(this.space, p);
    if (!root || !root.large) return false;
    for (let q = p; q < p + LARGE_PAGE_SIZE; q += PAGE_SIZE) {
      const o = this.owner.get(q);
      if (o !== undefined && o !== task) return false;
    }
    return true;
  }

  /** The server body, at user level between two IPCs: the last IPC's message is in the registers. */
  private step(cpu: KernelCpu): void {
    if (!this.waiting) {
      this.waiting = true;
      this.openWait(cpu);
      return;
    }
    if (cpu.getReg(EAX) & IPC_ERR_MASK) {
      this.openWait(cpu);
      return;
    }
    this.k.charge(this.requestProfile);
    const sender = cpu.getReg(ESI);
    const task = taskOf(sender);
    const w0 = cpu.getReg(EDX);
    let page = -1;
    let log2 = 12;
    if (w0 === ANY_PAGE) {
      page = this.lowestFree();
      if (page >= 0) this.owner.set(page, task);
    } else {
      const p = w0 - (w0 % PAGE_SIZE);
      const big = w0 - (w0 % LARGE_PAGE_SIZE);
      const o = this.owner.get(p);
      if (cpu.getReg(EBX) === LARGE_PAGE_LOG2 && this.superpageFreeFor(big, task)) {
        for (let q = big; q < big + LARGE_PAGE_SIZE; q += PAGE_SIZE) this.owner.set(q, task);
        page = big;
        log2 = LARGE_PAGE_LOG2;
      } else if (p >= SIGMA0_MEMORY && p < this.end && (o === undefined || o === task)) {
        this.owner.set(p, task);
        page = p;
      }
    }
    cpu.setReg(ESI, sender);
    cpu.setReg(ECX, REPLY_TIMEOUTS);
    cpu.setReg(EBP, 1);
    cpu.setReg(EDI, 0);
    if (page < 0) {
      this.k.bump('sigma0Refusals');
      cpu.setReg(EAX, 0);
      cpu.setReg(EDX, 0);
      cpu.setReg(EBX, 0);
      return;
    }
    this.k.bump('sigma0Pages');
    cpu.setReg(EAX, 2); // register map message
    cpu.setReg(EDX, w0 === ANY_PAGE ? 0 : page);
    if (log2 === LARGE_PAGE_LOG2) this.k.bump('sigma0Superpages');
    cpu.setReg(EBX, fpage(page, log2, true));
  }

  private openWait(cpu: KernelCpu): void {
    cpu.setReg(EAX, NO_PHASE);
    cpu.setReg(EBP, 1);
    cpu.setReg(ECX, 0);
  }

  private lowestFree(): number {
    for (let p = this.freeHint; p < this.end; p += PAGE_SIZE) {
      if (!this.owner.has(p)) {
        this.freeHint = p;
        return p;
      }
    }
    return -1;
  }
}
