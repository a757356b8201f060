import * as fs from 'fs';
import { execProgram } from '@mklab/lab';
import { Machine } from '@mklab/pentium';
const orig = Machine.prototype.run;
Machine.prototype.run = function (this: Machine, o: Parameters<Machine['run']>[0]) {
  try {
    return orig.call(this, o);
  } catch (e) {
    process.stderr.write(`STACK ${(e as Error).stack}\n`);
    throw e;
  }
};
const systems = (process.env.SYSTEMS ?? 'linux').split(',');
const img = process.env.IMG;
for (const system of systems) {
  test(`measure ${system}`, async () => {
    const image = fs.readFileSync(img ?? (system === 'l4linux' ? '/tmp/nl/netlat-l4' : '/tmp/nl/netlat'));
    const r = await execProgram({ system, image, argv: ['netlat'], env: [], cycleBudget: 30_000_000_000 });
    process.stderr.write(`== ${system}\n${r.stdout}\n${JSON.stringify(r.error ?? '')}\n`);
  }, 900_000);
}
