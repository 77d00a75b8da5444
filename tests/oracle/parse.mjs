// Independent oracle: the PostgreSQL 17 parser (npm libpg-query, WASM) parses each file and
// prints one JSON line per file: {file, ok, statements: [nodeType...], error?}.
// Usage: node tests/oracle/parse.mjs <file-or-directory>...
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadModule, parseSync } from 'libpg-query';

function sqlFiles(target) {
  if (statSync(target).isDirectory()) {
    return readdirSync(target).filter((f) => f.endsWith('.sql')).sort().map((f) => join(target, f));
  }
  return [target];
}

await loadModule();
for (const file of process.argv.slice(2).flatMap(sqlFiles)) {
  const sql = readFileSync(file, 'utf8');
  try {
    const tree = parseSync(sql);
    const statements = (tree.stmts ?? []).map((s) => Object.keys(s.stmt)[0]);
    console.log(JSON.stringify({ file, ok: true, statements }));
  } catch (e) {
    console.log(JSON.stringify({ file, ok: false, statements: [], error: String(e.message ?? e) }));
  }
}
