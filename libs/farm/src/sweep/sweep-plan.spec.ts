import * as fixtureLab from '../testing/fixture-lab';
import type { LabPort } from '../lab/lab-port';
import { parseSweepSpec } from './sweep-spec';
import { planSweep } from './sweep-plan';

const lab = fixtureLab as unknown as LabPort;

function plan(doc: unknown, ceiling?: number) {
  const parsed = parseSweepSpec(doc);
  if (!parsed.ok) return parsed;
  return planSweep(parsed.value, lab, { ceiling });
}

describe('parseSweepSpec', () => {
  it('reads YAML and JSON text and applies defaults', () => {
    const y = parseSweepSpec('name: s\nsystems: [sim-a]\nbenches: [spin]\nparams:\n  cycles: [1000000, 2000000]\n');
    expect(y.ok && y.value).toMatchObject({ name: 's', priority: 50, params: { cycles: [1000000, 2000000] } });
    const j = parseSweepSpec('{"name":"s","systems":"all","benches":["spin"]}');
    expect(j.ok && j.value.systems).toBe('all');
  });

  it('names the offending field', () => {
    const r = parseSweepSpec({ name: 's', systems: ['sim-a'], benches: ['spin'], priority: 500 });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors[0].field).toBe('priority');
    const u = parseSweepSpec({ name: 's', systems: ['sim-a'], benches: ['spin'], colour: 'red' });
    expect(!u.ok && u.errors[0].message).toMatch(/colour/);
    const bad = parseSweepSpec('name: [unclosed');
    expect(!bad.ok && bad.errors[0].field).toBe('body');
    const both = parseSweepSpec({ name: 's', systems: ['sim-a'], benches: ['spin'], seeds: [1], repeats: 2 });
    expect(!both.ok && both.errors[0].field).toBe('repeats');
  });
});

describe('planSweep', () => {
  it('expands systems × benches × param lists × seeds with one config hash per cell', () => {
    const r = plan({ name: 's', systems: 'all', benches: ['spin'], params: { cycles: [1e6, 2e6], work: 5 }, repeats: 3 });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.value.cells).toHaveLength(2 * 2 * 3);
    expect(new Set(r.value.cells.map((c) => c.configHash)).size).toBe(12);
    expect(r.value.cells[0]).toMatchObject({ system: 'sim-a', bench: 'spin', params: { cycles: 1e6, work: 5, mode: 'ok' }, seed: 1 });
    expect(r.value.cells[0].jobId).toBe(`cell-fixture-1-${r.value.cells[0].configHash}`);
    expect(r.value.cells.map((c) => c.ordinal)).toEqual([...Array(12).keys()]);
  });

  it('gives equal cells equal hashes across sweeps and drops duplicates inside one', () => {
    const a = plan({ name: 'a', systems: ['sim-a'], benches: ['spin'], params: { cycles: 1e6 } });
    const b = plan({ name: 'b', systems: ['sim-a', 'sim-a'], benches: ['spin'], params: { cycles: [1e6, 1e6] }, seeds: [1] });
    if (!a.ok || !b.ok) throw new Error('plan failed');
    expect(b.value.cells).toHaveLength(1);
    expect(b.value.cells[0].configHash).toBe(a.value.cells[0].configHash);
  });

  it.each([
    [{ systems: ['sim-a', 'vax'] }, 'systems[1]', /unknown system 'vax'/],
    [{ benches: ['spin', 'nope'] }, 'benches[1]', /unknown bench 'nope'/],
    [{ params: { colour: 3 } }, 'params.colour', /unknown param/],
    [{ params: { cycles: 'many' } }, 'params.cycles', /must be an integer/],
    [{ params: { cycles: [5, 2.5] } }, 'params.cycles[1]', /must be an integer/],
    [{ params: { cycles: 0 } }, 'params.cycles', /≥ 1/],
    [{ params: { mode: 'dance' } }, 'params.mode', /one of ok, crash, throw/],
    [{ params: { cycles: [1, 2, 3, 4] }, repeats: 3, maxCells: 10 }, 'maxCells', /12 cells, over the limit of 10/],
    [{ maxCells: 10_000_000 }, 'maxCells', /ceiling/],
  ])('refuses %j naming %s', (extra, field, message) => {
    const r = plan({ name: 's', systems: ['sim-a'], benches: ['spin'], ...extra });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0].field).toBe(field);
    expect(r.errors[0].message).toMatch(message);
  });

  it('refuses a huge sweep by counting, before expanding it', () => {
    const big = Array.from({ length: 1000 }, (_, i) => i + 1);
    const r = plan({ name: 's', systems: 'all', benches: ['spin'], params: { cycles: big, work: big } }, 5000);
    expect(!r.ok && r.errors[0].message).toMatch(/2000000 cells/);
  });
});
