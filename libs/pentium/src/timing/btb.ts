// The P54C branch target buffer: 256 entries, 4-way (64 sets), looked up by the
// address of the branch instruction; each entry holds the target and a 2-bit
// saturating counter (states 2–3 predict taken) [IPM][AGNER]. A branch enters the BTB
// only when it is taken, in state 3 "strongly taken" [AGNER; Pentium lecture notes:
// "entries put in BTB only on taken branches"]; a BTB miss predicts not taken [IPM].
// There is no return stack on the P54C: RET and indirect jumps are predicted from the
// BTB like any branch (a changed target is a misprediction) [AGNER].
// Replacement: tree pseudo-LRU (plru.ts) [EST]. Set index: the low 6 bits of the
// branch address [EST: Intel does not document the index bits].
import type { Counters } from './counters';
import type { P54CConfig } from './p54c-config';
import { BranchKind } from './timing-info';
import { plru4Touch, plru4Victim } from './plru';
import { HEAP_ARRAYS, type StateArrays } from '../memory/linear-memory';

const INVALID = -1;

export const enum Pipe {
  U = 0,
  V = 1,
}

export class BranchPredictor {
  private readonly setMask: number;
  /** address of the branch, or -1 */
  private readonly tags: Float64Array;
  private readonly targets: Float64Array;
  private readonly state: Uint8Array;
  private readonly plru: Uint8Array;
  private readonly penaltyJccU: number;
  private readonly penaltyJccV: number;
  private readonly penaltyJmp: number;
  /**
   * The previous call's branch and slot, when its entry is in state 3 with the target
   * given: the same branch again, taken to the same target, changes nothing (state
   * saturated, PLRU already pointing away from it) — the tight-loop fast path.
   */
  /** @internal exchanged with the Wasm twin (jit/timing/timing-runtime.ts) */
  repeatEip = -1;
  /** @internal exchanged with the Wasm twin (jit/timing/timing-runtime.ts) */
  repeatTarget = 0;

  constructor(
    config: Pick<P54CConfig, 'btb' | 'mispredictJccU' | 'mispredictJccV' | 'mispredictJmp'>,
    private readonly counters: Counters,
    arrays: StateArrays = HEAP_ARRAYS,
  ) {
    const { entries, ways } = config.btb;
    if (ways !== 4) throw new Error(`BranchPredictor models a 4-way BTB, got ${ways} ways`);
    const sets = entries / ways;
    if (!Number.isInteger(sets) || (sets & (sets - 1)) !== 0) throw new Error(`BTB: ${entries}/${ways} sets is not a power of two`);
    this.setMask = sets - 1;
    this.tags = arrays.f64(entries).fill(INVALID);
    this.targets = arrays.f64(entries);
    this.state = arrays.u8(entries);
    this.plru = arrays.u8(sets);
    // The table gives the total clocks of a mispredicted branch; its base clock is
    // already charged by the pipeline's issue of the branch itself.
    this.penaltyJccU = config.mispredictJccU - 1;
    this.penaltyJccV = config.mispredictJccV - 1;
    this.penaltyJmp = config.mispredictJmp - 1;
  }

  /** the BTB's tables, for the Wasm twin of this model (jit/timing/btb-wasm.ts) */
  get arrays(): { readonly tags: Float64Array; readonly targets: Float64Array; readonly state: Uint8Array; readonly plru: Uint8Array } {
    return { tags: this.tags, targets: this.targets, state: this.state, plru: this.plru };
  }

  /** a snapshot of the repeat filter (tests compare it with the Wasm twin's) */
  scalars(): { repeatEip: number; repeatTarget: number } {
    return { repeatEip: this.repeatEip, repeatTarget: this.repeatTarget };
  }

  /**
   * A near branch at `eip` resolved `taken` to `target`, issued in `pipe`. Updates the
   * BTB and returns the misprediction penalty in clocks (0 when predicted correctly).
   * Far transfers (BranchKind.Far, None) are not predicted and cost nothing here.
   */
  branch(eip: number, taken: boolean, target: number, kind: BranchKind, pipe: Pipe): number {
    if (kind === BranchKind.None || kind === BranchKind.Far) return 0;
    eip >>>= 0; // signed or unsigned, the same branch
    target >>>= 0;
    this.counters.branches++;
    if (eip === this.repeatEip && taken && target === this.repeatTarget) return 0;
    this.repeatEip = -1;
    const set = eip & this.setMask;
    const base = set << 2;
    const tags = this.tags;
    let way = -1;
    if (tags[base] === eip) way = 0;
    else if (tags[base + 1] === eip) way = 1;
    else if (tags[base + 2] === eip) way = 2;
    else if (tags[base + 3] === eip) way = 3;

    let mispredicted: boolean;
    if (way < 0) {
      // BTB miss: predicted not taken
      mispredicted = taken;
      if (taken) {
        if (tags[base] === INVALID) way = 0;
        else if (tags[base + 1] === INVALID) way = 1;
        else if (tags[base + 2] === INVALID) way = 2;
        else if (tags[base + 3] === INVALID) way = 3;
        else way = plru4Victim(this.plru[set]);
        const slot = base + way;
        tags[slot] = eip;
        this.targets[slot] = target;
        this.state[slot] = 3;
        this.plru[set] = plru4Touch(this.plru[set], way);
        this.repeatEip = eip;
        this.repeatTarget = target;
      }
    } else {
      const slot = base + way;
      const s = this.state[slot];
      const predictedTaken = s >= 2;
      mispredicted = predictedTaken ? !taken || this.targets[slot] !== target : taken;
      if (taken) {
        this.state[slot] = s < 3 ? s + 1 : 3;
        this.targets[slot] = target;
      } else if (s > 0) {
        this.state[slot] = s - 1;
      }
      this.plru[set] = plru4Touch(this.plru[set], way);
      if (taken && this.state[slot] === 3) {
        this.repeatEip = eip;
        this.repeatTarget = target;
      }
    }
    if (!mispredicted) return 0;
    this.counters.mispredictions++;
    if (kind === BranchKind.Jcc) return pipe === Pipe.V ? this.penaltyJccV : this.penaltyJccU;
    return this.penaltyJmp;
  }

  /** The predictor's state for `eip` (-1 when not in the BTB); for tests. */
  stateOf(eip: number): number {
    eip >>>= 0;
    const base = (eip & this.setMask) << 2;
    for (let i = 0; i < 4; i++) if (this.tags[base + i] === eip) return this.state[base + i];
    return -1;
  }

  /**
   * Forget everything (reset). MOV CR3 does not flush the BTB in this model: a stale
   * entry only mispredicts, and we know of no documented flush on CR3 loads [EST].
   */
  reset(): void {
    this.repeatEip = -1;
    this.tags.fill(INVALID);
    this.state.fill(0);
    this.plru.fill(0);
  }
}
