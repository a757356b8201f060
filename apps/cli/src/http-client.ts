// A small client of the farm's REST API (docs/design/contracts.md, "The farm") for the
// CLI. Errors say what went wrong in the user's terms: the API's own message and the
// offending field for a 400, or that nothing answers at MKLAB_URL.

export const DEFAULT_FARM_URL = 'http://localhost:3000';

/** The API answered with an error status: `{ statusCode, message, field? }`. */
export class FarmApiError extends Error {
  constructor(
    readonly status: number,
    readonly apiMessage: string,
    readonly field: string | undefined,
    readonly url: string,
  ) {
    super(`${status} from ${url}: ${apiMessage}${field && !apiMessage.includes(field) ? ` (field ${field})` : ''}`);
  }
}

/** Nothing answered at the farm's URL (refused, DNS, timeout). */
export class FarmUnreachableError extends Error {
  constructor(
    readonly baseUrl: string,
    cause: unknown,
  ) {
    const reason = describeNetworkError(cause);
    super(`cannot reach the farm API at ${baseUrl} (${reason}); start it with \`mklab start\` or set MKLAB_URL`);
  }
}

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

export interface SweepCell {
  id: string;
  configHash: string;
  system: string;
  bench: string;
  params: Record<string, unknown>;
  seed: number;
  status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'cached';
  progress: number;
  runId: string | null;
}

export interface SweepDetail {
  id: string;
  name: string;
  status: string;
  priority: number;
  createdAt: string;
  spec: unknown;
  counts: Record<string, number>;
  cells: SweepCell[];
}

/** A row of GET /api/sweeps: the sweep without its cells, with counts per status. */
export type SweepSummary = Omit<SweepDetail, 'cells'>;

export interface SubmittedSweep {
  id: string;
  cells: number;
  cached: number;
}

/** One row of GET /api/metrics?format=json. */
export interface MetricRow {
  runId?: string;
  system: string;
  bench: string;
  params?: Record<string, unknown>;
  seed?: number;
  metric: string;
  value: number;
  unit?: string;
}

export class FarmClient {
  readonly baseUrl: string;

  constructor(baseUrl: string = process.env.MKLAB_URL || DEFAULT_FARM_URL) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new Error(`MKLAB_URL is not a URL: '${baseUrl}'`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`MKLAB_URL must be http(s), got '${baseUrl}'`);
    this.baseUrl = url.href.replace(/\/+$/, '');
  }

  submitSweep(body: string, contentType: 'application/json' | 'application/yaml'): Promise<SubmittedSweep> {
    return this.request('POST', '/api/sweeps', { body, contentType });
  }

  async listSweeps(): Promise<SweepSummary[]> {
    return listOf<SweepSummary>(await this.request<unknown>('GET', '/api/sweeps'));
  }

  getSweep(id: string): Promise<SweepDetail> {
    return this.request('GET', `/api/sweeps/${encodeURIComponent(id)}`);
  }

  cancelSweep(id: string): Promise<unknown> {
    return this.request('POST', `/api/sweeps/${encodeURIComponent(id)}/cancel`);
  }

  async getMetrics(sweepId: string): Promise<MetricRow[]> {
    const body = await this.request<unknown>('GET', `/api/metrics?sweep=${encodeURIComponent(sweepId)}&format=json`);
    return listOf<MetricRow>(body);
  }

  private async request<T>(method: string, path: string, send?: { body: string; contentType: string }): Promise<T> {
    const url = this.baseUrl + path;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { accept: 'application/json', ...(send ? { 'content-type': send.contentType } : {}) },
        body: send?.body,
      });
    } catch (err) {
      throw new FarmUnreachableError(this.baseUrl, err);
    }
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const obj = (json ?? {}) as { message?: unknown; field?: unknown };
      const message = Array.isArray(obj.message) ? obj.message.join('; ') : typeof obj.message === 'string' ? obj.message : text.slice(0, 300) || res.statusText;
      throw new FarmApiError(res.status, message, typeof obj.field === 'string' ? obj.field : undefined, `${method} ${path}`);
    }
    return json as T;
  }
}

/** Lists from the API may come bare or wrapped ({ items } / { rows } / { data }). */
export function listOf<T>(body: unknown): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === 'object') {
    for (const key of ['items', 'rows', 'data', 'metrics']) {
      const v = (body as Record<string, unknown>)[key];
      if (Array.isArray(v)) return v as T[];
    }
  }
  return [];
}
