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
   * Places every core path once, in a fixed order (the core's paths, then the system
   * calls by number, then the paths added after the first layout), so the layout never
   * depends on what ran before; call it after the server's own paths are placed.
   * Returns the look-up of a core path's native profile and its code in the server.
   */
  placeCorePaths(): (path: string) => CoreProfileInServer {
    const coreCode = new Map<string, ServerCode>();
    const LATE_PATHS = /^(net|fs|block)\./; // core paths added after the first layout (networking, disk): placed last so nothing earlier moves
    for (const [path, p] of Object.entries(CORE_PATHS)) if (!LATE_PATHS.test(path)) coreCode.set(path, this.place(p.code.bytes));
    for (const [name] of Object.entries(NR).sort((a, b) => a[1] - b[1])) coreCode.set(`sys.${name}`, this.place(sysProfile(name).code.bytes));
    // the networking and disk paths (native costs.ts, the same counts) after everything else, as in the native text
    for (const [path, p] of Object.entries(CORE_PATHS)) if (LATE_PATHS.test(path)) coreCode.set(path, this.place(p.code.bytes));
    return (path) => {
      const p = path.startsWith('sys.') ? sysProfile(path.slice(4)) : CORE_PATHS[path];
      const code = coreCode.get(path);
      if (!p || !code) throw new Error(`${this.system}: no cost profile for kernel path ${path}`);
      return { profile: p, code };
    };
  }
}
