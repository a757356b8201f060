// The emulator half of the differential tests: every guest image runs natively on this
// host and under each emulated system of the catalogue (listSystems()), and stdout and
// the way the program ended must be identical. Benchmarks (timed output) are checked
// for the shape of their result lines only.
import * as fs from 'fs';
import * as path from 'path';
import { execProgram, listSystems } from '@mklab/lab';
import { ending, expectedEnding, hostRunsI386, imageDir, listImages, oracleBackend, programSpec, runNative, type ProgramRun } from './programs';

/** Programs known to differ on a system, with the reason; they run as `test.failing`,
 *  so the list must shrink as soon as one starts to pass. */
const KNOWN_DIVERGENCES: Record<string, Record<string, string>> = {
  linux: {
    'test-x87-ext':
      'x87: arithmetic (FADD FSUB FMUL FDIV FSQRT FSCALE FPREM FPREM1 FXTRACT) on operands a double ' +
      'cannot hold (64-bit significand, exponent beyond double range) is computed in double; with an ' +
      'infinite operand, 0 + inf raises OE|PE and, under 24-bit precision, inf + 0 gives 2^1024. ' +
      'Loads, stores, FIST, compares and FXAM are exact. `test-x87-ext -v` lists every result.',
  },
  l4linux: {
    'test-x87-ext': 'the same x87 limitation as on linux (the FPU is shared by every system)',
  },
  'l4linux-trampoline': {
    'test-x87-ext': 'the same x87 limitation as on linux (the FPU is shared by every system)',
  },
  'mklinux-inkernel': {
    'test-x87-ext': 'the same x87 limitation as on linux (the FPU is shared by every system)',
  },
  'mklinux-user': {
    'test-x87-ext': 'the same x87 limitation as on linux (the FPU is shared by every system)',
  },
};

/** Simulated cycles allowed per program: far more than any needs (the biggest
 *  instruction test runs some 10^8 cycles; test-signals waits 1 s for an alarm). */
const CYCLE_BUDGET = 20_000_000_000;

/** The first differing line with a little context, instead of a diff of megabytes. */
function firstDifference(expected: string, actual: string): string | null {
  if (expected === actual) return null;
  const e = expected.split('\n');
  const a = actual.split('\n');
  let i = 0;
  while (i < e.length && i < a.length && e[i] === a[i]) i++;
  const from = Math.max(0, i - 3);
  return [
    `stdout differs at line ${i + 1} (native ${e.length} lines, emulated ${a.length} lines)`,
    ...e.slice(from, i).map((l) => `    ${l}`),
    `  native:   ${e[i] ?? '<end of output>'}`,
    `  emulated: ${a[i] ?? '<end of output>'}`,
  ].join('\n');
}

const systems = listSystems().filter((s) => listImages(s.libcBackend).length > 0);

describe('emulated systems', () => {
  it('include at least one system with guest images', () => {
    expect(systems.length).toBeGreaterThan(0);
  });
});

for (const system of systems) {
  const backend = system.libcBackend;
  const oracle = oracleBackend(backend);
  const canRunNative = hostRunsI386(oracle);
  (canRunNative ? describe : describe.skip)(`${system.id}: same output as the native run`, () => {
    const known = KNOWN_DIVERGENCES[system.id] ?? {};
    for (const name of listImages(backend)) {
      const spec = programSpec(name);
      const title = known[name] ? `${name} (known divergence: ${known[name]})` : name;
      const body = async (): Promise<void> => {
        const image = fs.readFileSync(path.join(imageDir(backend), name));
        const emu = await execProgram({ system: system.id, image, argv: [name, ...spec.args], env: [...spec.env, ...(spec.needsBin ? ['GUEST_BIN=/bin'] : [])], cycleBudget: CYCLE_BUDGET });
        expect(emu.error).toBeUndefined();
        const emulated: ProgramRun = { stdout: emu.stdout, exitStatus: emu.exitStatus, termSignal: emu.termSignal };
        if (spec.timed) {
          expect(ending(emulated)).toBe(expectedEnding(spec));
          for (const shape of spec.timed) expect(emulated.stdout).toMatch(shape);
          return;
        }
        const native = runNative(oracle, name, spec);
        expect(ending(native)).toBe(expectedEnding(spec));
        expect(firstDifference(native.stdout, emulated.stdout)).toBeNull();
        expect(ending(emulated)).toBe(ending(native));
      };
      if (oracle !== backend && name.startsWith('instr-')) {
        // The instruction tests print data addresses, which move when the system-call
        // stub changes size (call vs int); the forms themselves run on every system in
        // their int 0x80 build.
        it.skip(`${name} (output depends on the image layout; covered by the int80 build)`, body);
      } else if (known[name]) it.failing(title, body, 600_000);
      else it(title, body, 600_000);
    }
  });
}
