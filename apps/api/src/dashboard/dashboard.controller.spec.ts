import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import * as path from 'node:path';
import { DASHBOARD_ROUTES, DashboardModule } from './dashboard.module';
import { findPublicDir } from './public-assets';

describe('DashboardModule', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [DashboardModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    // As the API sets it up: everything under /api except the dashboard's own routes.
    app.setGlobalPrefix('api', { exclude: DASHBOARD_ROUTES });
    await app.init();
  });

  afterAll(async () => {
    await app.close();
  });

  it.each([
    ['/', 'Sweeps'],
    ['/sweeps/7', 'Sweep'],
    ['/views/getpid?sweep=7', 'getpid'],
    ['/views/fig6?sweep=7', 'lmbench (Figure 6)'],
    ['/runs/12', 'Run'],
  ])('serves the page %s outside the /api prefix', async (url, title) => {
    const res = await request(app.getHttpServer()).get(url).expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain(`<title>${title}`);
  });

  it('serves chart.js from node_modules, not a CDN', async () => {
    const res = await request(app.getHttpServer()).get('/assets/vendor/chart.umd.min.js').expect(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.text).toMatch(/Chart\.js v4\./);
  });

  it('serves the page scripts and the stylesheet', async () => {
    await request(app.getHttpServer()).get('/assets/js/getpid-page.js').expect(200).expect('content-type', /javascript/);
    await request(app.getHttpServer()).get('/assets/js/fig6-model.js').expect(200).expect('content-type', /javascript/);
    await request(app.getHttpServer()).get('/assets/css/dashboard.css').expect(200).expect('content-type', /text\/css/);
  });

  it('refuses names that are not a listed asset', async () => {
    await request(app.getHttpServer()).get('/assets/js/nope.js').expect(404);
    await request(app.getHttpServer()).get('/assets/js/..%2Findex.html').expect(404);
    await request(app.getHttpServer()).get('/assets/css/..%2F..%2Fsrc%2Fmain.ts').expect(404);
  });

  it('leaves /api to the API', async () => {
    await request(app.getHttpServer()).get('/api/sweeps').expect(404);
  });
});

describe('findPublicDir', () => {
  const sources = path.resolve(__dirname, '../../public');
  it('finds the pages from the sources and from the build in dist/', () => {
    expect(findPublicDir(__dirname)).toBe(sources);
    const repo = path.resolve(__dirname, '../../../..');
    expect(findPublicDir(path.join(repo, 'dist/apps/api/src/dashboard'))).toBe(sources);
  });
  it('says where it looked when the pages are missing', () => {
    expect(() => findPublicDir('/nowhere/a/b/c/d/e')).toThrow(/no public directory with index.html among \/nowhere/);
  });
});
