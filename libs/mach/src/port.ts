// A Mach port: a kernel-protected message queue with one receive right. Its fields
// live in a TypeScript object; its ipc_port slot in the ipc zone (layout.ts) is what
// the path profiles touch. A port whose receive right is destroyed is dead: every
// send and send-once right to it becomes a dead name (looked up lazily, as Mach's
// ipc_right_check does), queued messages are destroyed, blocked senders and waiting
// receivers are woken with an error.
import type { KMsg } from './kmsg';
import type { IpcSpace } from './ipc-space';
import type { Thread } from './thread';
import { IPC_ZONE, kernelLinear, MAX_PORTS, PORT_BYTES } from './layout';

/** Mach's default queue limit (mach/port.h MACH_PORT_QLIMIT_DEFAULT). */
export const QLIMIT_DEFAULT = 5;

export class Port {
  /** the space holding the receive right; null while it is in transit or owned by the kernel */
  receiver: IpcSpace | null = null;
  dead = false;
  readonly queue: KMsg[] = [];
  qlimit = QLIMIT_DEFAULT;
  seqno = 0;
  /** threads blocked sending to a full queue, FIFO */
  readonly blockedSenders: Thread[] = [];
  /** threads waiting in mach_msg receive on this port, FIFO */
  readonly receivers: Thread[] = [];
  /** a port the kernel serves itself (task/thread ports, memory-object control ports, reply ports of blocked faults): the message is handed to this instead of queued */
  kernelServer: ((m: KMsg) => void) | null = null;
  /** what the kernel object is, for messages to kernel ports */
  kobject: unknown = null;
  /** the port set it is a member of (its receiver's), if any */
  set: PortSet | null = null;

  constructor(readonly index: number) {}

  /** linear address of a field of its ipc_port slot (for path profiles) */
  field(offset: number): number {
    return kernelLinear(IPC_ZONE + (this.index % MAX_PORTS) * PORT_BYTES + offset);
  }

  toString(): string {
    return `port ${this.index}`;
  }
}

/**
 * A port set (Mach's ipc_pset): a name its holder receives on to take the first message
 * of any member port (member order), or to wait until one arrives. Members are ports
 * whose receive rights the same space holds; a member that dies leaves the set.
 */
export class PortSet {
  readonly members: Port[] = [];
  /** threads waiting in mach_msg receive on the set, FIFO */
  readonly receivers: Thread[] = [];
  add(p: Port): void {
    if (p.set) p.set.remove(p);
    p.set = this;
    this.members.push(p);
  }
  remove(p: Port): void {
    const i = this.members.indexOf(p);
    if (i >= 0) this.members.splice(i, 1);
    if (p.set === this) p.set = null;
  }
}

export class PortZone {
  private next = 1;
  private readonly free: number[] = [];
  allocate(): Port {
    const index = this.free.pop() ?? this.next++;
    if (index >= MAX_PORTS * 16) throw new Error('mach: out of ports');
    return new Port(index);
  }
  /** A dead port's slot goes back to the zone (rights that still name it keep the object: dead names). */
  release(p: Port): void {
    if (!p.dead) throw new Error(`mach: ${p} is alive`);
    this.free.push(p.index);
  }
}
