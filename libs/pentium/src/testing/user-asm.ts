// A tiny i386 assembler for hand-written user code in kernel tests (L4, Mach): the few instructions
// the tests need, labels, and rel8/rel32 branch fix-ups.
import { hostcallBytes } from '../cpu/stub-code';

export const R = { EAX: 0, ECX: 1, EDX: 2, EBX: 3, ESP: 4, EBP: 5, ESI: 6, EDI: 7 } as const;

export class UserAsm {
  readonly bytes: number[] = [];
  private readonly labels = new Map<string, number>();
  private readonly fixups: { at: number; label: string; size: 1 | 4 }[] = [];

  constructor(readonly origin: number) {}

  private u32(v: number): number[] {
    v >>>= 0;
    return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
  }
  emit(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  label(name: string): this {
    this.labels.set(name, this.origin + this.bytes.length);
    return this;
  }
  addr(name: string): number {
    const a = this.labels.get(name);
    if (a === undefined) throw new Error(`asm: no label ${name}`);
    return a;
  }
  movImm(r: number, v: number): this {
    return this.emit(0xb8 + r, ...this.u32(v));
  }
  /** mov r32, [abs] */
  load(r: number, abs: number): this {
    return this.emit(0x8b, (r << 3) | 5, ...this.u32(abs));
  }
  /** mov [abs], r32 */
  store(abs: number, r: number): this {
    return this.emit(0x89, (r << 3) | 5, ...this.u32(abs));
  }
  /** load r32, [base] */
  loadIndirect(r: number, base: number): this {
    if (base === 4 || base === 5) throw new Error('asm: loadIndirect supports bases other than ESP/EBP');
    return this.emit(0x8b, (r << 3) | base);
  }
  /** add r32, imm32 */
  addImm(r: number, v: number): this {
    return this.emit(0x81, 0xc0 | r, ...this.u32(v));
  }
  /** mov dword [abs], imm32 */
  storeImm(abs: number, v: number): this {
    return this.emit(0xc7, 0x05, ...this.u32(abs), ...this.u32(v));
  }
  int(n: number): this {
    return this.emit(0xcd, n);
  }
  dec(r: number): this {
    return this.emit(0x48 + r);
  }
  inc(r: number): this {
    return this.emit(0x40 + r);
  }
  rdtsc(): this {
    return this.emit(0x0f, 0x31);
  }
  ud2(): this {
    return this.emit(0x0f, 0x0b);
  }
  hostcall(id: number): this {
    return this.emit(...hostcallBytes(id));
  }
  jmp(label: string): this {
    this.emit(0xe9, 0, 0, 0, 0);
    this.fixups.push({ at: this.bytes.length - 4, label, size: 4 });
    return this;
  }
  jnz(label: string): this {
    this.emit(0x0f, 0x85, 0, 0, 0, 0);
    this.fixups.push({ at: this.bytes.length - 4, label, size: 4 });
    return this;
  }
  assemble(): number[] {
    for (const f of this.fixups) {
      const target = this.addr(f.label);
      const rel = (target - (this.origin + f.at + f.size)) | 0;
      const b = this.u32(rel);
      for (let i = 0; i < f.size; i++) this.bytes[f.at + i] = b[i];
    }
    return this.bytes;
  }
}
