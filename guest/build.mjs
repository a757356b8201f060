#!/usr/bin/env node
// Builds every guest program into guest/images/<backend>/<name>, deterministically:
// the same sources give byte-identical images whatever the checkout path (relative
// source paths, -ffile-prefix-map, no debug info, no build id, deterministic archive).
//
//   node guest/build.mjs [--out DIR] [--obj DIR] [--backend int80] [--quiet]
//
// Programs and their image names:
//   guest/bench/<x>.c          -> <x>            (benchmarks: getpid, ...)
//   guest/bench/<d>/*.c        -> <d>            (a benchmark of several files: lmbench)
//   guest/bin/<x>.c            -> <x>            (the tools programs exec: sh, hello, true, ...)
//   guest/tests/<x>.c          -> test-<x>       (differential tests)
//   guest/tests/instr/<x>.S    -> instr-<x>      (generated instruction tests, linked
//                                                 with guest/tests/instr/runtime.c)
// Every program links against the guest libc (guest/libc) built for the backend.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const guestDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(guestDir, '..');

/** The flags every translation unit gets (contracts.md, "guest/"). */
export const CFLAGS = [
  '-m32',
  '-march=pentium',
  '-O2',
  '-ffreestanding',
  '-nostdlib',
  '-static',
  '-fno-pie',
  '-no-pie',
  '-fno-stack-protector',
  '-fno-asynchronous-unwind-tables',
  '-fno-builtin',
  '-nostdinc',
  '-Wall',
];
/** The libc also must not have its own loops turned into calls to memset/memcpy. */
const LIBC_EXTRA = ['-fno-tree-loop-distribute-patterns'];
const LDFLAGS = ['-Wl,--build-id=none', '-Wl,-z,noexecstack', '-Wl,-z,noseparate-code'];
export const BACKENDS = ['int80', 'l4ipc'];

function parseArgs(argv) {
  const opts = { out: join(guestDir, 'images'), obj: join(guestDir, 'build'), backends: BACKENDS, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') opts.out = resolve(argv[++i]);
    else if (a === '--obj') opts.obj = resolve(argv[++i]);
    else if (a === '--backend') opts.backends = [argv[++i]];
    else if (a === '--quiet') opts.quiet = true;
    else throw new Error(`guest/build.mjs: unknown argument '${a}'`);
  }
  for (const b of opts.backends) {
    if (!BACKENDS.includes(b)) throw new Error(`guest/build.mjs: unknown backend '${b}' (known: ${BACKENDS.join(', ')})`);
  }
  return opts;
}

const rel = (p) => relative(root, p) || '.';
const sorted = (dir, ext) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(ext))
        .sort()
    : [];

const subdirs = (dir) =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort()
    : [];

/** The programs to build: { name, srcs } with srcs relative to the repository root. */
export function listPrograms() {
  const progs = [];
  for (const f of sorted(join(guestDir, 'bench'), '.c')) progs.push({ name: basename(f, '.c'), srcs: [`guest/bench/${f}`] });
  for (const d of subdirs(join(guestDir, 'bench'))) {
    const srcs = sorted(join(guestDir, 'bench', d), '.c').map((f) => `guest/bench/${d}/${f}`);
    if (srcs.length) progs.push({ name: d, srcs });
  }
  for (const f of sorted(join(guestDir, 'bin'), '.c')) progs.push({ name: basename(f, '.c'), srcs: [`guest/bin/${f}`] });
  for (const f of sorted(join(guestDir, 'tests'), '.c')) progs.push({ name: `test-${basename(f, '.c')}`, srcs: [`guest/tests/${f}`] });
  for (const f of sorted(join(guestDir, 'tests', 'instr'), '.S'))
    progs.push({ name: `instr-${basename(f, '.S')}`, srcs: [`guest/tests/instr/${f}`] });
  const seen = new Set();
  for (const p of progs) {
    if (seen.has(p.name)) throw new Error(`guest/build.mjs: two programs would be named '${p.name}'`);
    seen.add(p.name);
  }
  return progs;
}

function libcSources(backend) {
  const srcs = ['guest/libc/crt/start.S'];
  for (const f of sorted(join(guestDir, 'libc', 'src'), '.c')) srcs.push(`guest/libc/src/${f}`);
  for (const f of sorted(join(guestDir, 'libc', 'src'), '.S')) srcs.push(`guest/libc/src/${f}`);
  srcs.push(`guest/libc/sys/${backend}.c`);
  return srcs;
}

function run(cmd, args, quiet) {
  if (!quiet) process.stdout.write(`  ${cmd} ${args.join(' ')}\n`);
  execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

export function build(argv = []) {
  const opts = parseArgs(argv);
  const common = [
    ...CFLAGS,
    `-ffile-prefix-map=${root}=.`,
    '-Iguest/libc/include',
  ];
  const built = [];
  for (const backend of opts.backends) {
    const objDir = join(opts.obj, backend);
    const outDir = join(opts.out, backend);
    rmSync(objDir, { recursive: true, force: true });
    mkdirSync(join(objDir, 'libc'), { recursive: true });
    mkdirSync(outDir, { recursive: true });
    const defs = [`-DLIBC_BACKEND_${backend.toUpperCase()}`];

    // the libc: start.o apart, everything else into a deterministic archive
    const libcObjs = [];
    let startObj = '';
    for (const src of libcSources(backend)) {
      const obj = join(objDir, 'libc', basename(src).replace(/\.[cS]$/, '.o'));
      run('gcc', [...common, ...LIBC_EXTRA, ...defs, '-Iguest/libc/src', '-c', src, '-o', rel(obj)], opts.quiet);
      if (src.endsWith('crt/start.S')) startObj = obj;
      else libcObjs.push(obj);
    }
    const archive = join(objDir, 'libc.a');
    run('ar', ['rcsD', rel(archive), ...libcObjs.map(rel)], opts.quiet);

    // the instruction tests share a hand-written runtime
    const instrRuntime = join(objDir, 'instr-runtime.o');
    if (listPrograms().some((p) => p.name.startsWith('instr-'))) {
      run('gcc', [...common, ...defs, '-c', 'guest/tests/instr/runtime.c', '-o', rel(instrRuntime)], opts.quiet);
    }

    for (const prog of listPrograms()) {
      const objs = prog.srcs.map((src, i) => join(objDir, prog.srcs.length === 1 ? `${prog.name}.o` : `${prog.name}.${i}.${basename(src, '.c')}.o`));
      const image = join(outDir, prog.name);
      const extra = prog.name.startsWith('instr-') ? [rel(instrRuntime)] : [];
      prog.srcs.forEach((src, i) => run('gcc', [...common, ...defs, '-c', src, '-o', rel(objs[i])], opts.quiet));
      run('gcc', [...CFLAGS, ...LDFLAGS, '-o', rel(image), rel(startObj), ...objs.map(rel), ...extra, rel(archive)], opts.quiet);
      built.push(rel(image));
    }
  }
  return built;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const images = build(process.argv.slice(2));
    process.stdout.write(`built ${images.length} images\n`);
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
