// The L4Linux calibration rows (../shared/reference/calibration.md, the paper's Table 2):
// getpid through the IPC libc (l4linux, 526 cycles) and through the trampoline
// (l4linux-trampoline, 753), measured by the unmodified guest benchmark itself
// (guest/bench/getpid.c), with the server in a large address space as in the paper.
// The only fitted value is L4's EXCEPTION_REFLECT_FIT (libs/l4 costs.ts), for the
// trampoline row; the l4linux row is not fitted (SERVER_PATH_FIT = 0).
//
// The same runs with the server in a small address space show the mechanism: no CR3
// load on the process ↔ server switches, so no TLB flush and no refills — fewer
// cycles, fewer TLB misses (counted per call: the difference of two runs of N and 2N
// calls over N).
import * as fs from 'fs';
import * as path from 'path';
import { Machine } from '@mklab/pentium';
import { EXCEPTION_REFLECT_FIT } from '@mklab/l4';
import { bootL4Linux } from './boot';
import { SERVER_PATH_FIT } from './costs';

const PAPER = { ipc: 526, trampoline: 753 } as const; // calibration.md: L4Linux 3.95 µs, trampoline 5.66 µs at 133 MHz
const IMAGE = { ipc: 'l4ipc', trampoline: 'int80' } as const;
const image = (backend: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(__dirname, '../../../../../guest/images', backend, 'getpid')));

function run(variant: 'ipc' | 'trampoline', smallSpaces: boolean, calls: number) {
  const machine = new Machine({ memoryBytes: 64 << 20 });
  const sys = bootL4Linux(machine, { rootfs: { '/bin/getpid': image(IMAGE[variant]) }, init: { path: '/bin/getpid', argv: ['getpid', String(calls), '1'] }, variant, smallSpaces, stdin: 'null' });
  const result = machine.run({ cycleBudget: 2_000_000_000 });
  expect(result).toEqual({ reason: 'stopped', stopReason: 'init-exited' });
  const m = /^getpid_cycles (-?\d+(?:\.\d+)?) cycles$/m.exec(sys.stdout());
  if (!m) throw new Error(`no getpid_cycles line in: ${sys.stdout()}`);
  return { cycles: Number(m[1]), counters: machine.counters.snapshot() as Record<string, number> };
}

interface Row {
  cycles: number;
  perCall: Record<string, number>;
}

function measure(variant: 'ipc' | 'trampoline', smallSpaces: boolean): Row {
  const n = 1000;
  const a = run(variant, smallSpaces, n);
  const b = run(variant, smallSpaces, 2 * n);
  const perCall: Record<string, number> = {};
  for (const k of ['itlbMisses', 'dtlbMisses', 'tlbFlushes', 'kernel.ipcs', 'kernel.addressSpaceSwitches', 'kernel.cr3Loads', 'kernel.smallSpaceSwitches', 'kernel.exceptionReflections', 'kernel.syscalls']) {
    perCall[k] = ((b.counters[k] ?? 0) - (a.counters[k] ?? 0)) / n;
  }
  return { cycles: b.cycles, perCall };
}

describe('L4Linux getpid against the calibration rows', () => {
  const rows: Record<string, Row> = {};
  beforeAll(() => {
    for (const v of ['ipc', 'trampoline'] as const) for (const small of [false, true]) rows[`${v}${small ? '.small' : ''}`] = measure(v, small);
    const line = (name: string, r: Row, paper?: number) =>
      `${name}: ${r.cycles.toFixed(1)} cycles${paper ? ` (paper ${paper}, ${(((r.cycles - paper) / paper) * 100).toFixed(1)}%)` : ''}; per call ${Object.entries(r.perCall)
        .map(([k, v]) => `${k.replace('kernel.', '')} ${v.toFixed(2)}`)
        .join(', ')}`;
    console.log(
      [
        `fitted: EXCEPTION_REFLECT_FIT = ${EXCEPTION_REFLECT_FIT} instructions (libs/l4 costs.ts), SERVER_PATH_FIT = ${SERVER_PATH_FIT}`,
        line('l4linux', rows.ipc, PAPER.ipc),
        line('l4linux-trampoline', rows.trampoline, PAPER.trampoline),
        line('l4linux, server in a small space', rows['ipc.small']),
        line('l4linux-trampoline, server in a small space', rows['trampoline.small']),
      ].join('\n'),
    );
  }, 600_000);

  it('l4linux (IPC libc): within 5% of 526 cycles, unfitted', () => {
    expect(SERVER_PATH_FIT).toBe(0);
    expect(Math.abs(rows.ipc.cycles - PAPER.ipc) / PAPER.ipc).toBeLessThan(0.05);
    expect(rows.ipc.perCall['kernel.syscalls']).toBeCloseTo(1, 1);
    expect(rows.ipc.perCall['kernel.ipcs']).toBeCloseTo(2, 1); // the call and the reply
    expect(rows.ipc.perCall['kernel.exceptionReflections']).toBeCloseTo(0, 1);
  });

  it('l4linux-trampoline: within 5% of 753 cycles; every call is one reflected #GP plus the same two IPCs', () => {
    expect(Math.abs(rows.trampoline.cycles - PAPER.trampoline) / PAPER.trampoline).toBeLessThan(0.05);
    expect(rows.trampoline.perCall['kernel.exceptionReflections']).toBeCloseTo(1, 1);
    expect(rows.trampoline.perCall['kernel.ipcs']).toBeCloseTo(2, 1);
  });

  it('large spaces: two address-space switches per call, each a CR3 load that empties the TLBs', () => {
    for (const r of [rows.ipc, rows.trampoline]) {
      expect(r.perCall['kernel.addressSpaceSwitches']).toBeCloseTo(2, 1);
      expect(r.perCall['kernel.cr3Loads']).toBeCloseTo(2, 1);
      expect(r.perCall.tlbFlushes).toBeCloseTo(2, 1);
      expect(r.perCall.itlbMisses + r.perCall.dtlbMisses).toBeGreaterThan(4);
    }
  });

  it('small spaces: the server switch reloads segments instead of CR3 — no flush, fewer TLB misses, fewer cycles', () => {
    for (const v of ['ipc', 'trampoline']) {
      const large = rows[v];
      const small = rows[`${v}.small`];
      expect(small.perCall.tlbFlushes).toBeCloseTo(0, 1);
      expect(small.perCall['kernel.cr3Loads']).toBeCloseTo(0, 1);
      expect(small.perCall['kernel.smallSpaceSwitches']).toBeGreaterThan(0);
      expect(small.perCall.itlbMisses).toBeLessThan(large.perCall.itlbMisses);
      expect(small.perCall.dtlbMisses).toBeLessThan(large.perCall.dtlbMisses);
      expect(small.cycles).toBeLessThan(large.cycles - 50);
    }
  });
});
