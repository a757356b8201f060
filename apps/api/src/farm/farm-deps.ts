// What the API's controllers are given (bound once in FarmApiModule).
import type { FarmQueueDriver, LabPort, SweepService } from '@mklab/farm';
import type { FarmQueries } from '@mklab/db';

export const FARM_DEPS = Symbol('FARM_DEPS');

export interface FarmApiDeps {
  lab: LabPort;
  queries: FarmQueries;
  sweeps: SweepService;
  queue: FarmQueueDriver;
}
