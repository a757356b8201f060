// A message inside the kernel (Mach's ipc_kmsg): the header's rights already taken
// out of the sender's space, the body's inline bytes copied in, its port rights
// carried and its out-of-line regions held as vm_map copies.
import type { CarriedRight } from './ipc-space';
import type { Port } from './port';
import type { VmMapCopy } from './vm-map';

export type Descriptor = { kind: 'port'; right: CarriedRight | null } | { kind: 'ool'; copy: VmMapCopy | null; size: number };

export interface KMsg {
  /** msgh_bits without the dispositions (the COMPLEX bit) */
  complex: boolean;
  size: number;
  id: number;
  dest: CarriedRight;
  reply: CarriedRight | null;
  descriptors: Descriptor[];
  /** everything after the header (descriptors area included), as the sender wrote it */
  body: Uint8Array;
  /** the kmsg buffer's address in the kmsg zone (path profiles) */
  buffer: number;
}

export const destPort = (m: KMsg): Port => m.dest.port;
