// Prints the gzip size of the JavaScript that dist/index.html loads before anything is lazy-loaded:
// its module scripts and modulepreloads, plus every chunk those import statically (from Vite's
// manifest). Fails when it exceeds the budget. With --json it prints one JSON line (make bench reads it).
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

const BUDGET = 200 * 1024;
const dist = new URL('../dist/', import.meta.url).pathname;
const indexPath = join(dist, 'index.html');
if (!existsSync(indexPath)) {
  console.error('dist/index.html is missing: run `npm run build` first');
  process.exit(1);
}
const html = readFileSync(indexPath, 'utf8');
const files = new Set();
for (const m of html.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="\/console\/([^"]+\.js)"[^>]*>/g)) {
  files.add(m[1]);
}

const manifestPath = join(dist, '.vite', 'manifest.json');
if (existsSync(manifestPath)) {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const byFile = new Map(Object.entries(manifest).map(([key, chunk]) => [chunk.file, key]));
  const visit = (key) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file) && chunk.__seen) return;
    chunk.__seen = true;
    files.add(chunk.file);
    for (const imp of chunk.imports ?? []) visit(imp);
  };
  for (const f of [...files]) {
    const key = byFile.get(f);
    if (key) visit(key);
  }
}

let raw = 0;
let gz = 0;
const rows = [];
for (const f of [...files].sort()) {
  const buf = readFileSync(join(dist, f));
  const g = gzipSync(buf, { level: 9 }).length;
  raw += buf.length;
  gz += g;
  rows.push(`  ${f}  ${(buf.length / 1024).toFixed(1)} KB, gzip ${(g / 1024).toFixed(1)} KB`);
}
if (process.argv.includes('--json')) {
  // For make bench (local/bench/console.go).
  console.log(JSON.stringify({ files: files.size, bytes: raw, gzipBytes: gz, budget: BUDGET }));
  process.exit(gz > BUDGET ? 1 : 0);
}
console.log(rows.join('\n'));
console.log(
  `Initial JavaScript: ${files.size} files, ${(raw / 1024).toFixed(1)} KB, gzip ${(gz / 1024).toFixed(1)} KB (budget ${BUDGET / 1024} KB)`,
);
if (gz > BUDGET) {
  console.error('Over budget.');
  process.exit(1);
}
