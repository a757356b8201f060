// What the x87 needs from the CPU that runs it. The CPU implements this (or passes
// itself, if its methods already match); tests implement it over a Uint8Array.

export interface FpuHost {
  /** Linear-address memory access through segmentation/paging; may throw a guest fault. */
  readLinear8(la: number): number;
  readLinear16(la: number): number;
  readLinear32(la: number): number;
  writeLinear8(la: number, v: number): void;
  writeLinear16(la: number, v: number): void;
  writeLinear32(la: number, v: number): void;
  /** General registers (Reg.EAX = 0 …), unsigned 32-bit: used by FNSTSW AX. */
  getReg(r: number): number;
  setReg(r: number, v: number): void;
  /** Raise a CPU exception (#UD = 6 for undefined x87 encodings); does not return. */
  raiseException(vector: number): never;
}

/** The x87 exception-vector numbers the FPU may ask the CPU to raise. */
export const FPU_VECTOR_UD = 6;
