import { Counters } from './counters';
import { P54C_CONFIG } from './p54c-config';
import { TimingModel } from './timing-model';
import { BranchKind, PairClass, type TimingInfo } from './timing-info';
import { pairable } from './pairing';
import { Pipe } from './btb';
import * as r from './test-rows';

const { EAX, EBX, ECX, EDX, ESI } = r;

/** Issue a straight-line sequence from a warm cache with no memory stalls; total clocks. */
function run(seq: TimingInfo[], model = new TimingModel()): { clocks: number; model: TimingModel } {
  let clocks = 0;
  for (const info of seq) clocks += model.pipeline.issue(info, 0, false);
  return { clocks, model };
}

describe('U/V pairing', () => {
  test('two independent MOVs issue together: 1 clock', () => {
    const { clocks, model } = run([r.movImm(EAX), r.movImm(EBX)]);
    expect(clocks).toBe(1);
    expect(model.counters.pairs).toBe(1);
    expect(model.counters.instructions).toBe(2);
  });

  test('a V instruction reading what U writes does not pair: 2 clocks', () => {
    expect(run([r.movImm(EAX), r.movReg(EBX, EAX)]).clocks).toBe(2);
  });

  test('a V instruction writing what U writes does not pair', () => {
    expect(run([r.movImm(EAX), r.movImm(EAX)]).clocks).toBe(2);
  });

  test('V writing a register U only reads pairs (no anti-dependency rule)', () => {
    expect(run([r.movReg(EBX, EAX), r.movImm(EAX)]).clocks).toBe(1);
  });

  test('MOVZX never pairs, in either position', () => {
    expect(run([r.movzx(EAX, ECX), r.movImm(EBX)]).clocks).toBe(4);
    expect(run([r.movImm(EBX), r.movzx(EAX, ECX)]).clocks).toBe(4);
    expect(run([r.movImm(EBX), r.movzx(EAX, ECX), r.movImm(EDX)]).model.counters.pairs).toBe(0);
  });

  test('ADC pairs in U only', () => {
    expect(run([r.adcReg(EAX, ECX), r.movImm(EBX)]).clocks).toBe(1);
    expect(run([r.movImm(EBX), r.adcReg(EAX, ECX)]).clocks).toBe(2);
  });

  test('CMP + Jcc pair although Jcc reads the flags CMP writes', () => {
    expect(pairable(r.cmpReg(EAX, EBX), r.jcc())).toBe(true);
    const flagReader = r.row({ readsFlags: true, regsWritten: EDX });
    expect(pairable(r.cmpReg(EAX, EBX), flagReader)).toBe(false);
  });

  test('a pair runs in lockstep: ADD [mem],reg (3) with MOV (1) takes 3', () => {
    expect(run([r.addMemReg(ESI, EAX), r.movImm(EBX)]).clocks).toBe(3);
  });

  test('displacement + immediate prevents pairing', () => {
    expect(run([r.movMemImm(ESI), r.movImm(EBX)]).clocks).toBe(2);
    expect(run([r.movImm(EBX), r.movMemImm(ESI)]).clocks).toBe(2);
  });

  test('first execution from a freshly filled line does not pair', () => {
    const model = new TimingModel();
    let clocks = model.pipeline.issue(r.movImm(EAX), 0, true);
    clocks += model.pipeline.issue(r.movImm(EBX), 0, true);
    expect(clocks).toBe(2);
    expect(model.counters.pairs).toBe(0);
  });

  test('a pairing chain: each instruction joins at most one other', () => {
    // four independent MOVs: two pairs, 2 clocks
    expect(run([r.movImm(EAX), r.movImm(EBX), r.movImm(ECX), r.movImm(EDX)]).clocks).toBe(2);
  });
});

describe('x87 pairing', () => {
  test('FXCH behind an FX instruction is free; alone it costs 1', () => {
    expect(run([r.fadd(), r.fxch()]).clocks).toBe(3);
    expect(run([r.movImm(EAX), r.fxch()]).clocks).toBe(2);
    expect(run([r.fxch(), r.fxch()]).clocks).toBe(2);
  });

  test('an FX instruction pairs with nothing but FXCH', () => {
    expect(run([r.fadd(), r.movImm(EAX)]).clocks).toBe(4);
    expect(run([r.movImm(EAX), r.fadd()]).clocks).toBe(4);
  });
});

describe('prefixes', () => {
  test('a prefix costs one clock', () => {
    expect(run([r.movImm16(EAX)]).clocks).toBe(2);
    expect(run([r.movImm16(EAX)]).model.counters.prefixClocks).toBe(1);
  });

  test('a prefixed instruction does not issue in V', () => {
    expect(run([r.movImm(EAX), r.movImm16(EBX)]).clocks).toBe(3);
  });

  test('a prefixed instruction in U still takes a V partner', () => {
    expect(run([r.movImm16(EBX), r.movImm(EAX)]).clocks).toBe(2);
  });
});

describe('address-generation interlock', () => {
  test('using a register for an address right after writing it costs +1', () => {
    const { clocks, model } = run([r.addImm(EBX), r.load(EAX, EBX)]);
    expect(clocks).toBe(3);
    expect(model.counters.agiStalls).toBe(1);
  });

  test('the writer paired with an independent instruction still interlocks the next cycle', () => {
    expect(run([r.addImm(EBX), r.movImm(ECX), r.load(EAX, EBX)]).clocks).toBe(3);
  });

  test('one full issue group in between hides the interlock', () => {
    const { clocks, model } = run([r.addImm(EBX), r.movImm(ECX), r.movImm(EDX), r.movImm(ESI), r.load(EAX, EBX)]);
    expect(clocks).toBe(3);
    expect(model.counters.agiStalls).toBe(0);
  });

  test('an AGI in the V instruction of a pair delays the pair by one clock', () => {
    // (ADD EBX ‖ MOV ECX) ; (MOV EDX ‖ MOV EAX,[EBX])  → 1 + (1 + AGI 1)
    const { clocks, model } = run([r.addImm(EBX), r.movImm(ECX), r.movImm(EDX), r.load(EAX, EBX)]);
    expect(model.counters.pairs).toBe(2);
    expect(clocks).toBe(3);
    expect(model.counters.agiStalls).toBe(1);
    const seq2 = run([r.addImm(EBX), r.movImm(EDX), r.load(EAX, EBX)]);
    expect(seq2.clocks).toBe(3);
  });

  test('serialize() forgets the interlock history', () => {
    const model = new TimingModel();
    model.pipeline.issue(r.addImm(EBX), 0, false);
    model.pipeline.serialize();
    expect(model.pipeline.issue(r.load(EAX, EBX), 0, false)).toBe(1);
  });
});

describe('memory stalls and bank conflicts', () => {
  test('a memory stall adds to the instruction; in a pair both pipes wait', () => {
    const model = new TimingModel();
    expect(model.pipeline.issue(r.load(EAX, ESI), 30, false)).toBe(31);
    expect(model.pipeline.issue(r.load(EDX, ECX), 12, false)).toBe(12); // V: lockstep + its own stall
    expect(model.counters.pairs).toBe(1);
  });

  test('U and V loads from the same bank: V +1', () => {
    const model = new TimingModel();
    model.pipeline.issue(r.load(EAX, ESI), 0, false, 0x1000);
    expect(model.pipeline.issue(r.load(EDX, EBX), 0, false, 0x2020)).toBe(1); // bits 2–4 equal
    expect(model.counters.bankConflicts).toBe(1);
    model.pipeline.issue(r.load(EAX, ESI), 0, false, 0x1000);
    expect(model.pipeline.issue(r.load(EDX, EBX), 0, false, 0x2004)).toBe(0); // next bank
  });
});

describe('branches', () => {
  function loopBranch(model: TimingModel, taken: boolean, pipe: 'U' | 'V'): number {
    if (pipe === 'V') model.pipeline.issue(r.cmpReg(EAX, EBX), 0, false);
    else model.pipeline.serialize();
    // the CPU records the branch while executing it, then issues it
    expect(model.pipeline.branch(0x1010, taken, 0x1000, BranchKind.Jcc)).toBe(0);
    return model.pipeline.issue(r.jcc(), 0, false);
  }

  test('a taken Jcc mispredicts until it is in the BTB, then costs its 1 clock', () => {
    const model = new TimingModel();
    expect(loopBranch(model, true, 'U')).toBe(P54C_CONFIG.mispredictJccU); // BTB miss: predicted not taken
    expect(loopBranch(model, true, 'U')).toBe(1);
    expect(loopBranch(model, true, 'U')).toBe(1);
    expect(model.counters.mispredictions).toBe(1);
  });

  test('the loop exit mispredicts: 4 clocks in U, 5 in V (pair with CMP adds nothing)', () => {
    const u = new TimingModel();
    for (let i = 0; i < 5; i++) loopBranch(u, true, 'U');
    expect(loopBranch(u, false, 'U')).toBe(4);
    const v = new TimingModel();
    for (let i = 0; i < 5; i++) loopBranch(v, true, 'V');
    expect(v.pipeline.lastPipe).toBe(Pipe.V);
    // CMP (1 clock) ‖ Jcc: the Jcc adds 0 + the V misprediction penalty 4 → 5 in all with CMP
    expect(loopBranch(v, false, 'V')).toBe(P54C_CONFIG.mispredictJccV - 1);
  });

  test('2-bit counter: one not-taken does not flip a strongly-taken branch', () => {
    const model = new TimingModel();
    for (let i = 0; i < 3; i++) loopBranch(model, true, 'U');
    expect(loopBranch(model, false, 'U')).toBe(4); // 3 → 2
    expect(loopBranch(model, true, 'U')).toBe(1); // state 2 still predicts taken; → 3
    expect(loopBranch(model, false, 'U')).toBe(4); // 3 → 2
    expect(loopBranch(model, false, 'U')).toBe(4); // 2 predicts taken; → 1
    expect(loopBranch(model, false, 'U')).toBe(1); // 1 predicts not taken; → 0
    expect(loopBranch(model, true, 'U')).toBe(4); // 0 predicts not taken; → 1
    expect(model.predictor.stateOf(0x1010)).toBe(1);
  });

  test('a never-taken branch never enters the BTB and never mispredicts', () => {
    const model = new TimingModel();
    for (let i = 0; i < 10; i++) expect(loopBranch(model, false, 'U')).toBe(1);
    expect(model.predictor.stateOf(0x1010)).toBe(-1);
  });

  test('near JMP: 3 clocks the first time, 1 after', () => {
    const model = new TimingModel();
    const jmpAt = (): number => model.pipeline.branch(0x2000, true, 0x3000, BranchKind.Jmp) + model.pipeline.issue(r.jmp(), 0, false);
    expect(jmpAt()).toBe(P54C_CONFIG.mispredictJmp);
    expect(jmpAt()).toBe(1);
  });

  test('RET to a different address than last time mispredicts (no return stack)', () => {
    const counters = new Counters();
    const model = new TimingModel(P54C_CONFIG, counters);
    const retRow = r.row({ pair: PairClass.NP, clocks: 2, branch: BranchKind.Ret }); // RET: 2 clocks, not pairable
    const ret = (target: number): number => {
      model.pipeline.branch(0x4000, true, target, BranchKind.Ret);
      return model.pipeline.issue(retRow, 0, false);
    };
    expect(ret(0x5000)).toBe(2 + P54C_CONFIG.mispredictJmp - 1);
    expect(ret(0x5000)).toBe(2);
    expect(ret(0x6000)).toBe(2 + P54C_CONFIG.mispredictJmp - 1);
    expect(counters.mispredictions).toBe(2);
  });

  test('an address given signed or unsigned is the same branch', () => {
    const model = new TimingModel();
    expect(model.predictor.branch(0xc0001000, true, 0xc0002000, BranchKind.Jcc, Pipe.U)).toBe(3);
    expect(model.predictor.branch(0xc0001000 | 0, true, 0xc0002000 | 0, BranchKind.Jcc, Pipe.U)).toBe(0);
  });

  test('the BTB is 4-way: a fifth branch in a set evicts the least recently used', () => {
    const model = new TimingModel();
    const b = (eip: number): number => model.predictor.branch(eip, true, 0x9000, BranchKind.Jcc, Pipe.U);
    const set = [0x100, 0x140, 0x180, 0x1c0]; // same set (64 sets, low 6 bits)
    for (const eip of set) expect(b(eip)).toBe(3);
    for (const eip of set) expect(b(eip)).toBe(0);
    expect(b(0x200)).toBe(3); // evicts 0x100 (least recently used)
    expect(b(0x140)).toBe(0);
    expect(b(0x100)).toBe(3);
  });

  test('a misprediction after a fault is forgotten: serialize() drops the recorded branch', () => {
    const model = new TimingModel();
    model.pipeline.branch(0x1010, true, 0x1000, BranchKind.Jcc);
    model.pipeline.serialize(); // the branch instruction faulted before issuing
    expect(model.pipeline.issue(r.movImm(EAX), 0, false)).toBe(1);
    expect(model.counters.branches).toBe(0);
  });

  test('a taken branch ends the first pass through a fresh code line', () => {
    const model = new TimingModel();
    model.hierarchy.fetch(0x1000, 2);
    expect(model.hierarchy.codeFirstPass).toBe(true);
    model.pipeline.branch(0x1000, true, 0x1000, BranchKind.Jcc);
    model.pipeline.issue(r.jcc(), 0, model.hierarchy.codeFirstPass);
    expect(model.hierarchy.codeFirstPass).toBe(false);
  });

  test('far transfers are not predicted and serialize', () => {
    const model = new TimingModel();
    model.pipeline.issue(r.movImm(EAX), 0, false);
    expect(model.pipeline.branch(0x1000, true, 0x2000, BranchKind.Far)).toBe(0);
    expect(model.pipeline.issue(r.movImm(EBX), 0, false)).toBe(1); // cannot pair across
  });
});

describe('issueAfter (pairing decided at decode)', () => {
  test('gives the same clocks and counters as issue() over a mixed stream', () => {
    const rows = [
      r.movImm(EAX),
      r.movReg(EBX, EAX),
      r.load(ECX, EBX),
      r.addImm(EBX),
      r.movzx(EDX, ECX),
      r.adcReg(ESI, EAX),
      r.movImm16(EDX),
      r.addMemReg(ESI, EAX),
      r.fadd(),
      r.fxch(),
      r.cmpReg(EAX, EBX),
      r.jcc(),
    ];
    const a = new TimingModel();
    const b = new TimingModel();
    let x = 7;
    let prev: TimingInfo | null = null;
    let ca = 0;
    let cb = 0;
    for (let i = 0; i < 5000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
      const info = rows[x % rows.length];
      const first = x % 13 === 0;
      const stall = x % 17 === 0 ? 12 : 0;
      if (info.branch === BranchKind.Jcc) {
        a.pipeline.branch(0x100 + (x % 5), (x & 64) !== 0, 0x200, BranchKind.Jcc);
        b.pipeline.branch(0x100 + (x % 5), (x & 64) !== 0, 0x200, BranchKind.Jcc);
      }
      ca += a.pipeline.issue(info, stall, first, x % 3 === 0 ? x & 0xfff : -1);
      // a "block" boundary every 7 instructions: no decode-time partner
      const blockPrev = i % 7 === 0 ? null : prev;
      cb += b.pipeline.issueAfter(info, stall, first, x % 3 === 0 ? x & 0xfff : -1, blockPrev, blockPrev !== null && pairable(blockPrev, info));
      prev = info;
      if (x % 101 === 0) {
        a.pipeline.serialize();
        b.pipeline.serialize();
      }
    }
    expect(cb).toBe(ca);
    expect(b.counters.snapshot()).toEqual(a.counters.snapshot());
    expect(a.counters.pairs).toBeGreaterThan(100);
  });
});
