// The calibration row native Linux is fitted to (../shared/reference/calibration.md):
// getpid on the 133 MHz Pentium, 223 cycles, within 5%. The guest benchmark measures
// itself with RDTSC; this test only reads its result lines.
import { image, runProgram } from './e2e-helpers';

const PAPER_GETPID_CYCLES = 223; // calibration.md, Table 2: Linux 1.68 µs = 223 cycles

describe('calibration: native getpid', () => {
  test('guest/bench/getpid measures 223 cycles ± 5% per call on native Linux', () => {
    const { linux, result } = runProgram({ path: '/bin/getpid', argv: ['getpid', '2000', '3'] }, { '/bin/getpid': image('getpid') });
    expect(result).toEqual({ reason: 'stopped', stopReason: 'init-exited' });
    expect(linux.initExit()).toEqual({ code: 0, signal: null });
    const out = linux.stdout();
    expect(out).toMatch(/^tsc_mhz 133\.0 MHz$/m);
    const samples = [...out.matchAll(/^getpid_cycles (-?\d+\.\d+) cycles$/gm)].map((m) => Number(m[1]));
    expect(samples).toHaveLength(3);
    for (const c of samples) {
      expect(Math.abs(c - PAPER_GETPID_CYCLES) / PAPER_GETPID_CYCLES).toBeLessThan(0.05);
    }
  });
});
