/**
 * A log sink for a shell's tests: keeps every line the shell wrote (JSON log lines, each ending
 * in a newline) so a test can assert on what was logged — and on what must never be. Both shells
 * write their logs through a `write(line)` sink, so one collector serves the server's and the
 * Lambda functions' tests.
 */
export class LogCollector {
  readonly lines: Array<string> = []
  readonly write = (line: string) => {
    this.lines.push(line)
  }
  get text(): string {
    return this.lines.join("")
  }
  records(): Array<Record<string, unknown>> {
    return this.text
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as Record<string, unknown>)
  }
}
