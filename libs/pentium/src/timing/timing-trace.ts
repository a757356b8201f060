// A recorder and replayer of the calls a machine makes into its P54C timing model.
//
// Why: the block compiler (docs/design/jit.md, step 3) re-implements the timing model's
// hot operations as Wasm functions. Its oracle is this trace: the calls one real guest
// run made, in order, with their arguments, replayed through the TypeScript model and
// through the new one; every counter and every state field (diffTimingState) must come
// out the same. Replaying the trace alone also measures the timing model's own speed,
// free of the interpreter (scripts/bench-timing.mjs).
//
// Recording: attach() shadows the methods of one model's part *instances* with wrappers
// (other machines in the process are untouched) and detach() removes them. It must
// come before the machine executes anything, as a replay starts from a fresh model. The
// recorded machine may run a little slower afterwards (V8 has seen its parts change
// shape); record on a machine made for the recording.
//
// What is recorded: every top-level call into one TimingModel's parts, by whoever makes
// it (the CPU, the kernels' path charges, the run loop's HLT idling). A call made inside
// another recorded call (Pipeline.issue → MemoryHierarchy.noteTakenBranch,
// TimingModel.pageWalk → MemoryHierarchy.read, …) is the callee's own business and is
// not recorded: replaying the outer call repeats it. `chargePath` is the exception: it
// is decomposed into the calls it makes on the parts (serialize, advance, TLB lookups,
// page walks, fetches, reads, writes), recorded as top-level calls, plus one Path step
// for what it adds to the counters directly (instructions, pairs, pathCharges: the
// deltas seen across the call, as no part it calls touches those three). So a
// replay needs no path profile and no page tables, and a re-implementation of the hot
// operations is checked on the kernels' paths as well.
//
// Encoding: one Int32Array of words. A call is a header word followed by its numeric
// arguments. Header: bits 0–4 the op; bits 5–6 its boolean arguments; bits 7–14 two bits
// per numeric argument telling how to read the word back: as an int32, as a uint32 (a
// linear address ≥ 2^31 keeps its unsigned form; the BTB compares addresses as
// numbers, so the form matters), or as an index into a Float64Array for anything else
// (fractional clocks). Every number therefore replays bit-exactly. TimingInfo rows are
// stored as ids into an interned table (the decoder fills each row once, then never
// changes it; identity matters, as Pipeline.issueAfter compares rows by identity).
import { Counters } from './counters';
import { P54C_CONFIG, type P54CConfig } from './p54c-config';
import type { MemoryHierarchy } from './memory-hierarchy';
import type { Tlb } from './tlb';
import type { Pipeline } from './pipeline';
import { pathIssueClocks, type PathProfile } from './path-profile';
import type { BranchKind, TimingInfo } from './timing-info';
import { TimingModel } from './timing-model';

/** The recorded operations. The comment gives the numeric arguments, then the boolean ones. */
export const enum TraceOp {
  /** hierarchy.fetch(phys, length); fetchLine(phys) records as length 1 */
  Fetch = 1,
  /** hierarchy.read(phys, size) */
  Read = 2,
  /** hierarchy.write(phys, size) */
  Write = 3,
  /** hierarchy.advance(clocks) */
  Advance = 4,
  /** hierarchy.noteTakenBranch() */
  NoteTakenBranch = 5,
  /** hierarchy.flushAll(); [writeBack] */
  FlushAll = 6,
  /** hierarchy.invalidateRange(phys, bytes) */
  InvalidateRange = 7,
  /** itlb.lookup(linear); [large] */
  ItlbLookup = 8,
  /** dtlb.lookup(linear); [large] */
  DtlbLookup = 9,
  /** itlb.flush() */
  ItlbFlush = 10,
  /** dtlb.flush() */
  DtlbFlush = 11,
  /** itlb.invalidate(linear) */
  ItlbInvalidate = 12,
  /** dtlb.invalidate(linear) */
  DtlbInvalidate = 13,
  /** pipeline.issue(info id, memStall, dataPhys); [firstFetch] */
  Issue = 14,
  /** pipeline.issueAfter(info id, memStall, dataPhys, prev id or -1); [firstFetch, pairsPrev] */
  IssueAfter = 15,
  /** pipeline.branch(eip, target, kind); [taken] */
  Branch = 16,
  /** pipeline.serialize() */
  Serialize = 17,
  /** timing.pageWalk(pdePhys, ptePhys, adUpdates) */
  PageWalk = 18,
  /** timing.flushTlbs() */
  FlushTlbs = 19,
  /** timing.invlpg(linear) */
  Invlpg = 20,
  /** timing.idle(clocks) */
  Idle = 21,
  /**
   * What timing.chargePath added to the counters itself: (instructions, pairs,
   * pathCharges, issueClocks). issueClocks only enters the replay's clock sum; the
   * path's calls on the parts are recorded around it as ordinary steps.
   */
  Path = 22,
}

/** Numeric argument count of each op (booleans travel in the header). */
const ARGS: readonly number[] = [0, 2, 2, 2, 1, 0, 0, 2, 1, 1, 0, 0, 1, 1, 3, 4, 3, 0, 3, 0, 1, 1, 4];
const OP_MASK = 31;
const FLAG_SHIFT = 5;
const MODE_SHIFT = 7;
const MODE_INT = 0;
const MODE_UINT = 1;
const MODE_WIDE = 2;

/** The counters the timing model keeps (cycles is the run loop's; traps and the rest are the CPU's and devices'). */
export const TIMING_COUNTERS = [
  'instructions',
  'pairs',
  'l1iMisses',
  'l1dMisses',
  'l1dWriteMisses',
  'l1dWritebacks',
  'l2Misses',
  'dramAccesses',
  'writeBufferStalls',
  'itlbMisses',
  'dtlbMisses',
  'tlbFlushes',
  'tlbInvalidations',
  'pageWalks',
  'branches',
  'mispredictions',
  'agiStalls',
  'prefixClocks',
  'misalignedAccesses',
  'bankConflicts',
  'pathCharges',
] as const satisfies readonly (keyof Counters)[];

export type TimingCounterName = (typeof TIMING_COUNTERS)[number];
export type TimingCounterValues = Record<TimingCounterName, number>;

export function timingCounters(c: Counters): TimingCounterValues {
  const out = {} as TimingCounterValues;
  for (const k of TIMING_COUNTERS) out[k] = c[k];
  return out;
}

/** The counters that differ, as "name: a ≠ b" lines (empty when equal). */
export function diffTimingCounters(a: TimingCounterValues, b: TimingCounterValues): string[] {
  return TIMING_COUNTERS.filter((k) => a[k] !== b[k]).map((k) => `${k}: ${a[k]} ≠ ${b[k]}`);
}

/** One decoded call (for tools and tests; the replay decodes in place). */
export interface TraceCall {
  op: TraceOp;
  /** numeric arguments, as passed */
  args: number[];
  /** the boolean arguments, bit 0 first */
  flags: number;
}

/**
 * A trace as plain data: typed arrays and plain objects, so it can be posted to a worker
 * (a fresh isolate replays without the recorder's shapes in its inline caches) or saved.
 */
export interface TimingTraceData {
  words: Int32Array;
  wide: Float64Array;
  infos: TimingInfo[];
  calls: number;
  liveClocks: number;
  live: TimingCounterValues;
}

/** The timing calls of one run, in order. */
export class TimingTrace {
  private w: Int32Array = new Int32Array(1 << 16);
  private n = 0;
  private wide: Float64Array = new Float64Array(16);
  private nWide = 0;
  private infoTable: TimingInfo[] = [];
  private readonly infoIds = new Map<TimingInfo, number>();
  /** recorded calls */
  calls = 0;
  /**
   * Sum of the clocks the recorded calls returned to their callers in the live run
   * (chargePath counted whole, its inner calls not). The replay's sum must match it.
   */
  liveClocks = 0;
  private startCounters: TimingCounterValues | null = null;
  /** the live run's counter deltas, once detached */
  private live: TimingCounterValues | null = null;
  private detachFn: (() => void) | null = null;
  private model: TimingModel | null = null;

  /** The TimingInfo rows, indexed by the ids in Issue/IssueAfter steps. */
  get infos(): readonly TimingInfo[] {
    return this.infoTable;
  }

  /** Words of the encoded trace in use (its size is 4 bytes a word). */
  get words(): number {
    return this.n;
  }

  /**
   * Record every top-level call into `timing`'s parts until detach(). Nothing may have
   * run on the model but clock advances and TLB flushes (a machine's setup does those):
   * the replay starts from a fresh model.
   */
  attach(timing: TimingModel): this {
    if (this.detachFn !== null || this.startCounters !== null || this.live !== null) throw new Error('TimingTrace.attach: a trace records one model once');
    if (attached.has(timing)) throw new Error('TimingTrace.attach: this timing model already has a trace attached');
    const start = timingCounters(timing.counters);
    const used = TIMING_COUNTERS.filter((k) => k !== 'tlbFlushes' && start[k] !== 0);
    if (used.length > 0) {
      throw new Error(`TimingTrace.attach: the timing model has already run (${used.join(', ')} not 0); attach before the machine executes anything (the replay starts from a fresh model)`);
    }
    this.model = timing;
    this.startCounters = start;
    // Machine setup (segment loads, CR writes) charges clocks before the first
    // instruction: the hierarchy's clock has moved and nothing else has (every other
    // operation leaves a counter). One Advance step puts a fresh model at the same point.
    if (timing.hierarchy.now !== 0) this.put(TraceOp.Advance, 0, timing.hierarchy.now);
    const undo = wrapModel(this, timing);
    attached.add(timing);
    this.detachFn = () => {
      undo();
      attached.delete(timing);
    };
    return this;
  }

  /** Stop recording and restore the model's methods; the counters' deltas are kept. */
  detach(): void {
    if (this.detachFn === null) return;
    this.live = this.liveCounters();
    this.detachFn();
    this.detachFn = null;
    this.model = null;
    // copies, so the trace neither pins the decoder's objects nor sees later changes
    this.infoTable = this.infoTable.map((i) => Object.freeze({ ...i }));
    this.infoIds.clear();
  }

  /** What the recorded run added to each timing counter (up to now while attached). */
  liveCounters(): TimingCounterValues {
    if (this.live !== null) return { ...this.live };
    const start = this.startCounters;
    if (start === null || this.model === null) throw new Error('TimingTrace.liveCounters: never attached');
    const now = timingCounters(this.model.counters);
    const out = {} as TimingCounterValues;
    for (const k of TIMING_COUNTERS) out[k] = now[k] - start[k];
    return out;
  }

  /** The recorded trace as plain data (copies; detach first). */
  toData(): TimingTraceData {
    if (this.detachFn !== null) throw new Error('TimingTrace.toData: detach first');
    return {
      words: this.w.slice(0, this.n),
      wide: this.wide.slice(0, this.nWide),
      infos: this.infoTable.map((i) => ({ ...i })),
      calls: this.calls,
      liveClocks: this.liveClocks,
      live: this.liveCounters(),
    };
  }

  /** A trace from toData()'s output (it is checked as far as the replay needs: op codes and lengths). */
  static fromData(data: TimingTraceData): TimingTrace {
    const t = new TimingTrace();
    t.w = data.words;
    t.n = data.words.length;
    t.wide = data.wide;
    t.nWide = data.wide.length;
    t.infoTable = data.infos;
    t.calls = data.calls;
    t.liveClocks = data.liveClocks;
    t.live = { ...data.live };
    let calls = 0;
    for (let i = 0; i < t.n; calls++) {
      const op = t.w[i] & OP_MASK;
      if (op < 1 || op >= ARGS.length) throw new Error(`TimingTrace.fromData: bad op ${op} at word ${i}`);
      i += 1 + ARGS[op];
      if (i > t.n) throw new Error('TimingTrace.fromData: the last call is cut short');
    }
    if (calls !== data.calls) throw new Error(`TimingTrace.fromData: ${calls} calls in the words, ${data.calls} announced`);
    return t;
  }

  // ---- encoding (the recorder's hot path: one header, then the arguments)

  /** @internal */
  infoId(info: TimingInfo): number {
    let id = this.infoIds.get(info);
    if (id === undefined) {
      id = this.infoTable.length;
      this.infoTable.push(info);
      this.infoIds.set(info, id);
    }
    return id;
  }

  /** @internal Append one call: op, boolean flags, numeric arguments. */
  put(op: TraceOp, flags: number, a = 0, b = 0, c = 0, d = 0): void {
    const argc = ARGS[op];
    if (this.n + 5 > this.w.length) this.grow();
    const at = this.n;
    let modes = 0;
    if (argc > 0) modes |= this.arg(at + 1, a);
    if (argc > 1) modes |= this.arg(at + 2, b) << 2;
    if (argc > 2) modes |= this.arg(at + 3, c) << 4;
    if (argc > 3) modes |= this.arg(at + 4, d) << 6;
    this.w[at] = op | (flags << FLAG_SHIFT) | (modes << MODE_SHIFT);
    this.n = at + 1 + argc;
    this.calls++;
  }

  /** Store `v` at word `at`; returns its mode. */
  private arg(at: number, v: number): number {
    if (v === (v | 0)) {
      this.w[at] = v;
      return MODE_INT;
    }
    if (v === v >>> 0) {
      this.w[at] = v | 0;
      return MODE_UINT;
    }
    if (this.nWide === this.wide.length) {
      const g = new Float64Array(this.wide.length * 2);
      g.set(this.wide);
      this.wide = g;
    }
    this.wide[this.nWide] = v;
    this.w[at] = this.nWide++;
    return MODE_WIDE;
  }

  private grow(): void {
    const g = new Int32Array(this.w.length * 2);
    g.set(this.w.subarray(0, this.n));
    this.w = g;
  }

  // ---- decoding

  /** The recorded calls, decoded (allocates: for tools and tests, not for replay). */
  *decode(): Generator<TraceCall> {
    const w = this.w;
    for (let i = 0; i < this.n; ) {
      const h = w[i];
      const op = (h & OP_MASK) as TraceOp;
      const argc = ARGS[op];
      const args: number[] = [];
      for (let k = 0; k < argc; k++) args.push(this.value(h, k, w[i + 1 + k]));
      yield { op, args, flags: (h >>> FLAG_SHIFT) & 3 };
      i += 1 + argc;
    }
  }

  /** A new trace of the same run with each call passed through `edit` (null drops it). For tests and diagnosis. */
  map(edit: (call: TraceCall, index: number) => TraceCall | null): TimingTrace {
    const t = new TimingTrace();
    t.infoTable = this.infoTable;
    t.liveClocks = this.liveClocks;
    t.live = this.liveCounters();
    let index = 0;
    for (const call of this.decode()) {
      const c = edit(call, index++);
      if (c !== null) t.put(c.op, c.flags, c.args[0], c.args[1], c.args[2], c.args[3]);
    }
    return t;
  }

  /** @internal the replay reads the words in place */
  raw(): { w: Int32Array; n: number; wide: Float64Array; infos: readonly TimingInfo[] } {
    return { w: this.w, n: this.n, wide: this.wide, infos: this.infoTable };
  }

  private value(h: number, k: number, word: number): number {
    return argValue(h, k, word, this.wide);
  }
}

function argValue(h: number, k: number, word: number, wide: Float64Array): number {
  const mode = (h >>> (MODE_SHIFT + 2 * k)) & 3;
  return mode === MODE_INT ? word : mode === MODE_UINT ? word >>> 0 : wide[word];
}

const attached = new WeakSet<TimingModel>();

/**
 * Shadow the instance methods of `timing` and its parts with recording wrappers (the
 * prototypes stay untouched, so other machines in the process run unrecorded). Returns
 * the undo. The wrappers share one depth counter: only depth-0 calls are recorded.
 */
function wrapModel(trace: TimingTrace, timing: TimingModel): () => void {
  const undo: (() => void)[] = [];
  let depth = 0;
  /** inside chargePath: calls are recorded, but their clocks are in chargePath's result */
  let inPath = false;
  let pathInnerClocks = 0;
  const clocks = (c: number): number => {
    if (inPath) pathInnerClocks += c;
    else trace.liveClocks += c;
    return c;
  };

  function shadow<T extends object, K extends keyof T>(obj: T, name: K, make: (orig: T[K]) => T[K]): void {
    const own = Object.prototype.hasOwnProperty.call(obj, name);
    const before = obj[name];
    const orig = (before as unknown as (...a: unknown[]) => unknown).bind(obj) as T[K];
    obj[name] = make(orig);
    undo.push(() => {
      if (own) obj[name] = before;
      else delete (obj as Record<PropertyKey, unknown>)[name as PropertyKey];
    });
  }

  const h: MemoryHierarchy = timing.hierarchy;
  shadow(h, 'fetch', (f) => (phys: number, length: number): number => {
    if (depth !== 0) return f(phys, length);
    trace.put(TraceOp.Fetch, 0, phys, length);
    depth++;
    try {
      return clocks(f(phys, length));
    } finally {
      depth--;
    }
  });
  shadow(h, 'fetchLine', (f) => (phys: number): number => {
    if (depth !== 0) return f(phys);
    // fetchLine(phys) is fetch(phys, 1) by definition; one op fewer for a replayer to implement
    trace.put(TraceOp.Fetch, 0, phys, 1);
    depth++;
    try {
      return clocks(f(phys));
    } finally {
      depth--;
    }
  });
  shadow(h, 'read', (f) => (phys: number, size: number): number => {
    if (depth !== 0) return f(phys, size);
    trace.put(TraceOp.Read, 0, phys, size);
    depth++;
    try {
      return clocks(f(phys, size));
    } finally {
      depth--;
    }
  });
  shadow(h, 'write', (f) => (phys: number, size: number): number => {
    if (depth !== 0) return f(phys, size);
    trace.put(TraceOp.Write, 0, phys, size);
    depth++;
    try {
      return clocks(f(phys, size));
    } finally {
      depth--;
    }
  });
  shadow(h, 'advance', (f) => (c: number): void => {
    if (depth === 0) trace.put(TraceOp.Advance, 0, c);
    depth++;
    try {
      f(c);
    } finally {
      depth--;
    }
  });
  shadow(h, 'noteTakenBranch', (f) => (): void => {
    if (depth === 0) trace.put(TraceOp.NoteTakenBranch, 0);
    depth++;
    try {
      f();
    } finally {
      depth--;
    }
  });
  shadow(h, 'flushAll', (f) => (writeBack: boolean): void => {
    if (depth === 0) trace.put(TraceOp.FlushAll, writeBack ? 1 : 0);
    depth++;
    try {
      f(writeBack);
    } finally {
      depth--;
    }
  });
  shadow(h, 'invalidateRange', (f) => (phys: number, bytes: number): void => {
    if (depth === 0) trace.put(TraceOp.InvalidateRange, 0, phys, bytes);
    depth++;
    try {
      f(phys, bytes);
    } finally {
      depth--;
    }
  });

  const tlb = (t: Tlb, lookup: TraceOp, flush: TraceOp, invalidate: TraceOp): void => {
    shadow(t, 'lookup', (f) => (linear: number, large?: boolean): boolean => {
      if (depth !== 0) return f(linear, large);
      trace.put(lookup, large === true ? 1 : 0, linear);
      depth++;
      try {
        return f(linear, large);
      } finally {
        depth--;
      }
    });
    shadow(t, 'flush', (f) => (): void => {
      if (depth === 0) trace.put(flush, 0);
      depth++;
      try {
        f();
      } finally {
        depth--;
      }
    });
    shadow(t, 'invalidate', (f) => (linear: number): void => {
      if (depth === 0) trace.put(invalidate, 0, linear);
      depth++;
      try {
        f(linear);
      } finally {
        depth--;
      }
    });
  };
  tlb(timing.itlb, TraceOp.ItlbLookup, TraceOp.ItlbFlush, TraceOp.ItlbInvalidate);
  tlb(timing.dtlb, TraceOp.DtlbLookup, TraceOp.DtlbFlush, TraceOp.DtlbInvalidate);

  const p: Pipeline = timing.pipeline;
  shadow(p, 'issue', (f) => (info: TimingInfo, memStall: number, firstFetch: boolean, dataPhys = -1): number => {
    if (depth !== 0) return f(info, memStall, firstFetch, dataPhys);
    trace.put(TraceOp.Issue, firstFetch ? 1 : 0, trace.infoId(info), memStall, dataPhys);
    depth++;
    try {
      return clocks(f(info, memStall, firstFetch, dataPhys));
    } finally {
      depth--;
    }
  });
  shadow(p, 'issueAfter', (f) => (info: TimingInfo, memStall: number, firstFetch: boolean, dataPhys: number, prev: TimingInfo | null, pairsPrev: boolean): number => {
    if (depth !== 0) return f(info, memStall, firstFetch, dataPhys, prev, pairsPrev);
    trace.put(TraceOp.IssueAfter, (firstFetch ? 1 : 0) | (pairsPrev ? 2 : 0), trace.infoId(info), memStall, dataPhys, prev === null ? -1 : trace.infoId(prev));
    depth++;
    try {
      return clocks(f(info, memStall, firstFetch, dataPhys, prev, pairsPrev));
    } finally {
      depth--;
    }
  });
  shadow(p, 'branch', (f) => (eip: number, taken: boolean, target: number, kind: BranchKind): number => {
    if (depth !== 0) return f(eip, taken, target, kind);
    trace.put(TraceOp.Branch, taken ? 1 : 0, eip, target, kind);
    depth++;
    try {
      return clocks(f(eip, taken, target, kind));
    } finally {
      depth--;
    }
  });
  shadow(p, 'serialize', (f) => (): void => {
    if (depth === 0) trace.put(TraceOp.Serialize, 0);
    depth++;
    try {
      f();
    } finally {
      depth--;
    }
  });

  shadow(timing, 'pageWalk', (f) => (pdePhys: number, ptePhys: number, adUpdates: number): number => {
    if (depth !== 0) return f(pdePhys, ptePhys, adUpdates);
    trace.put(TraceOp.PageWalk, 0, pdePhys, ptePhys, adUpdates);
    depth++;
    try {
      return clocks(f(pdePhys, ptePhys, adUpdates));
    } finally {
      depth--;
    }
  });
  shadow(timing, 'flushTlbs', (f) => (): void => {
    if (depth === 0) trace.put(TraceOp.FlushTlbs, 0);
    depth++;
    try {
      f();
    } finally {
      depth--;
    }
  });
  shadow(timing, 'invlpg', (f) => (linear: number): void => {
    if (depth === 0) trace.put(TraceOp.Invlpg, 0, linear);
    depth++;
    try {
      f(linear);
    } finally {
      depth--;
    }
  });
  shadow(timing, 'idle', (f) => (c: number): void => {
    if (depth === 0) trace.put(TraceOp.Idle, 0, c);
    depth++;
    try {
      f(c);
    } finally {
      depth--;
    }
  });
  shadow(timing, 'chargePath', (f) => (profile: PathProfile, reads?: ArrayLike<number>, writes?: ArrayLike<number>): number => {
    if (depth !== 0 || inPath) return f(profile, reads, writes);
    // the path's own calls on the parts are recorded as they happen (depth stays 0);
    // what it adds to the counters directly becomes one Path step after them
    const c = timing.counters;
    const i0 = c.instructions;
    const p0 = c.pairs;
    const n0 = c.pathCharges;
    inPath = true;
    pathInnerClocks = 0;
    let result: number | undefined;
    try {
      result = f(profile, reads, writes);
      return result;
    } finally {
      inPath = false;
      // a path that threw (a kernel bug) keeps the sums consistent: its calls' clocks count, no issue clocks
      const issueClocks = result === undefined ? 0 : pathIssueClocks(profile);
      trace.put(TraceOp.Path, 0, c.instructions - i0, c.pairs - p0, c.pathCharges - n0, issueClocks);
      trace.liveClocks += result === undefined ? pathInnerClocks : result;
    }
  });

  return () => {
    for (let i = undo.length - 1; i >= 0; i--) undo[i]();
  };
}

export interface ReplayResult {
  /** the replay model's counters */
  counters: Counters;
  /** sum of the clocks the replayed calls returned (compare with trace.liveClocks) */
  clocks: number;
  model: TimingModel;
}

/** Replay `trace` through a fresh TimingModel of `config`. */
export function replayTrace(trace: TimingTrace, config: Readonly<P54CConfig> = P54C_CONFIG): ReplayResult {
  const model = new TimingModel(config, new Counters());
  return { counters: model.counters, clocks: replayInto(trace, model), model };
}

/**
 * The parts a replay drives: TimingModel has them; an alternative implementation of the
 * hot operations (the Wasm one of jit.md step 3) can be replayed through the same loop.
 */
export interface ReplayTarget {
  readonly counters: Counters;
  readonly hierarchy: Pick<MemoryHierarchy, 'fetch' | 'read' | 'write' | 'advance' | 'noteTakenBranch' | 'flushAll' | 'invalidateRange'>;
  readonly itlb: Pick<Tlb, 'lookup' | 'flush' | 'invalidate'>;
  readonly dtlb: Pick<Tlb, 'lookup' | 'flush' | 'invalidate'>;
  readonly pipeline: Pick<Pipeline, 'issue' | 'issueAfter' | 'branch' | 'serialize'>;
  pageWalk(pdePhys: number, ptePhys: number, adUpdates: number): number;
  flushTlbs(): void;
  invlpg(linear: number): void;
  idle(clocks: number): void;
}

/**
 * Replay `trace` in order through `target`; returns the sum of the returned clocks.
 * `fast` = false sends every call through the generic step (for tests: both paths must agree).
 */
export function replayInto(trace: TimingTrace, target: ReplayTarget, fast = true): number {
  const { w, n, wide, infos } = trace.raw();
  const h = target.hierarchy;
  const p = target.pipeline;
  const itlb = target.itlb;
  const dtlb = target.dtlb;
  // the boolean arguments' header bits
  const F0 = 1 << FLAG_SHIFT;
  const F1 = 2 << FLAG_SHIFT;
  let sum = 0;
  let i = 0;
  while (i < n) {
    const hd = w[i];
    // The hot calls with every argument an int32 (no mode bits: ~99.5% of cpubench's)
    // read their words in place; the rest decode through the generic step.
    if (fast && hd >>> MODE_SHIFT === 0) {
      switch (hd & OP_MASK) {
        case TraceOp.IssueAfter: {
          const prev = w[i + 4];
          sum += p.issueAfter(infos[w[i + 1]], w[i + 2], (hd & F0) !== 0, w[i + 3], prev < 0 ? null : infos[prev], (hd & F1) !== 0);
          i += 5;
          continue;
        }
        case TraceOp.Fetch:
          sum += h.fetch(w[i + 1], w[i + 2]);
          i += 3;
          continue;
        case TraceOp.Read:
          sum += h.read(w[i + 1], w[i + 2]);
          i += 3;
          continue;
        case TraceOp.Write:
          sum += h.write(w[i + 1], w[i + 2]);
          i += 3;
          continue;
        case TraceOp.DtlbLookup:
          dtlb.lookup(w[i + 1], (hd & F0) !== 0);
          i += 2;
          continue;
        case TraceOp.ItlbLookup:
          itlb.lookup(w[i + 1], (hd & F0) !== 0);
          i += 2;
          continue;
        case TraceOp.Branch:
          sum += p.branch(w[i + 1], (hd & F0) !== 0, w[i + 2], w[i + 3] as BranchKind);
          i += 4;
          continue;
        default:
      }
    }
    const op = hd & OP_MASK;
    const argc = ARGS[op];
    if (argc === undefined || op === 0) throw new Error(`replayTrace: bad op ${op} at word ${i} (corrupt trace)`);
    sum += step(
      target,
      infos,
      op as TraceOp,
      (hd >>> FLAG_SHIFT) & 3,
      argc > 0 ? argValue(hd, 0, w[i + 1], wide) : 0,
      argc > 1 ? argValue(hd, 1, w[i + 2], wide) : 0,
      argc > 2 ? argValue(hd, 2, w[i + 3], wide) : 0,
      argc > 3 ? argValue(hd, 3, w[i + 4], wide) : 0,
    );
    i += 1 + argc;
  }
  return sum;
}

/** One call of any kind, its arguments decoded; returns the clocks it returned (0 for void calls). */
function step(t: ReplayTarget, infos: readonly TimingInfo[], op: TraceOp, flags: number, a: number, b: number, c: number, d: number): number {
  const f0 = (flags & 1) !== 0;
  const f1 = (flags & 2) !== 0;
  switch (op) {
    case TraceOp.Fetch:
      return t.hierarchy.fetch(a, b);
    case TraceOp.Read:
      return t.hierarchy.read(a, b);
    case TraceOp.Write:
      return t.hierarchy.write(a, b);
    case TraceOp.Advance:
      t.hierarchy.advance(a);
      return 0;
    case TraceOp.NoteTakenBranch:
      t.hierarchy.noteTakenBranch();
      return 0;
    case TraceOp.FlushAll:
      t.hierarchy.flushAll(f0);
      return 0;
    case TraceOp.InvalidateRange:
      t.hierarchy.invalidateRange(a, b);
      return 0;
    case TraceOp.ItlbLookup:
      t.itlb.lookup(a, f0);
      return 0;
    case TraceOp.DtlbLookup:
      t.dtlb.lookup(a, f0);
      return 0;
    case TraceOp.ItlbFlush:
      t.itlb.flush();
      return 0;
    case TraceOp.DtlbFlush:
      t.dtlb.flush();
      return 0;
    case TraceOp.ItlbInvalidate:
      t.itlb.invalidate(a);
      return 0;
    case TraceOp.DtlbInvalidate:
      t.dtlb.invalidate(a);
      return 0;
    case TraceOp.Issue:
      return t.pipeline.issue(infos[a], b, f0, c);
    case TraceOp.IssueAfter:
      return t.pipeline.issueAfter(infos[a], b, f0, c, d < 0 ? null : infos[d], f1);
    case TraceOp.Branch:
      return t.pipeline.branch(a, f0, b, c as BranchKind);
    case TraceOp.Serialize:
      t.pipeline.serialize();
      return 0;
    case TraceOp.PageWalk:
      return t.pageWalk(a, b, c);
    case TraceOp.FlushTlbs:
      t.flushTlbs();
      return 0;
    case TraceOp.Invlpg:
      t.invlpg(a);
      return 0;
    case TraceOp.Idle:
      t.idle(a);
      return 0;
    case TraceOp.Path:
      t.counters.instructions += a;
      t.counters.pairs += b;
      t.counters.pathCharges += c;
      return d;
  }
}

/** A timing model's state, flattened: path → number, flag or typed array (see diffTimingState). Plain data: it can be posted to a worker. */
export type TimingState = Record<string, unknown>;

/**
 * Every number, flag and typed array reachable from the model's parts (cache and TLB
 * tags, LRU bits, the BTB, write-buffer times, the clocks, the pipeline's open pair…),
 * private fields included, the counters and the path MMU left out. Reflection, because
 * the parts keep their state private; this is for differential checks, not for the run.
 */
export function timingState(model: TimingModel): TimingState {
  const out: TimingState = {};
  flattenState(model, 'timing', out, new Set());
  return out;
}

/**
 * Where two timing models' states differ, as "path: a ≠ b" lines (empty when equal). For
 * the differential tests of jit.md step 3: after a replay, a re-implementation must agree
 * on all of the state, not only on the counters.
 */
export function diffTimingState(a: TimingModel | TimingState, b: TimingModel | TimingState): string[] {
  const fa = a instanceof TimingModel ? timingState(a) : a;
  const fb = b instanceof TimingModel ? timingState(b) : b;
  const out: string[] = [];
  for (const key of new Set([...Object.keys(fa), ...Object.keys(fb)])) {
    const va = fa[key];
    const vb = fb[key];
    if (ArrayBuffer.isView(va) && ArrayBuffer.isView(vb)) {
      const x = va as unknown as ArrayLike<number>;
      const y = vb as unknown as ArrayLike<number>;
      if (x.length !== y.length) out.push(`${key}: length ${x.length} ≠ ${y.length}`);
      else {
        for (let i = 0; i < x.length; i++) {
          if (!Object.is(x[i], y[i])) {
            out.push(`${key}[${i}]: ${x[i]} ≠ ${y[i]}`);
            break;
          }
        }
      }
    } else if (!Object.is(va, vb)) out.push(`${key}: ${String(va)} ≠ ${String(vb)}`);
  }
  return out;
}

const STATE_SKIP = new Set(['counters', 'mmu', 'config']);

function flattenState(obj: object, path: string, out: TimingState, seen: Set<object>): void {
  // a part reached twice (the pipeline's hierarchy is the model's) is listed once
  if (seen.has(obj)) return;
  seen.add(obj);
  for (const [key, v] of Object.entries(obj)) {
    if (STATE_SKIP.has(key) || typeof v === 'function') continue;
    const at = `${path}.${key}`;
    if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v)) flattenState(v as object, at, out, seen);
    else out[at] = v;
  }
}
