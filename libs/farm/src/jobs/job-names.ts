// Every job the farm's queue carries. Each name has exactly one handler
// (job-registry.ts checks this when a worker starts).
export enum FarmJobName {
  /** one experiment cell of a sweep: a child of the sweep's flow */
  RunCell = 'run-cell',
  /** the sweep's parent job: runs once every cell job has finished */
  FinishSweep = 'finish-sweep',
}

export const FARM_QUEUE = 'mklab-farm';

export interface RunCellJobData {
  sweepId: string;
  configHash: string;
  emulatorVersion: string;
  system: string;
  bench: string;
  params: Record<string, number | string | boolean>;
  seed: number;
  cycleBudget?: number;
}

export interface FinishSweepJobData {
  sweepId: string;
}

export interface FarmJobData {
  [FarmJobName.RunCell]: RunCellJobData;
  [FarmJobName.FinishSweep]: FinishSweepJobData;
}
