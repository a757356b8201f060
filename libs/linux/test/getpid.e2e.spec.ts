import { image, runProgram } from './e2e-helpers';

describe('native Linux runs the getpid benchmark', () => {
  test('boots, runs, exits 0 with result lines', () => {
    const { machine, linux, result } = runProgram({ path: '/bin/getpid', argv: ['getpid', '1000', '2'] }, { '/bin/getpid': image('getpid') });
    // eslint-disable-next-line no-console
    console.log(result, linux.stdout(), linux.stderr(), linux.kernelLog(), machine.counters.snapshot());
    expect(result.reason).toBe('stopped');
    expect(linux.initExit()).toEqual({ code: 0, signal: null });
  });
});
