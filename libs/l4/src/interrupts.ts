// Hardware interrupts as IPC (Liedtke SOSP'95: "the kernel transforms interrupts into
// messages"). A thread attaches to IRQ n by receiving from the interrupt's id (n + 1);
// each interrupt then arrives as an empty message from that id. The kernel masks the
// line and acknowledges the PIC when the interrupt arrives, and unmasks it when the
// attached thread waits again, so a level-triggered device cannot storm the CPU.
// IRQ 0 (PIT channel 0) is the kernel's own clock: time slices.
import type { L4Kernel } from './kernel';
import type { Task } from './task';
import { Thread, ThreadState } from './tcb';
import { ipcResult, IPC_ERR } from './ipc-abi';
import { EAX, EBX, EDI, EDX, ESI, PHASE } from '@mklab/pentium';
import { interruptId } from './thread-id';
import { finishOp } from './ipc';
import { L4_COSTS } from './costs';
import { G_CURRENT, kernelLinear, TCB } from './layout';

const PIC1 = 0x20,
  PIC2 = 0xa0,
  EOI = 0x20;

export class Interrupts {
  private readonly owner: (Thread | null)[] = new Array(16).fill(null);
  private readonly pending = new Array<number>(16).fill(0);
  /** PIC mask: bit set = masked. IRQ 2 (the cascade) is always open. */
  private imr = 0xffff & ~(1 << 2);

  constructor(private readonly k: L4Kernel) {}

  writeMasks(): void {
    this.k.machine.pic.out8(PIC1 + 1, this.imr & 0xff);
    this.k.machine.pic.out8(PIC2 + 1, this.imr >> 8);
  }

  unmask(irq: number): void {
    if (!(this.imr & (1 << irq))) return;
    this.imr &= ~(1 << irq);
    this.k.machine.pic.out8(irq < 8 ? PIC1 + 1 : PIC2 + 1, irq < 8 ? this.imr & 0xff : this.imr >> 8);
  }

  private mask(irq: number): void {
    this.imr |= 1 << irq;
    this.k.machine.pic.out8(irq < 8 ? PIC1 + 1 : PIC2 + 1, irq < 8 ? this.imr & 0xff : this.imr >> 8);
  }

  private eoi(irq: number): void {
    if (irq >= 8) this.k.machine.pic.out8(PIC2, EOI);
    this.k.machine.pic.out8(PIC1, EOI);
  }

  ownerOf(irq: number): Thread | null {
    return this.owner[irq];
  }

  /** The interrupt stub for IRQ `irq` ran (the current thread is the interrupted one). */
  arrived(irq: number): void {
    const k = this.k;
    k.machine.phases.enterSinceTrap(PHASE.IRQ); // phase accounting (contracts.md): until the next mark
    k.bump('interrupts');
    if (irq === 0 && k.timerHz > 0) {
      this.eoi(0);
      k.charge(L4_COSTS.timerTick, [k.current.field(TCB.TIMESLICE), kernelLinear(G_CURRENT)], [k.current.field(TCB.TIMESLICE)]);
      this.tick();
      return;
    }
    this.mask(irq);
    this.eoi(irq);
    const t = this.owner[irq];
    k.charge(L4_COSTS.interrupt, t ? [t.field(TCB.STATE), t.field(TCB.PRIO)] : [kernelLinear(G_CURRENT)]);
    if (!t) {
      k.bump('unattachedInterrupts');
      return;
    }
    const op = t.receiveOp;
    if (t.state === ThreadState.ReceiveWait && op && (op.from === null || op.from === interruptId(irq))) {
      k.cancelTimeout(t);
      this.deliver(t, irq);
      k.wake(t);
    } else {
      this.pending[irq]++;
    }
  }

  /** A closed receive from interrupt `irq` (attaches on first use). True when the phase is over. */
  receive(r: Thread, irq: number): boolean {
    const k = this.k;
    if (irq === 0 && k.timerHz > 0) {
      finishOp(k, r, IPC_ERR.NOT_EXISTENT); // the kernel's clock
      return true;
    }
    const o = this.owner[irq];
    if (o && o !== r) {
      finishOp(k, r, IPC_ERR.NOT_EXISTENT);
      return true;
    }
    if (!o) {
      if (r.irq >= 0) this.detach(r);
      this.owner[irq] = r;
      r.irq = irq;
      this.pending[irq] = 0;
      k.bump('interruptAttaches');
    }
    if (this.pending[irq] > 0) {
      this.pending[irq]--;
      this.deliver(r, irq);
      r.state = ThreadState.Ready;
      return true;
    }
    this.unmaskFor(irq);
    const op = r.receiveOp;
    if (op && op.timeout === 0) {
      finishOp(k, r, IPC_ERR.RECV_TIMEOUT);
      return true;
    }
    r.state = ThreadState.ReceiveWait;
    k.armTimeout(r, op ? op.timeout : Infinity, IPC_ERR.RECV_TIMEOUT);
    return false;
  }

  /** An open receive of an attached thread: a pending interrupt is its message. */
  takePending(r: Thread): boolean {
    const irq = r.irq;
    if (this.pending[irq] > 0) {
      this.pending[irq]--;
      this.deliver(r, irq);
      r.state = ThreadState.Ready;
      return true;
    }
    this.unmaskFor(irq);
    return false;
  }

  detach(t: Thread): void {
    if (t.irq >= 0 && this.owner[t.irq] === t) {
      this.owner[t.irq] = null;
      this.mask(t.irq);
    }
    t.irq = -1;
  }

  detachTask(task: Task): void {
    for (const t of task.threads) if (t && t.irq >= 0) this.detach(t);
  }

  private unmaskFor(irq: number): void {
    if (this.imr & (1 << irq)) {
      this.k.charge(L4_COSTS.interruptUnmask);
      this.unmask(irq);
    }
  }

  private deliver(t: Thread, irq: number): void {
    t.receiveOp = null;
    t.regs[EAX] = ipcResult(0, 0, IPC_ERR.OK, false);
    t.regs[EDX] = 0;
    t.regs[EBX] = 0;
    t.regs[EDI] = 0;
    t.regs[ESI] = interruptId(irq);
    this.k.bump('interruptIpcs');
  }

  /** Clock tick: time-slice accounting; a thread of higher priority (or the next of the same, when the slice ended) runs. */
  private tick(): void {
    const k = this.k;
    const cur = k.current;
    let sliceEnded = false;
    if (cur !== k.idle) {
      cur.remainingTicks--;
      if (cur.remainingTicks <= 0) {
        cur.remainingTicks = cur.timesliceTicks;
        k.scheduler.rotate(cur);
        sliceEnded = true;
        k.bump('timesliceEnds');
      }
    }
    const best = k.scheduler.pick();
    if (best && best !== cur && (cur === k.idle || best.prio > cur.prio || sliceEnded)) {
      k.current = best;
      k.bump('preemptions');
    }
  }
}
