// Jest reporter: lists, in the run's closing summary, every test skipped because a system tool is missing
// (see test/system-tools.ts), with the command that installs the tool. Skips are never silent.
const TOOLS = require('./system-tools.json');

class ToolReporter {
  constructor() {
    this.skipped = new Map();
  }

  onTestResult(_test, result) {
    for (const r of result.testResults) {
      if (r.status !== 'pending') continue;
      for (const title of r.ancestorTitles) {
        const m = /\[needs ([a-z0-9-]+)\]/.exec(title);
        if (!m) continue;
        this.skipped.set(m[1], (this.skipped.get(m[1]) ?? 0) + 1);
        break;
      }
    }
  }

  onRunComplete() {
    if (this.skipped.size === 0) return;
    const lines = [
      '',
      'Skipped because a system tool is missing (CI installs these and fails without them):',
    ];
    for (const [tool, count] of [...this.skipped].sort()) {
      const info = TOOLS[tool] ?? { why: 'unknown tool', install: 'see test/system-tools.json' };
      lines.push(
        `  - ${tool}: ${count} test${count === 1 ? '' : 's'} (${info.why}); install: ${info.install}`,
      );
    }
    process.stderr.write(`${lines.join('\n')}\n\n`);
  }
}

module.exports = ToolReporter;
