import { pathIssueClocks } from '@mklab/pentium';
import { HW_TRANSITION_CLOCKS, IPC_PATH_CLOCKS, L4_COSTS, PATH_CODE_END, PATH_CODE_START, stringCopyProfile } from './costs';
import { KERNEL_TEXT, KERNEL_TEXT_BYTES, kernelLinear } from './layout';

describe('L4 cost table', () => {
  it('the kernel entry and the short IPC path add up to the fitted 121 − hardware transitions', () => {
    expect(HW_TRANSITION_CLOCKS).toBe(91);
    expect(IPC_PATH_CLOCKS).toBe(30);
    expect(pathIssueClocks(L4_COSTS.kernelEntry) + pathIssueClocks(L4_COSTS.ipcShort)).toBe(IPC_PATH_CLOCKS);
  });

  it('every path has a source and its code inside kernel text, after the stubs', () => {
    for (const p of Object.values(L4_COSTS)) {
      expect(p.source.length).toBeGreaterThan(10);
      if (p.name === 'l4.sigma0.request') continue; // re-homed to sigma0's own code page at boot
      expect(p.code.start).toBeGreaterThanOrEqual(kernelLinear(PATH_CODE_START));
      expect(p.code.start + p.code.bytes).toBeLessThanOrEqual(kernelLinear(KERNEL_TEXT + KERNEL_TEXT_BYTES));
    }
    expect(PATH_CODE_END).toBeLessThanOrEqual(KERNEL_TEXT + KERNEL_TEXT_BYTES);
    expect(stringCopyProfile(100).extraClocks).toBe(3 + 25);
  });
});
