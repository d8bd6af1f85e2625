// Prints vitest's totals as one plain closing line ("tests: N passed, N failed, N skipped"), for CI logs.
import {readFileSync, rmSync} from 'node:fs'

const file = process.argv[2] ?? 'test-results.json'
const report = JSON.parse(readFileSync(file, 'utf8'))
rmSync(file, {force: true})
const skipped = report.numPendingTests + (report.numTodoTests ?? 0)
console.log(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`)
process.exitCode = report.numFailedTests > 0 || !report.success ? 1 : 0
