'use strict';
/* global require, module, process, __dirname */
// Lets plain Node load mklab's TypeScript sources: `.ts` files are transpiled on
// require (typescript.transpileModule, no type check) and `@mklab/<lib>` maps to
// libs/<lib>/src/index.ts as in tsconfig.json. Used where the farm runs from the
// sources rather than dist/: the pool threads and worker processes that jest
// tests start. Compiled builds never load it.
//   node apps/worker/thread/ts-source-hook.js <file.ts> [args…]   runs a TS entry point
const fs = require('fs');
const path = require('path');
const Module = require('module');

let installed = false;

function findRepoRoot(from) {
  let dir = from;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'mklab') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the mklab repository above ${from}`);
    dir = up;
  }
}

function install() {
  if (installed) return;
  installed = true;
  const root = findRepoRoot(__dirname);
  const ts = require(require.resolve('typescript', { paths: [root] }));
  const compilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    resolveJsonModule: true,
    inlineSourceMap: true,
  };
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, ...rest) {
    const m = /^@mklab\/([a-z0-9-]+)$/.exec(request);
    if (m) return path.join(root, 'libs', m[1], 'src', 'index.ts');
    return resolve.call(this, request, parent, ...rest);
  };
  // Registering the extension also makes Node's resolver probe `.ts` for relative imports.
  Module._extensions['.ts'] = function (module, filename) {
    const source = fs.readFileSync(filename, 'utf8');
    const out = ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
    module._compile(out, filename);
  };
}

module.exports = { install, findRepoRoot };

if (require.main === module) {
  install();
  const entry = path.resolve(process.argv[2]);
  process.argv.splice(1, 2, entry);
  require(entry);
}
