// The one place the farm binds to the real experiment catalogue. Loaded lazily
// so that a process given another catalogue (MKLAB_LAB_MODULE, the farm's
// tests) never loads the emulator into its main thread.
import * as path from 'path';
import type { LabPort } from './lab-port';

export function defaultLab(): LabPort {
  const override = process.env.MKLAB_LAB_MODULE;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (override ? require(path.resolve(override)) : require('@mklab/lab')) as LabPort;
}
