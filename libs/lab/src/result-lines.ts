// Guest benchmarks print their results as lines `name value unit` (the contract in
// docs/design/contracts.md). Anything else on stdout is ordinary output.
const RESULT_LINE = /^([a-z][a-z0-9_]*)\s+(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s+(\S+)\s*$/;

export interface ResultLine {
  name: string;
  value: number;
  unit: string;
}

export function parseResultLines(stdout: string): ResultLine[] {
  const out: ResultLine[] = [];
  for (const line of stdout.split('\n')) {
    const m = RESULT_LINE.exec(line.trim());
    if (m) out.push({ name: m[1], value: Number(m[2]), unit: m[3] });
  }
  return out;
}
