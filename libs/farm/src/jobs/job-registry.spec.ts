import { FarmJobName } from './job-names';
import { JobHandlerRegistry } from './job-registry';
import { cellJobId } from './job-id';

describe('JobHandlerRegistry', () => {
  const h = async () => undefined;
  it('accepts exactly one handler per job name', () => {
    const r = new JobHandlerRegistry().register(FarmJobName.RunCell, h).register(FarmJobName.FinishSweep, h);
    expect(() => r.assertComplete()).not.toThrow();
    expect(r.handlerFor('run-cell')).toBe(h);
  });
  it('refuses a missing or doubled handler at start-up', () => {
    expect(() => new JobHandlerRegistry().register(FarmJobName.RunCell, h).assertComplete()).toThrow(/'finish-sweep' has no handler/);
    const twice = new JobHandlerRegistry().register(FarmJobName.RunCell, h).register(FarmJobName.RunCell, h).register(FarmJobName.FinishSweep, h);
    expect(() => twice.assertComplete()).toThrow(/'run-cell' has 2 handlers/);
  });
});

describe('cellJobId', () => {
  it('is config hash + emulator version without the characters BullMQ refuses', () => {
    expect(cellJobId('ab'.repeat(32), '0.1.0+abc:1')).toBe(`cell-0.1.0_abc_1-${'ab'.repeat(32)}`);
    expect(() => cellJobId('not-a-hash', '1')).toThrow(/hex digest/);
  });
});
