import { resolveExperiment } from './resolve';
import { configHash } from './config-hash';

describe('resolveExperiment', () => {
  it('fills defaults and returns plain data', () => {
    const r = resolveExperiment({ system: 'linux', bench: 'getpid' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.spec).toEqual({ system: 'linux', bench: 'getpid', params: { iterations: 10000, repeats: 5 }, seed: 1 });
  });

  it('names the offending field for an unknown system, bench and param', () => {
    const r = resolveExperiment({ system: 'hurd', bench: 'getpid', params: { iterations: 5, nope: 1 } } as never);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.field).sort()).toEqual(['params.iterations', 'params.nope', 'system']);
    expect(r.errors.find((e) => e.field === 'system')!.message).toMatch(/unknown system 'hurd'/);
  });

  it('rejects a wrongly typed param', () => {
    const r = resolveExperiment({ system: 'linux', bench: 'getpid', params: { iterations: '100' as never } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([{ field: 'params.iterations', message: expect.stringMatching(/must be an integer/) }]);
  });
});

describe('configHash', () => {
  it('is the same for the same inputs whatever the key order, and differs when a param changes', () => {
    const a = resolveExperiment({ system: 'linux', bench: 'getpid', params: { iterations: 100, repeats: 2 } });
    const b = resolveExperiment({ system: 'linux', bench: 'getpid', params: { repeats: 2, iterations: 100 } });
    const c = resolveExperiment({ system: 'linux', bench: 'getpid', params: { repeats: 2, iterations: 101 } });
    if (!a.ok || !b.ok || !c.ok) throw new Error('spec should resolve');
    expect(configHash(a.spec)).toBe(configHash(b.spec));
    expect(configHash(a.spec)).not.toBe(configHash(c.spec));
    expect(configHash(a.spec)).toMatch(/^[0-9a-f]{64}$/);
  });
});
