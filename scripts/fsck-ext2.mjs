#!/usr/bin/env node
// Checks an ext2 image (a disk image file, or a file system at a byte offset in one)
// with our fsck (libs/linux/src/core/fs/ext2/fsck.ts) and reports every inconsistency.
// Needs the build (`npm run build`; MKLAB_DIST names another build directory). Exit
// status: 0 clean, 1 problems, 2 bad usage.
//
//   node scripts/fsck-ext2.mjs disk.img [--offset BYTES]
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const entry = path.join(process.env.MKLAB_DIST ?? path.join(root, 'dist'), 'libs/linux/src/index.js');

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
const offArg = args.indexOf('--offset');
const offset = offArg >= 0 ? Number(args[offArg + 1]) : 0;
if (!file || !Number.isInteger(offset) || offset < 0) {
  console.error('usage: node scripts/fsck-ext2.mjs IMAGE [--offset BYTES]');
  process.exit(2);
}
if (!existsSync(entry)) {
  console.error(`fsck-ext2: ${entry} is missing; run \`npm run build\` first`);
  process.exit(2);
}
if (!existsSync(file)) {
  console.error(`fsck-ext2: no such file: ${file}`);
  process.exit(2);
}
const { fsck, ImageBlocks, MemoryMedium } = require(entry);
const data = new Uint8Array(readFileSync(file));
if (data.length < offset + 2048) {
  console.error(`fsck-ext2: ${file} is too short to hold a file system at offset ${offset}`);
  process.exit(2);
}
const report = fsck(new ImageBlocks(new MemoryMedium(data), offset), 1000);
for (const p of report.problems) console.log(p);
console.log(`${file}: ${report.ok ? 'clean' : `${report.problems.length} problem(s)`}; ${report.stats.inodes} inodes in use, ${report.stats.dirs} directories, ${report.stats.blocks} data blocks`);
process.exit(report.ok ? 0 : 1);
