import { createHash } from 'crypto';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from './repo-root';

// The emulator version names everything that can change a result: the package version
// plus a digest of the emulator's code (machine, kernels, lab) and of the guest images.
// Result identity in the farm is configHash + EMULATOR_VERSION, so a change to any of
// these makes old results non-reusable instead of silently served.
const CODE_DIRS = ['libs/pentium/src', 'libs/linux/src', 'libs/l4/src', 'libs/mach/src', 'libs/lab/src'];

function emulatorDigest(root: string): string {
  // Hash the code that is actually running: the compiled JavaScript when this module runs
  // from dist/, the TypeScript sources when it runs from them (jest). Hashing the sources
  // while running dist/ would name an edit that was never built.
  const base = __dirname.split(path.sep).includes('dist') ? path.join(root, 'dist') : root;
  const hash = createHash('sha256');
  const files = [...CODE_DIRS.flatMap((d) => listFiles(path.join(base, d))), ...listFiles(path.join(root, 'guest/images'))];
  for (const file of files) {
    if (/\.(spec|test)\.(ts|js)$/.test(file) || /\.d\.ts$|\.map$/.test(file)) continue;
    hash.update(path.relative(file.startsWith(base) ? base : root, file));
    hash.update(fs.readFileSync(file));
  }
  return hash.digest('hex').slice(0, 12);
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(p));
    else if (/\.(ts|js)$/.test(entry.name) || p.includes(`guest${path.sep}images`)) out.push(p);
  }
  return out;
}

function readGitSha(root: string): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

const root = repoRoot();
const pkgVersion: string = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;

export const EMULATOR_VERSION = `${pkgVersion}+${emulatorDigest(root)}`;
/** recorded in provenance only; never part of a result's identity */
export const GIT_SHA = readGitSha(root);
