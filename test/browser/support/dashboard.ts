// What every browser test of the dashboard shares: the real farm (support/real-farm),
// Debian's chromium (support/browser) with one page, and the checks that hold after
// every test: no script error on the page, and no request leaving our own server
// (chart.js and everything else come from the farm, never a CDN).
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser';
import { startRealFarm, type RealFarm } from './real-farm';

export interface Dashboard {
  farm: RealFarm;
  page: Page;
}

/**
 * Registers the describe block's hooks: beforeAll starts a farm (scratch database
 * `mklab_<name>`) and opens a page of `viewport` size; afterEach keeps a screenshot
 * when MKLAB_SCREENSHOT_DIR is set and fails the test on page errors or off-site
 * requests; afterAll closes everything. The returned object is filled in by beforeAll.
 */
export function openDashboardOnRealFarm(name: string, viewport: { width: number; height: number }): Dashboard {
  const dashboard = {} as Dashboard;
  let browser: Browser | undefined;
  const pageErrors: string[] = [];
  const offsite: string[] = [];

  beforeAll(async () => {
    dashboard.farm = await startRealFarm(name);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith(dashboard.farm.url) && !r.url().startsWith('data:')) offsite.push(r.url());
    });
    dashboard.page = page;
  });

  afterAll(async () => {
    await browser?.close();
    await dashboard.farm?.close();
  });

  afterEach(async () => {
    // MKLAB_SCREENSHOT_DIR=/some/dir keeps a picture of each page for a human to look at
    if (process.env.MKLAB_SCREENSHOT_DIR) {
      const file = expect.getState().currentTestName?.replace(/[^a-z0-9]+/gi, '-').slice(0, 80) ?? 'page';
      await dashboard.page.screenshot({ path: path.join(process.env.MKLAB_SCREENSHOT_DIR, `${file}.png`), fullPage: true });
    }
    expect(pageErrors).toEqual([]);
    expect(offsite).toEqual([]);
  });

  return dashboard;
}

export interface DrawnChart {
  labels: string[];
  datasets: { label: string; data: (number | null)[] }[];
  /** the canvas's data-* attributes, where the page says what it drew (systems, metric…) */
  canvas: Record<string, string>;
}

/**
 * The data of the chart a view publishes as `window.__charts[name]` on its canvas
 * `#<name>-chart`, checked to be the chart chart.js draws there.
 */
export async function readChart(page: Page, name: string): Promise<DrawnChart> {
  // Runs in the page (the test's tsconfig has no DOM types: the page's globals go through `globalThis`).
  return page.evaluate((chartName) => {
    const w = globalThis as any;
    const chart = w.__charts[chartName];
    if (chart !== w.Chart.getChart(`${chartName}-chart`)) throw new Error(`window.__charts.${chartName} is not the drawn chart`);
    const canvas = w.document.getElementById(`${chartName}-chart`);
    return {
      labels: [...chart.data.labels],
      datasets: chart.data.datasets.map((d: any) => ({ label: d.label, data: [...d.data] })),
      canvas: { ...canvas.dataset },
    };
  }, name);
}

/** A comma-separated list from a canvas data attribute ('' → []). */
export const listOf = (attribute: string | undefined): string[] => (attribute ?? '').split(',').filter(Boolean);

/** Fails with the cells' and runs' own errors when the sweep did not end done. */
export async function expectSweepDone(farm: RealFarm, id: string): Promise<void> {
  const sweep = await farm.get(`/api/sweeps/${id}`);
  if (sweep.status === 'done') return;
  const problems: string[] = [];
  for (const c of sweep.cells) {
    if (c.status === 'done') continue;
    const run = c.runId ? await farm.get(`/api/runs/${c.runId}`) : null;
    problems.push(`${c.system} ${c.bench} seed ${c.seed}: ${c.status} ${c.error ?? ''} ${run?.error ? `${run.error.kind}: ${run.error.message}` : ''}`.trim());
  }
  throw new Error(`sweep ${id} ended ${sweep.status}:\n${problems.join('\n')}`);
}

export const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
