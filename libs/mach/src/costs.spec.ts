import { pathIssueClocks } from '@mklab/pentium';
import { ANCHOR, copyProfile, ENTRY_EXIT_INSTRUCTIONS, MACH_COSTS, ONE_WAY_MESSAGE_INSTRUCTIONS, PATH_CODE_END, PATH_CODE_START } from './costs';
import { KERNEL_TEXT, KERNEL_TEXT_BYTES, kernelLinear } from './layout';

describe('Mach cost table', () => {
  it('derives its path lengths from the 486 anchors (calibration.md) and splits them without loss', () => {
    expect(ANCHOR.machEntryExit486).toBe(900);
    expect(ENTRY_EXIT_INSTRUCTIONS).toBe(389);
    expect(MACH_COSTS.trapEntry.instructions + MACH_COSTS.trapExit.instructions).toBe(ENTRY_EXIT_INSTRUCTIONS);
    expect(ONE_WAY_MESSAGE_INSTRUCTIONS).toBe(1026);
    // the one-way split for a message with a reply right (costs.ts note 2) adds up to ≈ the anchored count
    const c = MACH_COSTS;
    const split =
      c.msgValidate.instructions + c.msgKmsg.instructions + 2 * c.msgRightCopyin.instructions + 2 * c.msgCopySetup.instructions + c.msgQueue.instructions +
      c.threadSwitch.instructions + c.msgDequeue.instructions + c.msgReceiveLookup.instructions + 2 * c.msgRightCopyout.instructions;
    expect(split).toBe(1050);
    expect(Math.abs(split - ONE_WAY_MESSAGE_INSTRUCTIONS) / ONE_WAY_MESSAGE_INSTRUCTIONS).toBeLessThan(0.03);
    // on the Pentium: 20% paired, segment loads at 11 clocks
    expect(pathIssueClocks(c.trapEntry) + pathIssueClocks(c.trapExit)).toBeGreaterThan(300);
  });

  it('every path has a source and its code inside kernel text, after the stubs', () => {
    for (const p of Object.values(MACH_COSTS)) {
      expect(p.source.length).toBeGreaterThan(10);
      expect(p.code.start).toBeGreaterThanOrEqual(kernelLinear(PATH_CODE_START));
      expect(p.code.start + p.code.bytes).toBeLessThanOrEqual(kernelLinear(KERNEL_TEXT + KERNEL_TEXT_BYTES));
    }
    expect(PATH_CODE_END).toBeLessThanOrEqual(KERNEL_TEXT + KERNEL_TEXT_BYTES);
    expect(copyProfile(100).extraClocks).toBe(3 + 25);
  });
});
