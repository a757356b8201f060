// Runs `mklab start` without the CLI's other commands (which load the emulator):
//   node apps/worker/thread/ts-source-hook.js test/integration/support/run-start.ts [args]
import { runStartCommand } from '../../../apps/cli/src/commands/start';

runStartCommand(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
