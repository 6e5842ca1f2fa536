// Optimizes the small WASM files scripts/wasm-opt/wasm-opt deferred, in one process, as
// `wasm-opt -Oz` would (the features are those rustc enables for wasm32-unknown-unknown).
// Usage: node scripts/wasm-opt/optimize-deferred.mjs LIST
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import binaryen from '../../end2end/node_modules/binaryen/index.js';

const list = process.argv[2];
const files = existsSync(list) ? readFileSync(list, 'utf8').split('\n').filter(Boolean) : [];
const F = binaryen.Features;
const features = F.MutableGlobals | F.SignExt | F.NontrappingFPToInt | F.BulkMemory | F.BulkMemoryOpt
  | F.ReferenceTypes | F.Multivalue;
binaryen.setOptimizeLevel(2);
binaryen.setShrinkLevel(2);
let before = 0;
let after = 0;
for (const file of files) {
  const bytes = readFileSync(file);
  const module = binaryen.readBinary(bytes);
  module.setFeatures(features);
  if (!module.validate()) throw new Error(`${file} does not validate`);
  module.optimize();
  const out = module.emitBinary();
  module.dispose();
  writeFileSync(file, out);
  before += bytes.length;
  after += out.length;
}
console.log(`wasm-opt -Oz on ${files.length} small files in one process: ${before} → ${after} bytes`);
