// The dashboard against the real farm: a getpid sweep submitted with `mklab sweep`,
// run by a real worker on the emulator, stored in a scratch database on the real
// PostgreSQL, queued on the real Redis; then the pages in Debian's chromium. The
// getpid view's chart is checked by its DATA: labels are the systems, the measured
// series equals what the API stores, the paper series equals the reference dataset.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { runSweepCommand } from '../../apps/cli/src/commands/sweep';
import { expectSweepDone, listOf, mean, openDashboardOnRealFarm, readChart } from './support/dashboard';
import type { RealFarm } from './support/real-farm';

jest.setTimeout(900_000);

const SPEC = {
  name: 'browser-getpid',
  systems: 'all',
  benches: ['getpid'],
  // small enough for a test, still the real benchmark: 300 timed calls, 2 samples, one seed
  params: { iterations: 300, repeats: 2 },
};
/** the emulator boots and runs each cell; give each a minute on a loaded machine */
const waitMs = (cells: number) => 120_000 + 60_000 * cells;

interface Cli {
  code: number;
  out: string;
  err: string;
}

async function cli(farm: RealFarm, argv: string[]): Promise<Cli> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runSweepCommand(argv, {
    baseUrl: farm.url,
    pollMs: 200,
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s), isTTY: false },
  });
  return { code, out: out.join(''), err: err.join('') };
}

async function chartData(page: Page) {
  const chart = await readChart(page, 'getpid');
  return { ...chart, systems: listOf(chart.canvas.systems), metric: chart.canvas.metric ?? '' };
}

describe('dashboard against the real farm (getpid)', () => {
  const dashboard = openDashboardOnRealFarm('browser', { width: 1200, height: 900 });
  let sweepId: string;

  it('submits the sweep with the CLI and follows it live on the sweep page until it is done', async () => {
    const { farm, page } = dashboard;
    const dir = mkdtempSync(path.join(tmpdir(), 'mklab-browser-'));
    const specFile = path.join(dir, 'getpid.json');
    writeFileSync(specFile, JSON.stringify(SPEC));
    const submitted = await cli(farm, ['submit', specFile, '--no-wait', '--json']);
    expect(submitted.err).toMatch(/sweep [0-9a-f-]{36}: \d+ cells \(0 from stored results\)/);
    expect(submitted.code).toBe(0);
    const created = JSON.parse(submitted.out);
    sweepId = created.id;
    const systems = await farm.get<{ id: string }[]>('/api/catalog/systems');
    expect(created.cells).toBe(systems.length);

    await page.goto(`${farm.url}/sweeps/${sweepId}`);
    await page.waitForSelector(`tr[data-cell-id]`);
    expect(await page.locator('tr[data-cell-id]').count()).toBe(created.cells);
    // Record every cell status the page shows while it polls (each poll redraws the rows).
    await page.evaluate(() => {
      const w = globalThis as any;
      const seen = new Set<string>();
      const note = () => w.document.querySelectorAll('tr[data-cell-id]').forEach((tr: any) => seen.add(tr.getAttribute('data-status')));
      note();
      new w.MutationObserver(note).observe(w.document.querySelector('#cells tbody'), { childList: true });
      w.__seenStatuses = seen;
    });
    // The page's own polling has to bring it to the end: no reload from the test.
    await page.waitForSelector(['done', 'failed', 'cancelled'].map((st) => `body[data-sweep-status="${st}"]`).join(', '), { timeout: waitMs(created.cells) });
    await expectSweepDone(farm, sweepId);
    // a run lasts seconds and the page polls every second: it showed cells running, live
    expect(await page.evaluate(() => [...(globalThis as any).__seenStatuses])).toEqual(expect.arrayContaining(['running', 'done']));
    const cells = await page.$$eval('tr[data-cell-id]', (rows) =>
      rows.map((r) => ({ status: r.getAttribute('data-status'), progress: Number(r.querySelector('.bar')?.getAttribute('data-progress')), run: r.querySelector('a[href^="/runs/"]')?.getAttribute('href') })),
    );
    const sweep = await farm.get(`/api/sweeps/${sweepId}`);
    expect(cells).toEqual(sweep.cells.map((c: any) => ({ status: 'done', progress: 1, run: `/runs/${c.runId}` })));
    expect(await page.locator('a[href^="/views/getpid?sweep="]').getAttribute('href')).toBe(`/views/getpid?sweep=${sweepId}`);
  });

  it('shows the sweep in the list', async () => {
    const { farm, page } = dashboard;
    await page.goto(farm.url + '/');
    const row = page.locator(`tr[data-sweep-id="${sweepId}"]`);
    await row.waitFor();
    expect(await row.locator('.status').getAttribute('data-status')).toBe('done');
    expect(await row.locator('.bar').getAttribute('data-progress')).toBe('1');
    // the site's top bar, written by js/site-header.js
    expect(await page.locator('mklab-header header.top a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(['/', '/', '/api/docs']);
  });

  it("draws the paper's getpid table from the API's numbers", async () => {
    const { farm, page } = dashboard;
    const metrics = (await farm.get(`/api/metrics?sweep=${sweepId}&bench=getpid`)).rows as any[];
    const reference = await farm.get('/api/reference/sosp97-table2-getpid');
    const catalog = await farm.get<{ id: string; title: string }[]>('/api/catalog/systems');
    expect(metrics.length).toBeGreaterThan(0);

    const paperSystems = [...new Set<string>(reference.rows.map((r: any) => r.system))];
    const measuredSystems = [...new Set<string>(metrics.map((m) => m.system))];
    const systems = [...paperSystems, ...measuredSystems.filter((s) => !paperSystems.includes(s))];
    const title = (id: string) => catalog.find((s) => s.id === id)?.title ?? reference.rows.find((r: any) => r.system === id).systemLabel;
    const measured = (id: string, metric: string) => {
      const values = metrics.filter((m) => m.system === id && m.metric === metric).map((m) => m.value);
      return values.length ? mean(values) : null;
    };
    const paper = (id: string, metric: string) => reference.rows.find((r: any) => r.system === id && r.metric === metric)?.value ?? null;

    await page.goto(`${farm.url}/views/getpid?sweep=${sweepId}`);
    await page.waitForSelector('#getpid-table tbody tr');
    const cycles = await chartData(page);
    expect(cycles.systems).toEqual(systems);
    expect(cycles.labels).toEqual(systems.map(title));
    expect(cycles.metric).toBe('cycles');
    expect(cycles.datasets.map((d) => d.label)).toEqual(['measured (mklab)', "paper (SOSP'97 Table 2)"]);
    expect(cycles.datasets[0].data).toEqual(systems.map((s) => measured(s, 'getpid_cycles')));
    expect(cycles.datasets[1].data).toEqual(systems.map((s) => paper(s, 'getpid_cycles')));
    // the measured series really is measured: every system the sweep ran has a value
    for (const s of measuredSystems) expect(cycles.datasets[0].data[systems.indexOf(s)]).toEqual(expect.any(Number));
    expect(cycles.datasets[1].data).toEqual([223, 526, 753, 2050, 14710]);

    // The table: Linux's row carries the measured and published figures.
    const linux = page.locator('#getpid-table tr[data-system="linux"] td');
    const cells = await linux.allTextContents();
    const linuxCycles = measured('linux', 'getpid_cycles') as number;
    expect(cells[0]).toBe(title('linux'));
    expect(cells[2]).toBe(linuxCycles.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 }));
    expect(cells[4]).toBe('1.00×');
    expect(cells[5]).toBe('223');
    expect(cells[6]).toBe('1.68');
    const error = ((linuxCycles - 223) / 223) * 100;
    expect(cells[7]).toBe(`${error > 0 ? '+' : ''}${error.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`);

    // Switching the chart to µs rewrites the URL and the chart's data.
    await page.locator('input[name="metric"][value="us"]').check();
    expect(new URL(page.url()).searchParams.get('metric')).toBe('us');
    const us = await chartData(page);
    expect(us.metric).toBe('us');
    expect(us.datasets[0].data).toEqual(systems.map((s) => measured(s, 'getpid_us')));
    expect(us.datasets[1].data).toEqual([1.68, 3.95, 5.66, 15.41, 110.6]);
  });

  it('reproduces a view from its URL alone', async () => {
    const { farm, page } = dashboard;
    const metrics = (await farm.get(`/api/metrics?sweep=${sweepId}&bench=getpid&metric=getpid_us`)).rows as any[];
    await page.goto(`${farm.url}/views/getpid?sweep=${sweepId}&systems=l4linux,linux&metric=us&scale=linear`);
    await page.waitForSelector('#getpid-table tbody tr');
    const view = await chartData(page);
    expect(view.systems).toEqual(['linux', 'l4linux']);
    expect(view.metric).toBe('us');
    expect(view.datasets[0].data[0]).toEqual(mean(metrics.filter((m) => m.system === 'linux').map((m) => m.value)));
    expect(view.datasets[1].data).toEqual([1.68, 3.95]);
    expect(await page.evaluate(() => (globalThis as any).__charts.getpid.options.scales.y.type)).toBe('linear');
    expect(await page.locator('#getpid-table tbody tr').count()).toBe(2);
    expect(await page.locator('#systems input[value="mklinux-user"]').isChecked()).toBe(false);
  });

  it('shows a run with its metrics, counters, provenance and guest output', async () => {
    const { farm, page } = dashboard;
    const sweep = await farm.get(`/api/sweeps/${sweepId}`);
    const runId = sweep.cells[0].runId;
    const run = await farm.get(`/api/runs/${runId}`);
    await page.goto(`${farm.url}/runs/${runId}`);
    await page.waitForSelector('#metrics tbody tr');
    const cyclesRow = await page.locator('#metrics tr[data-metric="getpid_cycles"] td').allTextContents();
    const metric = run.metrics.find((m: any) => m.name === 'getpid_cycles');
    expect(cyclesRow[0]).toBe('getpid_cycles');
    expect(Number(cyclesRow[1].replace(/,/g, ''))).toBeCloseTo(metric.value, 3);
    expect(cyclesRow[4].split(', ')).toHaveLength(2); // repeats: 2 samples
    expect(Number((await page.locator('#counters tr[data-counter="cycles"] td').nth(1).textContent())!.replace(/,/g, ''))).toBe(run.counters.cycles);
    expect(await page.locator('#provenance').textContent()).toContain(run.provenance.configHash);
    expect(await page.locator('#stdout').textContent()).toBe(run.output.stdout);
    expect(run.output.stdout).toContain('getpid_cycles');
  });

  it('serves the same sweep from stored results through `mklab sweep submit` and prints its table', async () => {
    const { farm } = dashboard;
    const dir = mkdtempSync(path.join(tmpdir(), 'mklab-browser-'));
    const specFile = path.join(dir, 'getpid.yaml');
    writeFileSync(specFile, `name: browser-getpid again\nsystems: all\nbenches: [getpid]\nparams: {iterations: 300, repeats: 2}\n`);
    const res = await cli(farm, ['submit', specFile]);
    expect(res.code).toBe(0);
    expect(res.err).toMatch(/sweep [0-9a-f-]{36}: (\d+) cells \(\1 from stored results\)/);
    expect(res.err).toMatch(/100%\s+\d+\/\d+ cells · \d+ cached/);
    const metrics = (await farm.get(`/api/metrics?sweep=${sweepId}&bench=getpid&metric=getpid_cycles`)).rows as any[];
    const linux = metrics.find((m) => m.system === 'linux' && m.seed === 1);
    const row = /^linux\s+getpid\s+iterations=300 repeats=2\s+1\s+cached\s+([\d.]+)\s/m.exec(res.out);
    expect(row).not.toBeNull();
    // the CLI prints a value of 100 or more to one decimal
    expect(Math.abs(Number(row![1]) - linux.value)).toBeLessThanOrEqual(0.05);
  });
});
