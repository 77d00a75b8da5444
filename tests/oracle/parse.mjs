// Independent oracle: the PostgreSQL 17 parser (npm libpg-query, WASM).
//   node tests/oracle/parse.mjs <file-or-directory>...
//     one JSON line per file: {file, ok, statements: [{node, location, length}], error?}
//     (location/length are UTF-8 byte offsets as the parser reports them; length 0 = to the end)
//   node tests/oracle/parse.mjs --texts <json file holding an array of SQL texts>
//     one JSON line per text: {ok, statements: [node...], error?}
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadModule, parseSync } from 'libpg-query';

function sqlFiles(target) {
  if (statSync(target).isDirectory()) {
    return readdirSync(target).filter((f) => f.endsWith('.sql')).sort().map((f) => join(target, f));
  }
  return [target];
}

function parsed(sql) {
  try {
    const tree = parseSync(sql);
    const statements = (tree.stmts ?? []).map((s) => ({
      node: Object.keys(s.stmt)[0],
      location: s.stmt_location ?? 0,
      length: s.stmt_len ?? 0,
    }));
    return { ok: true, statements };
  } catch (e) {
    return { ok: false, statements: [], error: String(e.message ?? e) };
  }
}

await loadModule();
const args = process.argv.slice(2);
if (args[0] === '--texts') {
  for (const text of JSON.parse(readFileSync(args[1], 'utf8'))) {
    const result = parsed(text);
    console.log(JSON.stringify({ ...result, statements: result.statements.map((s) => s.node) }));
  }
} else {
  for (const file of args.flatMap(sqlFiles)) {
    console.log(JSON.stringify({ file, ...parsed(readFileSync(file, 'utf8')) }));
  }
}
