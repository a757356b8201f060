// The guest programs the differential tests run, and what each must do natively.
// Every image in guest/images/<backend>/ is covered: a program without an entry here
// runs with no arguments and must exit 0 with output free of "FAIL" lines.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export function imageDir(backend: string): string {
  return path.join(REPO_ROOT, 'guest', 'images', backend);
}

/** Image names of one backend, sorted; [] when the backend has no images. */
export function listImages(backend: string): string[] {
  const dir = imageDir(backend);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort();
}

export interface ProgramSpec {
  /** argv after argv[0] (argv[0] is the image name) */
  args: string[];
  env: string[];
  /** the program execs other images from $GUEST_BIN: the only variable that differs
   *  between native (the image directory) and emulated (/bin) runs; never printed */
  needsBin?: boolean;
  /** the expected ending: exit status, or the signal that kills it */
  exit: { status: number } | { signal: number };
  /** output depends on timing (benchmarks): compared by shape, not byte for byte */
  timed?: RegExp[];
  /** the program prints nothing by design (true, rm): no "some output" check */
  silent?: boolean;
}

/** One fixed environment for every run, native and emulated. */
export const GUEST_ENV = ['HOME=/home/guest', 'PATH=/bin:/usr/bin', 'TERM=dumb', 'EMPTY='];

/** The shell's test: lists, pipelines, redirections, quoting, expansions, status,
 *  builtins; every program by its $GUEST_BIN path (the host's PATH has its own echo). */
const SH_SCRIPT = [
  'B=$GUEST_BIN; F=/tmp/mklab-sh-test.$$',
  '$B/echo one   two | $B/cat | $B/cat',
  '$B/hello > $F; $B/cat < $F $F',
  "$B/echo 'single $HOME' \"double $HOME\" ${HOME}x \\$HOME >> $F",
  '$B/cat $F | $B/cat',
  '$B/true && $B/echo "true gives $?"',
  '$B/no-such-program 2> /dev/null || $B/echo "a missing program gives $?"',
  '! $B/true || $B/echo negated',
  '$B/sh -c \'exit 3\'; $B/echo "exit status $?"',
  '$B/rm $F; $B/cat $F 2> /dev/null || $B/echo removed',
  'cd /tmp && $B/echo cd ok # a comment',
].join('\n');

/** every lmbench test, at a 2 ms target and small sizes (ctx up to 8 processes) */
const LMBENCH_TESTS = ['null', 'read', 'stat', 'open', 'sig', 'fork', 'exec', 'sh', 'ctx', 'pipe', 'unix', 'udp', 'tcp', 'rpc_udp', 'rpc_tcp', 'connect', 'mmap', 'pagefault', 'fs', 'bw_pipe', 'bw_tcp', 'bw_file', 'bw_mmap', 'bw_mem'];
const LMBENCH_METRICS = [
  ...['null', 'read', 'stat', 'open', 'sig_install', 'sig_catch', 'fork', 'exec', 'sh'].map((t) => `lmb_${t}_us`),
  ...[2, 8].flatMap((p) => [0, 4, 16, 64].map((k) => `lmb_ctx_${p}p_${k}k_us`)),
  ...['pipe', 'unix', 'udp', 'tcp', 'rpc_udp', 'rpc_tcp', 'connect'].map((t) => `lmb_${t}_us`),
  'lmb_mmap_us',
  'lmb_pagefault_us',
  ...[0, 1, 4, 10].flatMap((k) => [`lmb_fs_create_${k}k_us`, `lmb_fs_delete_${k}k_us`]),
  ...['bw_pipe', 'bw_tcp', 'bw_file', 'bw_mmap', 'bw_bcopy', 'bw_mem_read', 'bw_mem_write'].map((t) => `lmb_${t}_mbs`),
];

const SPECIAL: Record<string, Partial<ProgramSpec>> = {
  getpid: {
    args: ['2000', '3'],
    timed: [/^tsc_mhz \d+\.\d MHz$/m, /^getpid_cycles -?\d+\.\d{4} cycles$/m, /^getpid_us -?\d+\.\d{3} us$/m],
  },
  'test-args': { args: ['one', 'two words', '', '--flag=x'], exit: { status: 5 } },
  'test-exit3': { exit: { status: 3 } },
  'test-exec': { needsBin: true },
  'test-segv': { exit: { signal: 11 } },
  'test-sock-signals': { exit: { signal: 13 } },
  'test-select-fd': { needsBin: true },
  'test-proc-exec': { needsBin: true },
  // guest/bin: the tools the benchmarks exec, compared byte for byte
  echo: { args: ['hello,', 'from', 'echo'] },
  cat: { args: ['/dev/null'], silent: true },
  rm: { args: ['-f', '/tmp/no-such-file-of-mklab'], silent: true },
  true: { silent: true },
  sh: { args: ['-c', SH_SCRIPT], needsBin: true },
  // lmbench: every test runs to its result on every system; timed, so compared by shape
  lmbench: {
    args: ['-t', '2000', '-f', '256', '-m', '256', '-n', '20', '-c', '1', '-p', '8', ...LMBENCH_TESTS],
    needsBin: true,
    timed: [
      ...LMBENCH_METRICS.map((m) => new RegExp(`^${m} -?\\d+\\.\\d{${m.endsWith('_mbs') ? 2 : 4}} ${m.endsWith('_mbs') ? 'MB/s' : 'us'}$`, 'm')),
      new RegExp(`^lmbench: ${LMBENCH_TESTS.length} test\\(s\\) run, 0 skipped$`, 'm'),
    ],
  },
};

export function programSpec(name: string): ProgramSpec {
  return { args: [], env: GUEST_ENV, exit: { status: 0 }, ...SPECIAL[name] };
}

export interface ProgramRun {
  stdout: string;
  exitStatus: number | null;
  termSignal: number | null;
}

/** Runs an image directly on this x86-64 Linux host (which executes i386 binaries). */
export function runNative(backend: string, name: string, spec: ProgramSpec = programSpec(name)): ProgramRun {
  const env: Record<string, string> = {};
  for (const kv of [...spec.env, ...(spec.needsBin ? [`GUEST_BIN=${imageDir(backend)}`] : [])]) {
    const eq = kv.indexOf('=');
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const r = spawnSync(path.join(imageDir(backend), name), spec.args, {
    argv0: name,
    env,
    cwd: os.tmpdir(),
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
    maxBuffer: 64 << 20,
  });
  if (r.error) throw new Error(`native run of ${name} failed to start: ${r.error.message}`);
  return {
    stdout: r.stdout.toString('latin1'),
    exitStatus: r.status,
    termSignal: r.signal ? os.constants.signals[r.signal] : null,
  };
}

/** True when this host can execute i386 Linux binaries (IA32 emulation in the kernel). */
/** The backend whose images are the native oracle for `backend`'s: an image built for
 *  the L4 IPC backend cannot run on the host (it calls L4Linux's emulation library), so
 *  its output is compared with the same program built for int 0x80. */
export function oracleBackend(backend: string): string {
  return backend === 'l4ipc' ? 'int80' : backend;
}

export function hostRunsI386(backend: string): boolean {
  const images = listImages(backend);
  if (images.length === 0 || os.platform() !== 'linux') return false;
  const probe = images.includes('test-exit3') ? 'test-exit3' : images[0];
  const r = spawnSync(path.join(imageDir(backend), probe), [], { stdio: 'ignore', timeout: 10_000 });
  return !r.error;
}

/** Describes how a run ended, for assertion messages. */
export function ending(run: { exitStatus: number | null; termSignal: number | null }): string {
  return run.termSignal !== null ? `signal ${run.termSignal}` : `exit ${run.exitStatus}`;
}

export function expectedEnding(spec: ProgramSpec): string {
  return 'signal' in spec.exit ? `signal ${spec.exit.signal}` : `exit ${spec.exit.status}`;
}
