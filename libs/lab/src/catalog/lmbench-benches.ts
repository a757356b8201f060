import type { MetricSpec, ParamSpec, ParamValue } from '../types';
import type { BenchEntry } from './bench-entry';

// The lmbench 1.x tests (shared/reference/workloads.md, the paper's Figure 6) as
// benches: one per test, each running guest/bench/lmbench with that test's name, and
// the suite `lmbench` running them all in one boot. The guest measures itself with the
// 1.x harness (a pass lasts at least the target time; result = elapsed / count from
// gettimeofday) and prints `lmb_<test>_us` / `lmb_<test>_mbs` lines.

/** One lmbench test: its name on the guest's command line and what it reports. */
export interface LmbenchTest {
  /** the guest's test name (lmbench <test>) */
  test: string;
  title: string;
  description: string;
  metrics: MetricSpec[];
  /** which of the size params the test reads */
  uses: readonly ('file_kb' | 'mem_kb' | 'fs_files' | 'ctx_trials' | 'dir')[];
  /** timed passes (calls of the harness), the network latencies weighted by their 5x target */
  passes: (p: Record<string, ParamValue>) => number;
  /** µs of work natively that does not shrink with the target (files written, fixed counts) */
  fixedUs: (p: Record<string, ParamValue>) => number;
}

const lat = (name: string, description: string): MetricSpec => ({ name: `lmb_${name}_us`, unit: 'us', better: 'lower', description });
const bw = (name: string, description: string): MetricSpec => ({ name: `lmb_${name}_mbs`, unit: 'MB/s', better: 'higher', description });

/** The network latency tests run 5x the target, as lmbench 1.x runs them 5 s instead of 1 s. */
const NET_FACTOR = 5;
export const CTX_PROCS = [2, 8, 16] as const;
export const CTX_KB = [0, 4, 16, 64] as const;
export const FS_KB = [0, 1, 4, 10] as const;

const n = (p: Record<string, ParamValue>, k: string) => Number(p[k]);
// Native emulated Linux moves file data at ~50 MB/s (bw_file on 133 MHz) = 20 µs/KiB:
// an estimate for budgets only, never a result.
const fileWriteUs = (p: Record<string, ParamValue>) => n(p, 'file_kb') * 20;
const none = () => 0;

export const LMBENCH_TESTS: readonly LmbenchTest[] = [
  {
    test: 'null',
    title: 'null call',
    description: "lmbench 1.x's null call: a 1-byte write to /dev/null.",
    metrics: [lat('null', 'null call: write of 1 byte to /dev/null')],
    uses: [],
    passes: () => 1,
    fixedUs: none,
  },
  {
    test: 'read',
    title: 'read',
    description: 'A 1-byte read from /dev/zero.',
    metrics: [lat('read', 'read of 1 byte from /dev/zero')],
    uses: [],
    passes: () => 1,
    fixedUs: none,
  },
  {
    test: 'stat',
    title: 'stat',
    description: 'stat() of an existing file.',
    metrics: [lat('stat', 'stat of an existing file')],
    uses: ['dir'],
    passes: () => 1,
    fixedUs: none,
  },
  {
    test: 'open',
    title: 'open+close',
    description: 'open() and close() of an existing file.',
    metrics: [lat('open', 'open + close of an existing file')],
    uses: ['dir'],
    passes: () => 1,
    fixedUs: none,
  },
  {
    test: 'sig',
    title: 'signal install and catch',
    description: 'sigaction() installing a handler; a caught SIGUSR1 sent to ourselves, minus kill(self, 0).',
    metrics: [lat('sig_install', 'sigaction installing a handler'), lat('sig_catch', 'a caught signal: kill(self, SIGUSR1) minus kill(self, 0)')],
    uses: [],
    passes: () => 3,
    fixedUs: none,
  },
  {
    test: 'fork',
    title: 'process creation (fork)',
    description: 'fork(); the child exits at once; the parent waits.',
    metrics: [lat('fork', 'fork + exit + wait')],
    uses: [],
    passes: () => 1,
    fixedUs: none,
  },
  {
    test: 'exec',
    title: 'fork + exec',
    description: 'fork(); the child execs /bin/hello (output to /dev/null); the parent waits.',
    metrics: [lat('exec', 'fork + exec of hello + wait')],
    uses: [],
    passes: () => 1,
    fixedUs: none,
  },
  {
    test: 'sh',
    title: 'fork + /bin/sh -c',
    description: 'fork(); the child execs /bin/sh -c hello (our sh forks and execs hello); the parent waits.',
    metrics: [lat('sh', 'fork + exec of /bin/sh -c hello + wait')],
    uses: [],
    passes: () => 1,
    fixedUs: none,
  },
  {
    test: 'ctx',
    title: 'context switch',
    description:
      'A ring of 2, 8 or 16 processes passes a token through pipes; each sums a private 0, 4, 16 or 64 KiB array ' +
      'when it holds the token. Per-hop time minus the same work in one process on one cache-warm array (as lmbench), ' +
      'so the result includes reloading each process\'s array into the caches; the minimum of the trials.',
    metrics: CTX_PROCS.flatMap((procs) =>
      CTX_KB.map((kb) => lat(`ctx_${procs}p_${kb}k`, `context switch, ${procs} processes, ${kb} KiB each (per hop, minus the in-process work on a warm array)`)),
    ),
    uses: ['ctx_trials'],
    passes: (p) => CTX_PROCS.length * CTX_KB.length * 2 * n(p, 'ctx_trials'),
    // 16 processes forked per point, 12 points
    fixedUs: () => 12 * 16 * 100,
  },
  {
    test: 'pipe',
    title: 'pipe latency',
    description: 'Two processes bounce a 1-byte token through two pipes; round trip.',
    metrics: [lat('pipe', 'pipe round trip (1 byte each way)')],
    uses: [],
    passes: () => 1,
    fixedUs: none,
  },
  {
    test: 'unix',
    title: 'AF_UNIX latency',
    description: 'Two processes bounce a 1-byte token through an AF_UNIX stream socketpair; round trip.',
    metrics: [lat('unix', 'AF_UNIX stream round trip (1 byte each way)')],
    uses: [],
    passes: () => 1,
    fixedUs: none,
  },
  {
    test: 'udp',
    title: 'UDP latency',
    description: 'A 4-byte request and reply over loopback UDP; round trip (5x the target, as 1.x).',
    metrics: [lat('udp', 'UDP round trip over loopback (4 bytes each way)')],
    uses: [],
    passes: () => NET_FACTOR,
    fixedUs: none,
  },
  {
    test: 'tcp',
    title: 'TCP latency',
    description: 'A 1-byte request and reply over a loopback TCP connection; round trip (5x the target).',
    metrics: [lat('tcp', 'TCP round trip over loopback (1 byte each way)')],
    uses: [],
    passes: () => NET_FACTOR,
    fixedUs: none,
  },
  {
    test: 'rpc_udp',
    title: 'RPC/UDP latency',
    description: 'A call of a procedure taking and returning one character, through our RPC layer over loopback UDP.',
    metrics: [lat('rpc_udp', 'RPC call over loopback UDP (1-char argument and result)')],
    uses: [],
    passes: () => NET_FACTOR,
    fixedUs: none,
  },
  {
    test: 'rpc_tcp',
    title: 'RPC/TCP latency',
    description: 'The same RPC call over a loopback TCP connection (record marking).',
    metrics: [lat('rpc_tcp', 'RPC call over loopback TCP (1-char argument and result)')],
    uses: [],
    passes: () => NET_FACTOR,
    fixedUs: none,
  },
  {
    test: 'connect',
    title: 'TCP connect',
    description: 'TCP connect to a loopback server that accepts and closes; the client closes after the server.',
    metrics: [lat('connect', 'TCP connect + close over loopback')],
    uses: [],
    passes: () => 1,
    fixedUs: none,
  },
  {
    test: 'mmap',
    title: 'mmap latency',
    description: 'mmap + munmap of half of the data file (8 MB in lmbench), no page touched.',
    metrics: [lat('mmap', 'mmap + munmap of half the data file, untouched')],
    uses: ['file_kb', 'dir'],
    passes: () => 1,
    fixedUs: fileWriteUs,
  },
  {
    test: 'pagefault',
    title: 'page fault',
    description: 'The first touch of a page of a freshly mapped file whose pages are in the page cache.',
    metrics: [lat('pagefault', 'fault on a page of a mapped, cached file')],
    uses: ['file_kb', 'dir'],
    passes: () => 1,
    fixedUs: (p) => 2 * fileWriteUs(p),
  },
  {
    test: 'fs',
    title: 'file create / delete',
    description: 'Create fs_files files of 0, 1, 4 and 10 KiB in a new directory, then delete them; µs per file.',
    metrics: FS_KB.flatMap((kb) => [lat(`fs_create_${kb}k`, `create of a ${kb} KiB file`), lat(`fs_delete_${kb}k`, `delete of a ${kb} KiB file`)]),
    uses: ['fs_files', 'dir'],
    passes: () => 0,
    // per file: create + write of up to 10 KiB + close + unlink, ~100 µs at the most
    fixedUs: (p) => FS_KB.length * n(p, 'fs_files') * 100,
  },
  {
    test: 'bw_pipe',
    title: 'pipe bandwidth',
    description: 'A writer streams 64 KiB writes into a pipe; the reader reads 64 KiB at a time.',
    metrics: [bw('bw_pipe', 'pipe bandwidth, 64 KiB transfers')],
    uses: [],
    passes: () => 1,
    fixedUs: none,
  },
  {
    test: 'bw_tcp',
    title: 'TCP bandwidth',
    description: 'A loopback TCP bulk transfer, read in 64 KiB reads.',
    metrics: [bw('bw_tcp', 'TCP bandwidth over loopback, 64 KiB reads')],
    uses: [],
    passes: () => 1,
    fixedUs: none,
  },
  {
    test: 'bw_file',
    title: 'file reread bandwidth',
    description: 'Open the cached data file, read it in 64 KiB reads summing every word, close.',
    metrics: [bw('bw_file', 'file reread: read() of a cached file, summing every word')],
    uses: ['file_kb', 'dir'],
    passes: () => 1,
    fixedUs: (p) => 4 * fileWriteUs(p),
  },
  {
    test: 'bw_mmap',
    title: 'mmap reread bandwidth',
    description: 'Open the cached data file, mmap it, sum every word, munmap, close.',
    metrics: [bw('bw_mmap', 'mmap reread: a mapped cached file, summing every word')],
    uses: ['file_kb', 'dir'],
    passes: () => 1,
    fixedUs: (p) => 4 * fileWriteUs(p),
  },
  {
    test: 'bw_mem',
    title: 'memory bandwidth',
    description: 'User-level memory bandwidth over mem_kb buffers: bcopy (libc memcpy), read (sum), write.',
    metrics: [
      bw('bw_bcopy', 'memory copy bandwidth (libc bcopy/memcpy), counted once'),
      bw('bw_mem_read', 'memory read bandwidth (sum of every word)'),
      bw('bw_mem_write', 'memory write bandwidth (store of every word)'),
    ],
    uses: ['mem_kb'],
    passes: () => 3,
    // each of the three: a warm-up and at least one pass, ~50 MB/s = 20 µs per KiB
    fixedUs: (p) => 3 * 3 * n(p, 'mem_kb') * 20,
  },
];

const TARGET: ParamSpec = {
  name: 'target_us',
  type: 'int',
  default: 20_000,
  min: 100,
  max: 5_000_000,
  description:
    "µs one timed pass must last (lmbench 1.x: 1 000 000; the network latencies run 5x). The default keeps the suite's simulation short; results get steadier as it grows",
};
const SIZE_PARAMS: Record<LmbenchTest['uses'][number], ParamSpec> = {
  file_kb: { name: 'file_kb', type: 'int', default: 8192, min: 64, max: 16384, description: 'KiB of the data file of mmap, pagefault, bw_file and bw_mmap (lmbench: 8 MB)' },
  mem_kb: { name: 'mem_kb', type: 'int', default: 8192, min: 64, max: 16384, description: 'KiB of each bw_mem buffer (lmbench: 8 MB)' },
  fs_files: { name: 'fs_files', type: 'int', default: 1000, min: 1, max: 10000, description: 'files created and deleted per size by the fs test (lmbench: 1000)' },
  ctx_trials: { name: 'ctx_trials', type: 'int', default: 3, min: 1, max: 20, description: 'trials of each context-switch point; the minimum is reported' },
  dir: {
    name: 'dir',
    type: 'string',
    default: '/usr/tmp',
    choices: ['/usr/tmp', '/tmp'],
    description:
      "where the file tests keep their files: /usr/tmp (lmbench 1.x's default) is on the disk's ext2 file system, through the buffer cache (sized by free memory, as 2.0's: a file just written or read is re-read from memory) and the page cache; /tmp is an in-memory file system",
  },
};
const OPTION: Record<LmbenchTest['uses'][number], string> = { file_kb: '-f', mem_kb: '-m', fs_files: '-n', ctx_trials: '-c', dir: '-d' };

/** 133 simulated cycles per µs (the machine's clock); budgets only. */
const CYCLES_PER_US = 133;
/** Boot, the guest's start-up and slack. */
const BASE_BUDGET = 400_000_000;

/** The cycle budget of running `tests`: 4 targets per pass (the passes before the last
 *  add up to about one more target, the warm-up, the set-up around it), plus the fixed
 *  work at 20x native Linux's in-memory speed (the slowest system's margin; 200x with the
 *  files on the disk). A runaway bound, never a measurement. */
function budget(tests: readonly LmbenchTest[], p: Record<string, ParamValue>): number {
  const target = Number(p.target_us);
  // files on the disk: set-up that waits for the drive (milliseconds per access, the
  // drive's model in libs/pentium) instead of copying memory
  const slowest = p.dir === '/usr/tmp' ? 200 : 20;
  let us = 0;
  for (const t of tests) us += 4 * target * t.passes(p) + slowest * t.fixedUs(p);
  return BASE_BUDGET + Math.ceil(us * CYCLES_PER_US);
}

function argv(tests: readonly LmbenchTest[], p: Record<string, ParamValue>): string[] {
  const args = ['lmbench', '-t', String(p.target_us)];
  for (const key of Object.keys(SIZE_PARAMS) as LmbenchTest['uses'][number][]) {
    if (p[key] !== undefined) args.push(OPTION[key], String(p[key]));
  }
  return [...args, ...(tests.length === LMBENCH_TESTS.length ? ['all'] : tests.map((t) => t.test))];
}

function paramsOf(tests: readonly LmbenchTest[]): ParamSpec[] {
  const used = new Set(tests.flatMap((t) => t.uses));
  return [TARGET, ...(Object.keys(SIZE_PARAMS) as LmbenchTest['uses'][number][]).filter((k) => used.has(k)).map((k) => SIZE_PARAMS[k])];
}

/** bench id of one test: lmbench-<test> with dashes (lmbench-rpc-udp, lmbench-bw-file) */
export const lmbenchBenchId = (t: LmbenchTest): string => `lmbench-${t.test.replace(/_/g, '-')}`;

function testBench(t: LmbenchTest): BenchEntry {
  const tests = [t];
  return {
    id: lmbenchBenchId(t),
    title: `lmbench: ${t.title}`,
    description: `${t.description} (lmbench 1.x harness, our implementation: guest/bench/lmbench)`,
    program: 'lmbench',
    params: paramsOf(tests),
    metrics: t.metrics,
    argv: (p) => argv(tests, p),
    cycleBudget: (p) => budget(tests, p),
  };
}

const suite: BenchEntry = {
  id: 'lmbench',
  title: 'lmbench (the whole suite)',
  description:
    "Every lmbench 1.x test of the paper's Figure 6 in one boot: system calls, signals, process creation, context " +
    'switches, pipes, AF_UNIX and loopback TCP/UDP, RPC, mmap, page faults, file create/delete and the bandwidths. ' +
    'Latencies in µs, bandwidths in MB/s (10^6 bytes). At the defaults a run simulates about 7 s (Linux, L4Linux, ' +
    'MkLinux in-kernel) to 10 s (MkLinux user) of the machine: 2 to 5 minutes of host time.',
  program: 'lmbench',
  params: paramsOf(LMBENCH_TESTS),
  metrics: LMBENCH_TESTS.flatMap((t) => t.metrics),
  argv: (p) => argv(LMBENCH_TESTS, p),
  cycleBudget: (p) => budget(LMBENCH_TESTS, p),
};

/** The suite first, then one bench per test. */
export const LMBENCH_BENCHES: readonly BenchEntry[] = [suite, ...LMBENCH_TESTS.map(testBench)];
