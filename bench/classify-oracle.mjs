// Parses the regression corpus N times with npm libpg-query (PostgreSQL 17, WASM) and prints
// statements/s as the last line: "oracle statements/s: <n>". It times only the files that parse
// whole (the package has no statement-by-statement recovery) and does no classification, so it
// is a parse-only reference point, not a like-for-like competitor.
// Usage: node bench/classify-oracle.mjs <corpus dir> [iterations]
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(join(process.cwd(), 'tests/oracle/package.json'));
const { loadModule, parseSync } = require('libpg-query');

const corpus = process.argv[2] ?? '../shared/corpus/postgres_regress';
const iterations = Number(process.argv[3] ?? 5);
await loadModule();
const texts = readdirSync(corpus).filter((f) => f.endsWith('.sql')).sort().map((f) => readFileSync(join(corpus, f), 'utf8'));
const parseable = texts.filter((t) => { try { parseSync(t); return true; } catch { return false; } });
const perPass = parseable.reduce((n, t) => n + (parseSync(t).stmts ?? []).length, 0);

const start = process.hrtime.bigint();
let statements = 0;
for (let i = 0; i < iterations; i++) {
  for (const text of parseable) statements += (parseSync(text).stmts ?? []).length;
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(`files parsed whole: ${parseable.length} of ${texts.length}, statements per pass: ${perPass}, passes: ${iterations}, seconds: ${seconds.toFixed(2)}`);
console.log(`oracle statements/s: ${(statements / seconds).toFixed(0)}`);
