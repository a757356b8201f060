import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { canonicalJson, summarizeSeries } from '@mklab/farm';
import type { MetricRow } from '@mklab/db';
import { FARM_DEPS, type FarmApiDeps } from './farm-deps';
import { optionalString, optionalUuid } from './query-params';

const CSV_COLUMNS: [string, (r: MetricRow) => unknown][] = [
  ['run_id', (r) => r.runId],
  ['sweep_id', (r) => r.sweepId ?? ''],
  ['system', (r) => r.system],
  ['bench', (r) => r.bench],
  ['params', (r) => canonicalJson(r.params)],
  ['seed', (r) => r.seed],
  ['metric', (r) => r.metric],
  ['value', (r) => r.value],
  ['unit', (r) => r.unit],
  ['better', (r) => r.better],
  ['config_hash', (r) => r.configHash],
  ['emulator_version', (r) => r.emulatorVersion],
];

function csvField(v: unknown): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function metricsCsv(rows: MetricRow[]): string {
  const lines = [CSV_COLUMNS.map(([h]) => h).join(',')];
  for (const r of rows) lines.push(CSV_COLUMNS.map(([, f]) => csvField(f(r))).join(','));
  return lines.join('\n') + '\n';
}

@ApiTags('metrics')
@Controller('api/metrics')
export class MetricsController {
  constructor(@Inject(FARM_DEPS) private readonly farm: FarmApiDeps) {}

  @Get()
  @ApiOperation({ summary: 'Metric values (one row per run × metric) and their summaries over seeds; JSON or CSV' })
  @ApiQuery({ name: 'sweep', required: false })
  @ApiQuery({ name: 'system', required: false })
  @ApiQuery({ name: 'bench', required: false })
  @ApiQuery({ name: 'metric', required: false })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  async export(@Query() q: Record<string, unknown>, @Res() res: Response) {
    const format = optionalString('format', q.format, ['json', 'csv']) ?? 'json';
    const rows = await this.farm.queries.metricRows({
      sweep: optionalUuid('sweep', q.sweep),
      system: optionalString('system', q.system),
      bench: optionalString('bench', q.bench),
      metric: optionalString('metric', q.metric),
    });
    if (format === 'csv') {
      res.type('text/csv').setHeader('content-disposition', 'attachment; filename="metrics.csv"');
      res.send(metricsCsv(rows));
      return;
    }
    res.json({ rows, series: summarizeSeries(rows as Parameters<typeof summarizeSeries>[0]) });
  }
}
