// The Figure 6 view against the real farm: a short lmbench sweep over every system of
// the catalogue (a few lmbench tests, short target), submitted to the real API, run by a
// real worker on the emulator, stored in a scratch database on the real PostgreSQL,
// queued on the real Redis; then the page in Debian's chromium. The chart is checked
// by its DATA: one group per test, one dataset per non-native system, each bar the
// slowdown computed from the numbers the API stores.
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startRealFarm, type RealFarm } from './support/real-farm';

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

interface ChartData {
  labels: string[];
  datasets: { label: string; data: (number | null)[] }[];
  systems: string[];
  metrics: string[];
}

async function chartData(page: Page): Promise<ChartData> {
  return page.evaluate(() => {
    const w = globalThis as any;
    const chart = w.__charts.fig6;
    if (chart !== w.Chart.getChart('fig6-chart')) throw new Error('window.__charts.fig6 is not the drawn chart');
    const canvas = w.document.getElementById('fig6-chart');
    return {
      labels: [...chart.data.labels],
      datasets: chart.data.datasets.map((d: any) => ({ label: d.label, data: [...d.data] })),
      systems: (canvas.dataset.systems ?? '').split(',').filter(Boolean),
      metrics: (canvas.dataset.metrics ?? '').split(',').filter(Boolean),
    };
  });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('the Figure 6 view against the real farm (lmbench)', () => {
  let farm: RealFarm;
  let browser: Browser;
  let page: Page;
  let sweepId: string;
  let systems: { id: string; title: string; arch: string }[];
  const pageErrors: string[] = [];
  const offsite: string[] = [];

  beforeAll(async () => {
    farm = await startRealFarm('browser_fig6');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith(farm.url) && !r.url().startsWith('data:')) offsite.push(r.url());
    });
    systems = await farm.get('/api/catalog/systems');
  });

  afterAll(async () => {
    await browser?.close();
    await farm?.close();
  });

  afterEach(async () => {
    // MKLAB_SCREENSHOT_DIR=/some/dir keeps a picture of each page for a human to look at
    if (process.env.MKLAB_SCREENSHOT_DIR) {
      const name = expect.getState().currentTestName?.replace(/[^a-z0-9]+/gi, '-').slice(0, 80) ?? 'page';
      await page.screenshot({ path: path.join(process.env.MKLAB_SCREENSHOT_DIR, `${name}.png`), fullPage: true });
    }
    expect(pageErrors).toEqual([]);
    expect(offsite).toEqual([]);
  });

  it('runs a short lmbench sweep over every system through the farm', async () => {
    const res = await fetch(`${farm.url}/api/sweeps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SPEC) });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; cells: number };
    sweepId = created.id;
    expect(created.cells).toBe(systems.length * BENCHES.length);
    const sweep = await farm.waitForSweep(sweepId, 1_500_000);
    const problems: string[] = [];
    for (const c of sweep.cells.filter((c: any) => c.status !== 'done')) {
      const run = c.runId ? await farm.get(`/api/runs/${c.runId}`) : null;
      problems.push(`${c.system} ${c.bench}: ${c.status} ${run?.error ? `${run.error.kind}: ${run.error.message}` : ''}`);
    }
    expect(problems).toEqual([]);
    expect(sweep.status).toBe('done');
  });

  it('links the view from the sweep page', async () => {
    await page.goto(`${farm.url}/sweeps/${sweepId}`);
    const link = page.locator('a[href^="/views/fig6?sweep="]');
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`/views/fig6?sweep=${sweepId}`);
  });

  it("draws every system's slowdown against native Linux from the API's numbers", async () => {
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
