// Test helper: a TypeScript thread at user level that runs a list of Mach traps, one
// per trip round its loop (kernel.ts startUserThread), each step seeing the previous
// trap's result; and builders for messages in the thread's memory.
import type { MachKernel, UserThreadContext } from '../kernel';
import type { Task } from '../task';
import type { Thread } from '../thread';
import { H, MACH_MSGH_BITS_COMPLEX, MACH_MSG_OOL_DESCRIPTOR, MACH_MSG_PORT_DESCRIPTOR } from '../message';

export type Step = (ctx: UserThreadContext, last: number) => void;

export interface Script {
  thread: Thread;
  /** EAX after each trap, in order */
  results: number[];
  done: boolean;
}

/** Runs `steps` (each must set up one trap with ctx.trap); after the last, the thread parks in a receive nobody answers and `onDone` runs. */
export function scriptThread(kernel: MachKernel, task: Task, steps: Step[], opts: { priority?: number; onDone?: () => void } = {}): Script {
  const s: Script = { thread: null as unknown as Thread, results: [], done: false };
  let i = 0;
  const park = task.space.insert({ port: kernel.ports.allocate(), type: 16 });
  s.thread = kernel.startUserThread(
    task,
    (cpu, ctx) => {
      if (i > 0) s.results.push(cpu.getReg(0) >>> 0);
      if (i < steps.length) {
        steps[i](ctx, i > 0 ? s.results[i - 1] : 0);
        i++;
        return;
      }
      if (!s.done) {
        s.done = true;
        opts.onDone?.();
      }
      ctx.trap(-25, [0x1000, 2, 0, 0, park, 0, 0]); // receive forever
    },
    opts.priority,
  );
  return s;
}

export interface MsgSpec {
  bits: number;
  remote: number;
  local?: number;
  id?: number;
  ports?: { name: number; disposition: number }[];
  ool?: { address: number; size: number; deallocate?: boolean }[];
  inline?: number[];
}

/** Writes a message at `at` in the thread's memory; returns its size. */
export function writeMsg(ctx: UserThreadContext, at: number, m: MsgSpec): number {
  const descs: number[] = [];
  for (const p of m.ports ?? []) descs.push(p.name, 0, (p.disposition << 16) | (MACH_MSG_PORT_DESCRIPTOR << 24));
  for (const o of m.ool ?? []) descs.push(o.address, o.size, (o.deallocate ? 1 : 0) | (1 << 8) | (MACH_MSG_OOL_DESCRIPTOR << 24));
  const complex = descs.length > 0;
  const body = complex ? [descs.length / 3, ...descs] : [];
  const words = [...body, ...(m.inline ?? [])];
  const size = 24 + 4 * words.length;
  const hdr = [(m.bits | (complex ? MACH_MSGH_BITS_COMPLEX : 0)) >>> 0, size, m.remote, m.local ?? 0, 0, m.id ?? 0];
  [...hdr, ...words].forEach((w, i) => ctx.write32(at + 4 * i, w >>> 0));
  return size;
}

export const field = (ctx: UserThreadContext, at: number, off: number): number => ctx.read32(at + off);
export { H };
