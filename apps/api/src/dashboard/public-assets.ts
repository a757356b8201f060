import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

// Where the dashboard's static files live. From the sources (ts-jest, ts-node) the
// pages sit at apps/api/public beside src/; from the build (dist/apps/api/src/dashboard)
// they are not copied, so we go back up to the repository's apps/api/public.
export function findPublicDir(fromDir: string = __dirname): string {
  const candidates = [
    path.resolve(fromDir, '../../public'),
    path.resolve(fromDir, '../../../../../apps/api/public'),
  ];
  for (const dir of candidates) {
    if (existsSync(path.join(dir, 'index.html'))) return dir;
  }
  throw new Error(`dashboard: no public directory with index.html among ${candidates.join(', ')}`);
}

// chart.js 4 is served from our own node_modules, never from a CDN (the machines have
// no internet, and a page must render the same numbers offline). Its package exports do
// not list the UMD build, so we find it beside the CommonJS entry point.
export function findChartJsUmd(): string {
  const cjsEntry = require.resolve('chart.js');
  const umd = path.join(path.dirname(cjsEntry), 'chart.umd.min.js');
  if (!existsSync(umd)) throw new Error(`dashboard: chart.js UMD build not found at ${umd}`);
  return umd;
}

/** Asset files under a public subdirectory, by name: the only names the asset route serves. */
export function listAssets(dir: string, extensions: string[]): Map<string, string> {
  const assets = new Map<string, string>();
  if (!existsSync(dir)) return assets;
  for (const name of readdirSync(dir)) {
    if (extensions.some((ext) => name.endsWith(ext))) assets.set(name, path.join(dir, name));
  }
  return assets;
}
