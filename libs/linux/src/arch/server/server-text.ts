// The Linux server's own region, as every single-server arch layer (arch/l4, arch/mach)
// lays it out: the first pages of the server's share of physical memory hold its text
// and data; the core's page allocator starts behind them. The text is placed by a cursor
// in a fixed order (the arch's own server paths first, then every core path), so the
// ORDER of `place` calls is the code layout: changing it moves emulated code (and
// changes cache and TLB results).
import type { PathProfile } from '@mklab/pentium';
import { CORE_PATHS, type NativeProfile, sysProfile } from '../native/costs';
import { NR } from '../../core/syscall-numbers';

/** Server text and data: the first pages of the server's share of physical memory. */
export const SERVER_TEXT_BYTES = 0x30000;
export const SERVER_DATA_OFFSET = 0x30000;
export const SERVER_DATA_BYTES = 0x8000;
/** what the server's region reserves before the core's page allocator starts */
export const SERVER_RESERVED = 0x40000;

/** the page size: the alias period of the P54C's 8 KiB 2-way L1 caches */
const PAGE_BYTES = 4096;

/** A path of the server's own (request loop, pager, flush) with the server data it touches. */
export interface ServerProfile extends PathProfile {
  /** offsets into the server's data (globals) the path reads and writes */
  reads: number[];
  writes: number[];
}

/** A code range inside the server's text (offsets; the arch adds the region's base). */
export interface ServerCode {
  start: number;
  bytes: number;
}

/** A core path's profile in the server: native's counts, the server's code placement. */
export interface CoreProfileInServer {
  profile: NativeProfile;
  code: ServerCode;
}

/** The cursor that places code in the server's text, 16-byte aligned, in call order. */
export class ServerText {
  private cursor = 0;

  /** `system` names the server in errors ('L4Linux', 'MkLinux'). */
  constructor(readonly system: string) {}

  place(bytes: number): ServerCode {
    const start = this.cursor;
    this.cursor += (bytes + 15) & ~15;
    if (this.cursor > SERVER_TEXT_BYTES) throw new Error(`${this.system} costs: server text overflow`);
    return { start, bytes };
  }

  /**
   * Places the core's code once, as native Linux links it: the server runs the same
   * Linux kernel with only the architecture-dependent part replaced (kernels.md,
   * "L4Linux"; MkLinux likewise), so the system calls' bodies and the core's paths keep
   * their native order and their native distances from each other (arch/native costs.ts
   * lays out that text). One block, each path at its native offset from the first core
   * path: the core's paths alias among themselves in the caches exactly as on native,
   * and only the server's own code (placed before) differs. Call it after the server's
   * own paths are placed. Returns the look-up of a core path's native profile and its
   * code in the server.
   */
  placeCorePaths(): (path: string) => CoreProfileInServer {
    const native = new Map<string, { start: number; bytes: number }>();
    for (const [path, p] of Object.entries(CORE_PATHS)) native.set(path, p.code);
    for (const [name] of Object.entries(NR)) native.set(`sys.${name}`, sysProfile(name).code);
    let first = Infinity;
    let end = 0;
    for (const c of native.values()) {
      first = Math.min(first, c.start);
      end = Math.max(end, c.start + ((c.bytes + 15) & ~15));
    }
    // the block keeps native's offsets within a page too (the server's region starts on a
    // page boundary): the 8 KiB 2-way I-cache repeats every 4 KiB, so the core's code then
    // meets the processes' code in the same cache sets as on native
    const phase = (first - this.cursor) & (PAGE_BYTES - 1);
    if (phase !== 0) this.place(phase);
    const block = this.place(end - first);
    const coreCode = new Map<string, ServerCode>();
    for (const [path, c] of native) coreCode.set(path, { start: block.start + (c.start - first), bytes: c.bytes });
    return (path) => {
      const p = path.startsWith('sys.') ? sysProfile(path.slice(4)) : CORE_PATHS[path];
      const code = coreCode.get(path);
      if (!p || !code) throw new Error(`${this.system}: no cost profile for kernel path ${path}`);
      return { profile: p, code };
    };
  }
}
