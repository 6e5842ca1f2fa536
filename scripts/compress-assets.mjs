// Writes brotli (.br) and gzip (.gz) copies of the built site's static files, which the server
// sends to browsers that accept them (src/http/assets.rs). Run after `cargo leptos build`.
// Usage: node scripts/compress-assets.mjs [DIR]   (default: target/site/pkg)
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const dir = process.argv[2] ?? 'target/site/pkg';
let small = 0;
for (const name of readdirSync(dir)) {
  if (!/\.(js|wasm|css|svg|json)$/.test(name)) continue;
  const path = join(dir, name);
  const bytes = readFileSync(path);
  // Below 1 KiB compression saves less than a packet: such files (most split chunks) go as they are.
  if (bytes.length < 1024) {
    small += 1;
    // A copy left by an earlier build would be sent in place of this file.
    rmSync(`${path}.br`, { force: true });
    rmSync(`${path}.gz`, { force: true });
    continue;
  }
  const br = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  const gz = gzipSync(bytes, { level: 9 });
  writeFileSync(`${path}.br`, br);
  writeFileSync(`${path}.gz`, gz);
  if (bytes.length >= 16384) console.log(`${name}: ${bytes.length} bytes, brotli ${br.length}, gzip ${gz.length}`);
}
console.log(`${small} files under 1 KiB left uncompressed`);
