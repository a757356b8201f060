// The Figure 6 view against the real farm: a short lmbench sweep over every system of
// the catalogue (a few lmbench tests, short target), submitted to the real API, run by a
// real worker on the emulator, stored in a scratch database on the real PostgreSQL,
// queued on the real Redis; then the page in Debian's chromium. The chart is checked
// by its DATA: one group per test, one dataset per non-native system, each bar the
// slowdown computed from the numbers the API stores.
import type { Page } from 'playwright-core';
import { expectSweepDone, listOf, mean, openDashboardOnRealFarm, readChart } from './support/dashboard';

jest.setTimeout(1_800_000);

const BENCHES = ['lmbench-null', 'lmbench-fork', 'lmbench-pipe', 'lmbench-bw-pipe'];
const SPEC = {
  name: 'browser-fig6',
  systems: 'all',
  benches: BENCHES,
  // the real tests with a 2 ms target: every pass still lasts 2 ms of simulated time
  params: { target_us: 2000 },
};
const METRICS = ['lmb_null_us', 'lmb_fork_us', 'lmb_pipe_us', 'lmb_bw_pipe_mbs'];
const LABELS = ['[lat] null', '[lat] fork', '[lat] pipe', '[bw⁻¹] pipe'];

async function chartData(page: Page) {
  const chart = await readChart(page, 'fig6');
  return { ...chart, systems: listOf(chart.canvas.systems), metrics: listOf(chart.canvas.metrics) };
}

describe('the Figure 6 view against the real farm (lmbench)', () => {
  const dashboard = openDashboardOnRealFarm('browser_fig6', { width: 1400, height: 1000 });
  let sweepId: string;
  let systems: { id: string; title: string; arch: string }[];

  beforeAll(async () => {
    systems = await dashboard.farm.get('/api/catalog/systems');
  });

  it('runs a short lmbench sweep over every system through the farm', async () => {
    const { farm } = dashboard;
    const res = await fetch(`${farm.url}/api/sweeps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SPEC) });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; cells: number };
    sweepId = created.id;
    expect(created.cells).toBe(systems.length * BENCHES.length);
    await farm.waitForSweep(sweepId, 1_500_000);
    await expectSweepDone(farm, sweepId);
  });

  it('links the view from the sweep page', async () => {
    const { farm, page } = dashboard;
    await page.goto(`${farm.url}/sweeps/${sweepId}`);
    const link = page.locator('a[href^="/views/fig6?sweep="]');
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`/views/fig6?sweep=${sweepId}`);
  });

  it("draws every system's slowdown against native Linux from the API's numbers", async () => {
    const { farm, page } = dashboard;
    const rows = (await farm.get(`/api/metrics?sweep=${sweepId}`)).rows as any[];
    const nativeId = systems.find((s) => s.arch === 'native')!.id;
    const others = systems.filter((s) => s.id !== nativeId);
    const value = (system: string, metric: string) => mean(rows.filter((r) => r.system === system && r.metric === metric).map((r) => r.value));

    await page.goto(`${farm.url}/views/fig6?sweep=${sweepId}`);
    await page.waitForSelector('#fig6-table tbody tr');
    const chart = await chartData(page);
    expect(chart.metrics).toEqual(METRICS);
    expect(chart.labels).toEqual(LABELS);
    expect(chart.systems).toEqual(others.map((s) => s.id));
    expect(chart.datasets.map((d) => d.label)).toEqual(others.map((s) => s.title));
    for (const [i, s] of others.entries()) {
      const expected = METRICS.map((m) => (m.endsWith('_mbs') ? value(nativeId, m) / value(s.id, m) : value(s.id, m) / value(nativeId, m)));
      expect(chart.datasets[i].data).toHaveLength(METRICS.length);
      chart.datasets[i].data.forEach((v, j) => expect(v).toBeCloseTo(expected[j], 10));
      // a µ-kernel system is never faster than native Linux at a null system call
      expect(chart.datasets[i].data[0]).toBeGreaterThan(1);
    }

    // the table: native Linux's raw value and each system's value and ratio
    const nullRow = await page.locator('#fig6-table tr[data-metric="lmb_null_us"] td').allTextContents();
    expect(nullRow[0]).toBe('[lat] null');
    expect(nullRow[1]).toBe('µs');
    expect(nullRow[2]).toBe(value(nativeId, 'lmb_null_us').toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
    const ratioCell = await page.locator(`#fig6-table tr[data-metric="lmb_null_us"] td.ratio[data-system="${others[0].id}"]`).textContent();
    const ratio = value(others[0].id, 'lmb_null_us') / value(nativeId, 'lmb_null_us');
    expect(ratioCell).toBe(`${ratio.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}×`);
  });

  it('reproduces a narrowed view from its URL alone', async () => {
    const { farm, page } = dashboard;
    const pick = systems.filter((s) => s.arch !== 'native').slice(-1)[0];
    await page.goto(`${farm.url}/views/fig6?sweep=${sweepId}&systems=${pick.id}&scale=linear`);
    await page.waitForSelector('#fig6-table tbody tr');
    const chart = await chartData(page);
    expect(chart.systems).toEqual([pick.id]);
    expect(chart.datasets).toHaveLength(1);
    expect(await page.evaluate(() => (globalThis as any).__charts.fig6.options.scales.y.type)).toBe('linear');
    expect(await page.locator(`#fig6-table th[data-system]`).count()).toBe(1);
  });
});
