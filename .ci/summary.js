// @ts-check
/**
 * Prints "N passed, N failed" from jest's --json results. Suites that failed to run (a broker that did not
 * start, a compile error) count as failures; a missing results file (typecheck or lint failed before jest ran)
 * counts as one failure. Exits 1 when anything failed.
 */
const fs = require('node:fs');

const file = process.argv[2] || '.jest-results.json';
let passed = 0;
let failed = 0;
try {
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests + r.numRuntimeErrorTestSuites + (r.success || r.numFailedTests > 0 || r.numRuntimeErrorTestSuites > 0 ? 0 : 1);
} catch {
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
