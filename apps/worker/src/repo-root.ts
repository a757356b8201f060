import * as fs from 'fs';
import * as path from 'path';

/** The checkout's root, from the sources (jest) or from dist/ alike. */
export function findRepoRoot(from: string): string {
  let dir = from;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'mklab') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the mklab repository above ${from}`);
    dir = up;
  }
}
