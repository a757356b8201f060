// The one place the farm binds to the real experiment catalogue.
import * as lab from '@mklab/lab';
import type { LabPort } from './lab-port';

export function defaultLab(): LabPort {
  return lab as unknown as LabPort;
}
