// libs/lab: the experiment catalogue and the one entry point everything above calls.
export * from './types';
export { listSystems, listBenches } from './catalog';
export { resolveExperiment, parseParamText, checkParam } from './resolve';
export type { ResolvedSpec, ResolvedExperiment, SpecError, Resolution } from './resolve';
export { configHash } from './config-hash';
export { canonicalJson } from './canonical-json';
export { runExperiment } from './run-experiment';
export { breakdownsOf, parsePhaseBreakdowns, phaseMetricName } from './breakdown';
export type { Breakdown, PhaseShare } from './breakdown';
export { execProgram } from './exec-program';
export type { ExecRequest, ExecResult } from './exec-program';
export { EMULATOR_VERSION, GIT_SHA } from './version';
export { machineConfig } from './machine-config';
