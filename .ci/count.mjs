// Reads vitest's JSON report and prints "N passed, N failed"; lint/type-check failures count as failed.
import { readFileSync } from "node:fs";

const [reportPath, failedChecks = "0"] = process.argv.slice(2);
let passed = 0;
let failed = Number(failedChecks);
try {
  const report = JSON.parse(readFileSync(reportPath, "utf8"));
  passed = report.numPassedTests;
  failed += report.numFailedTests;
  // A file that fails to load has no tests but still failed.
  failed += report.testResults.filter((r) => r.status === "failed" && r.assertionResults.length === 0).length;
  if (report.numTotalTests === 0) failed += 1;
  // A crashed worker or an unhandled error fails the run even when every test that ran passed.
  if (report.success === false && failed === Number(failedChecks)) {
    console.error("the test run reported errors outside the tests (e.g. a worker that crashed); see the log above");
    failed += 1;
  }
} catch (error) {
  console.error(`could not read the test report ${reportPath}: ${error.message}`);
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
