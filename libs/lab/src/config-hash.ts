import { createHash } from 'crypto';
import { canonicalJson } from './canonical-json';
import type { ResolvedSpec } from './resolve';
import { machineConfig } from './machine-config';

/** sha256 over exactly the inputs that change a result (Conbench's "context"): system, bench,
 *  resolved params, seed and the machine configuration. Host, wall time and the emulator's
 *  speed are recorded beside a result but are never part of its identity; the emulator
 *  version is paired with this hash by the farm. */
export function configHash(spec: ResolvedSpec): string {
  const identity = {
    system: spec.system,
    bench: spec.bench,
    params: spec.params,
    seed: spec.seed,
    machine: machineConfig(),
  };
  return createHash('sha256').update(canonicalJson(identity)).digest('hex');
}
