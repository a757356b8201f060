import * as fs from 'fs';
import * as path from 'path';

/** The checkout's root (the folder whose package.json is mklab's), found from this file's
 *  location so it works from the TypeScript sources (jest) and from dist/ alike. */
export function repoRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if (JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'mklab') return (cachedRoot = dir);
      } catch {
        // not ours; keep walking up
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`mklab: cannot find the repository root above ${__dirname}`);
    dir = up;
  }
}
let cachedRoot: string | null = null;
