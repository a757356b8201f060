import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from './repo-root';
import type { FileTree } from './catalog/system-entry';

/** The committed guest images of one libc backend (guest/images/<backend>/<name>). */
export function guestImageDir(backend: string): string {
  return path.join(repoRoot(), 'guest', 'images', backend);
}

export function guestImage(backend: string, name: string): Uint8Array {
  const file = path.join(guestImageDir(backend), name);
  if (!fs.existsSync(file)) {
    throw new Error(`guest image '${name}' for the ${backend} backend is missing (${file}); run \`npm run guest:build\``);
  }
  return fs.readFileSync(file);
}

/** The root file system every system boots with: the backend's images under /bin, plus
 *  a few files a Unix program expects. */
export function standardRootfs(backend: string): FileTree {
  // the kernel adds /dev (null, zero, tty, console) and /tmp itself
  const tree: FileTree = { '/etc/hostname': 'mklab\n' };
  const dir = guestImageDir(backend);
  if (fs.existsSync(dir)) {
    for (const name of fs.readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (fs.statSync(file).isFile()) tree[`/bin/${name}`] = fs.readFileSync(file);
    }
  }
  return tree;
}
