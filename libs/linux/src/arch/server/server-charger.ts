// Charging the Linux server's work on the CPU, for every single-server arch layer
// (arch/l4, arch/mach): a core path (sys_*, schedule, copies…) runs native's instruction
// counts from its place in the server's text and touches the current task's kernel stack
// and task struct and the server's globals; the server's own paths (ServerProfile)
// touch the server's data. Every address is the server's linear address of a physical
// address in its region (`linear`: 1:1 in a user-level server, the kernel window for a
// co-located one).
import type { Machine, PathProfile } from '@mklab/pentium';
import type { PathTouch } from '../arch';
import type { Task } from '../../core/task';
import { PAGE_SIZE } from '../../core/phys-mem';
import type { CoreProfileInServer, ServerProfile } from './server-text';

export interface ServerChargerOptions {
  machine: Machine;
  /** physical addresses of the server's text and data */
  textBase: number;
  dataBase: number;
  /** the server's global sys_call_table, an offset in its data */
  sysCallTable: number;
  /** the server's linear address of a physical address in its region */
  linear: (phys: number) => number;
  coreProfile: (path: string) => CoreProfileInServer;
  /** what replaces native's 'linux.native.' in a core path's profile name ('l4linux.', 'mklinux.user.') */
  profilePrefix: string;
}

export class ServerCharger {
  constructor(private readonly o: ServerChargerOptions) {}

  /** Core path `path` in the server on behalf of `t`, `units` times its per-unit work, plus the byte ranges it touched. */
  corePath(path: string, t: Task, units: number, touch?: PathTouch): void {
    const o = this.o;
    const { profile: p, code } = o.coreProfile(path);
    let instructions = p.instructions;
    let extra = p.extraClocks;
    if (p.perUnit && units !== 0) {
      instructions = Math.round(instructions + p.perUnit.instructions * units);
      extra += Math.ceil(p.perUnit.extraClocks * units); // whole clocks, as on native
    }
    const reads: number[] = [];
    const writes: number[] = [];
    const resolve = (x: (typeof p.reads)[number]): number | null => {
      switch (x.at) {
        case 'kstack':
          return t.kstackPhys + PAGE_SIZE - x.offset;
        case 'task':
          return t.structPhys + x.offset;
        case 'global':
          return o.dataBase + (x.addr & 0x3ff);
        case 'syscall-table':
          return o.dataBase + o.sysCallTable;
        case 'gdt':
          return null; // the server loads no segment registers
      }
    };
    for (const x of p.reads) {
      const a = resolve(x);
      if (a !== null) reads.push(o.linear(a));
    }
    for (const x of p.writes) {
      const a = resolve(x);
      if (a !== null) writes.push(o.linear(a));
    }
    if (touch) {
      for (const [start, bytes] of touch.read ?? []) for (let a = start & ~31; a < start + bytes; a += 32) reads.push(o.linear(a));
      for (const [start, bytes] of touch.write ?? []) for (let a = start & ~3; a < start + bytes; a += 4) writes.push(o.linear(a));
    }
    const profile: PathProfile = {
      name: p.name.replace('linux.native.', o.profilePrefix),
      instructions,
      pairedFraction: p.pairedFraction,
      extraClocks: extra,
      code: { start: o.linear(o.textBase + code.start), bytes: code.bytes },
      source: p.source,
    };
    o.machine.cpu.charge(o.machine.timing.chargePath(profile, reads, writes));
  }

  /** One of the server's own paths; with `task`, it also reads that task's struct (the request's sender). */
  serverPath(p: ServerProfile, task?: Task): void {
    const o = this.o;
    const profile: PathProfile = { ...p, code: { start: o.linear(o.textBase + p.code.start), bytes: p.code.bytes } };
    const reads = p.reads.map((off) => o.linear(o.dataBase + off));
    const writes = p.writes.map((off) => o.linear(o.dataBase + off));
    if (task) reads.push(o.linear(task.structPhys));
    o.machine.cpu.charge(o.machine.timing.chargePath(profile, reads, writes));
  }
}
