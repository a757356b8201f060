// SweepSpec: what a user submits (JSON or YAML). The axes expand to a cartesian
// product systems × benches × params × seeds (see sweep-plan.ts). This file only
// checks the shape; sweep-plan.ts checks it against the lab's catalogue.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** The hard ceiling on cells per sweep whatever the spec asks for (MKLAB_MAX_CELLS overrides). */
export const DEFAULT_CELL_CEILING = 5000;
/** Cells allowed when the spec names no maxCells. */
export const DEFAULT_MAX_CELLS = 1000;

const paramScalar = z.union([z.number(), z.string(), z.boolean()]);

export const sweepSpecSchema = z
  .object({
    name: z.string().min(1).max(200),
    /** 0..100, higher runs first (mapped to BullMQ's 1 = highest in queue/). */
    priority: z.number().int().min(0).max(100).default(50),
    systems: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]),
    benches: z.array(z.string().min(1)).min(1),
    /** each value may be a scalar or a list of scalars (a list is an axis) */
    params: z.record(z.string(), z.union([paramScalar, z.array(paramScalar).min(1)])).default({}),
    /** explicit seeds, or `repeats: n` for seeds 1..n; default one seed (1) */
    seeds: z.array(z.number().int().min(0).max(2 ** 31 - 1)).min(1).optional(),
    repeats: z.number().int().min(1).max(1000).optional(),
    maxCells: z.number().int().min(1).optional(),
    /** overrides each bench's default cycle budget */
    cycleBudget: z.number().int().positive().optional(),
  })
  .strict()
  .refine((s) => !(s.seeds && s.repeats), { message: 'give either seeds or repeats, not both', path: ['repeats'] });

export type SweepSpec = z.output<typeof sweepSpecSchema>;
export type SweepSpecInput = z.input<typeof sweepSpecSchema>;

export interface FieldError {
  field: string;
  message: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || 'body';
}

/** Accepts an object (parsed JSON) or a JSON/YAML document as text. */
export function parseSweepSpec(input: unknown): Checked<SweepSpec> {
  let doc = input;
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    try {
      doc = parseYaml(input.toString());
    } catch (e) {
      return { ok: false, errors: [{ field: 'body', message: `not valid JSON or YAML: ${(e as Error).message}` }] };
    }
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return { ok: false, errors: [{ field: 'body', message: 'a sweep spec must be an object' }] };
  }
  const parsed = sweepSpecSchema.safeParse(doc);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => ({ field: fieldPath(i.path), message: `${fieldPath(i.path)}: ${i.message}` })),
    };
  }
  return { ok: true, value: parsed.data };
}
