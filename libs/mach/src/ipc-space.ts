// A task's port name space (Mach's ipc_space): names → rights. Send and receive
// rights for one port share one name, and send rights carry user references
// (urefs); every send-once right has its own name; a right to a dead port turns into
// a dead name when the name is next looked up. Names are (index << 8) | generation,
// as Mach's MACH_PORT_MAKE(index, gen).
import { Port, PortSet } from './port';
import { ENTRY_BYTES, ENTRY_TABLE_BYTES, ENTRY_TABLES, kernelLinear, MAX_SPACES } from './layout';
import { MSG_TYPE, PORT_RECEIVE, PORT_SEND, PORT_SEND_ONCE, PORT_TYPE } from './message';

export const R_SEND = 1,
  R_RECEIVE = 2,
  R_SEND_ONCE = 4,
  R_DEAD = 8,
  R_PORT_SET = 16;

export interface Entry {
  name: number;
  port: Port | null;
  rights: number;
  /** user references of the send right (or of the dead name) */
  urefs: number;
  /** the port set a port-set name denotes */
  set?: PortSet;
}

/** A right in transit (inside a message). */
export interface CarriedRight {
  port: Port;
  /** PORT_SEND, PORT_SEND_ONCE or PORT_RECEIVE */
  type: number;
}

export class RightError extends Error {}

export class IpcSpace {
  readonly entries = new Map<number, Entry>();
  private readonly byPort = new Map<Port, Entry>();
  private nextIndex = 1;

  constructor(readonly id: number) {}

  /** linear address of the entry slot of `name` (for path profiles: its ipc_entry table) */
  entryAddress(name: number): number {
    const index = (name >>> 8) % (ENTRY_TABLE_BYTES / ENTRY_BYTES);
    return kernelLinear(ENTRY_TABLES + (this.id % MAX_SPACES) * ENTRY_TABLE_BYTES + index * ENTRY_BYTES);
  }

  private newName(): number {
    return ((this.nextIndex++ << 8) | 3) >>> 0;
  }

  /** The entry for `name`, with a right to a dead port converted to a dead name. */
  lookup(name: number): Entry | undefined {
    const e = this.entries.get(name >>> 0);
    if (e && e.port && e.port.dead && e.rights & (R_SEND | R_SEND_ONCE)) {
      if (this.byPort.get(e.port) === e) this.byPort.delete(e.port);
      e.rights = R_DEAD;
      e.urefs = Math.max(1, e.urefs);
      e.port = null;
    }
    return e;
  }

  /** mach_port_type: the MACH_PORT_TYPE_* bits of `name` (0 when the name is unused). */
  typeOf(name: number): number {
    const e = this.lookup(name);
    if (!e) return 0;
    let t = 0;
    if (e.rights & R_SEND) t |= PORT_TYPE.SEND;
    if (e.rights & R_RECEIVE) t |= PORT_TYPE.RECEIVE;
    if (e.rights & R_SEND_ONCE) t |= PORT_TYPE.SEND_ONCE;
    if (e.rights & R_DEAD) t |= PORT_TYPE.DEAD_NAME;
    if (e.rights & R_PORT_SET) t |= PORT_TYPE.PORT_SET;
    return t;
  }

  /** Enters a right the space receives (from a message or the kernel); returns its name. */
  insert(r: CarriedRight): number {
    if (r.type === PORT_SEND_ONCE) {
      const name = this.newName();
      this.entries.set(name, { name, port: r.port, rights: R_SEND_ONCE, urefs: 1 });
      return name;
    }
    if (r.port.dead && r.type === PORT_SEND) {
      const name = this.newName();
      this.entries.set(name, { name, port: null, rights: R_DEAD, urefs: 1 });
      return name;
    }
    let e = this.byPort.get(r.port);
    if (!e) {
      const name = this.newName();
      e = { name, port: r.port, rights: 0, urefs: 0 };
      this.entries.set(name, e);
      this.byPort.set(r.port, e);
    }
    if (r.type === PORT_SEND) {
      e.rights |= R_SEND;
      e.urefs++;
    } else if (r.type === PORT_RECEIVE) {
      e.rights |= R_RECEIVE;
      r.port.receiver = this;
    } else throw new RightError(`insert: bad right type ${r.type}`);
    return e.name;
  }

  /** mach_port_allocate(MACH_PORT_RIGHT_PORT_SET): a new, empty port set. */
  allocateSet(): number {
    const name = this.newName();
    this.entries.set(name, { name, port: null, rights: R_PORT_SET, urefs: 0, set: new PortSet() });
    return name;
  }

  /** The port set `name` denotes, or undefined. */
  portSet(name: number): PortSet | undefined {
    return this.entries.get(name >>> 0)?.set;
  }

  /** The port whose receive right `name` denotes, or undefined. */
  receivePort(name: number): Port | undefined {
    const e = this.lookup(name);
    return e && e.rights & R_RECEIVE && e.port ? e.port : undefined;
  }

  /**
   * Takes a right out of the space for a message (ipc_right_copyin): `disposition` is
   * one of MSG_TYPE; returns the carried right. Throws RightError when the name does
   * not hold what the disposition needs (the caller turns it into the message error).
   */
  copyin(name: number, disposition: number): CarriedRight {
    const e = this.lookup(name);
    if (!e || !e.port) throw new RightError(`name 0x${(name >>> 0).toString(16)} holds no live right`);
    const port = e.port;
    switch (disposition) {
      case MSG_TYPE.MAKE_SEND:
      case MSG_TYPE.MAKE_SEND_ONCE:
        if (!(e.rights & R_RECEIVE)) throw new RightError('make-send needs the receive right');
        return { port, type: disposition === MSG_TYPE.MAKE_SEND ? PORT_SEND : PORT_SEND_ONCE };
      case MSG_TYPE.COPY_SEND:
        if (!(e.rights & R_SEND)) throw new RightError('copy-send needs a send right');
        return { port, type: PORT_SEND };
      case MSG_TYPE.MOVE_SEND:
        if (!(e.rights & R_SEND)) throw new RightError('move-send needs a send right');
        if (--e.urefs === 0) {
          e.rights &= ~R_SEND;
          this.dropIfEmpty(e);
        }
        return { port, type: PORT_SEND };
      case MSG_TYPE.MOVE_SEND_ONCE:
        if (!(e.rights & R_SEND_ONCE)) throw new RightError('move-send-once needs a send-once right');
        this.entries.delete(e.name);
        return { port, type: PORT_SEND_ONCE };
      case MSG_TYPE.MOVE_RECEIVE:
        if (!(e.rights & R_RECEIVE)) throw new RightError('move-receive needs the receive right');
        e.rights &= ~R_RECEIVE;
        port.receiver = null;
        port.set?.remove(port);
        this.dropIfEmpty(e);
        return { port, type: PORT_RECEIVE };
      default:
        throw new RightError(`bad disposition ${disposition}`);
    }
  }

  /** mach_port_deallocate: one user reference of a send right or dead name, or a send-once right. */
  deallocate(name: number): boolean {
    const e = this.lookup(name);
    if (!e) return false;
    if (e.rights & R_SEND_ONCE) {
      this.entries.delete(e.name);
      return true;
    }
    if (e.rights & (R_SEND | R_DEAD)) {
      if (--e.urefs === 0) {
        e.rights &= ~(R_SEND | R_DEAD);
        this.dropIfEmpty(e);
      }
      return true;
    }
    return false;
  }

  /** mach_port_destroy: every right under `name` goes; returns the port whose receive right went (it dies). */
  destroy(name: number): Port | null {
    const e = this.lookup(name);
    if (!e) return null;
    this.entries.delete(e.name);
    if (e.port && this.byPort.get(e.port) === e) this.byPort.delete(e.port);
    if (e.set) for (const p of [...e.set.members]) e.set.remove(p);
    return e.rights & R_RECEIVE ? e.port : null;
  }

  private dropIfEmpty(e: Entry): void {
    if (e.rights !== 0) return;
    this.entries.delete(e.name);
    if (e.port && this.byPort.get(e.port) === e) this.byPort.delete(e.port);
  }

  /** Every port whose receive right this space holds (for task termination). */
  receiveRights(): Port[] {
    return [...this.entries.values()].filter((e) => e.rights & R_RECEIVE && e.port).map((e) => e.port as Port);
  }
}
