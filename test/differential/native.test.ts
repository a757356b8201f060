// The native half of the differential tests: every guest image runs directly on this
// x86-64 host and must end as expected, with no self-check failure in its output. This
// guards the oracle: a libc or test-program bug shows up here, before any emulator
// comparison.
import { listImages, programSpec, runNative, hostRunsI386, ending, expectedEnding } from './programs';

const BACKEND = 'int80';
const images = listImages(BACKEND);
const canRun = hostRunsI386(BACKEND);

describe('guest images', () => {
  it('exist for the int80 backend (run `npm run guest:build`)', () => {
    expect(images.length).toBeGreaterThan(0);
    expect(images).toContain('getpid');
  });
});

(canRun ? describe : describe.skip)('native runs (host executes i386 binaries)', () => {
  it.each(images)('%s', (name) => {
    const spec = programSpec(name);
    const run = runNative(BACKEND, name, spec);
    expect(ending(run)).toBe(expectedEnding(spec));
    expect(run.stdout).not.toMatch(/^FAIL /m);
    if (!spec.silent) expect(run.stdout.length).toBeGreaterThan(0);
    for (const shape of spec.timed ?? []) expect(run.stdout).toMatch(shape);
  });

  it('are deterministic: a second run prints the same', () => {
    for (const name of images) {
      const spec = programSpec(name);
      if (spec.timed) continue;
      if (name.startsWith('instr-')) continue; // pure computation: covered by the emulator comparison
      expect({ name, out: runNative(BACKEND, name, spec).stdout }).toEqual({ name, out: runNative(BACKEND, name, spec).stdout });
    }
  });
});
