// The path walk both name spaces share (the in-memory fs and the VFS over mounts): 2.0's
// lookup_dentry/dir_namei shape. Only the one-step lookup (`child`) differs between them.
import { ENAMETOOLONG, ENOENT, ENOTDIR, KernelError } from '../errno';
import { NAME_MAX, PATH_MAX } from './ramfs'; // read at call time (ramfs imports this walk)

export interface WalkDir {
  readonly isDir: boolean;
}

/** Resolves all but the last component; `name` is '' when the path names a directory itself ("/", "a/"). */
export function walkParent<I extends WalkDir>(path: string, root: I, cwd: I, child: (dir: I, name: string) => I): { dir: I; name: string } {
  if (path.length === 0) throw new KernelError(ENOENT, 'empty path');
  if (path.length >= PATH_MAX) throw new KernelError(ENAMETOOLONG);
  let dir = path.startsWith('/') ? root : cwd;
  const parts = path.split('/').filter((p) => p.length > 0);
  const trailingSlash = path.endsWith('/');
  if (parts.length === 0) return { dir, name: '' };
  for (let i = 0; i < parts.length - 1; i++) dir = child(dir, parts[i]);
  if (!dir.isDir) throw new KernelError(ENOTDIR);
  const last = parts[parts.length - 1];
  if (last.length > NAME_MAX) throw new KernelError(ENAMETOOLONG);
  if (trailingSlash) {
    const d = child(dir, last);
    if (!d.isDir) throw new KernelError(ENOTDIR);
    return { dir: d, name: '' };
  }
  return { dir, name: last };
}

/** Resolves `path` from `cwd` (absolute paths from the root). */
export function walk<I extends WalkDir>(path: string, root: I, cwd: I, child: (dir: I, name: string) => I): I {
  const { dir, name } = walkParent(path, root, cwd, child);
  return name === '' ? dir : child(dir, name);
}
