// Run caniemail over one HTML file for a set of clients and print JSON on stdout:
//   node tests/caniemail_check.mjs FILE.html gmail.* outlook.* ...
// Output: {"clients": [...], "issues": [{"client", "level", "title", "support", "notes", "line"}]}
// caniemail has no CLI of its own, so digest/checks.py runs this script.
import { readFileSync } from "node:fs";
import { caniemail } from "caniemail";

const [file, ...clients] = process.argv.slice(2);
if (!file || clients.length === 0) {
  console.error("usage: node caniemail_check.mjs FILE.html CLIENT_GLOB...");
  process.exit(2);
}
const html = readFileSync(file, "utf8");
const result = caniemail({ clients, html });
const issues = [];
for (const [level, map] of [["error", result.issues.errors], ["warning", result.issues.warnings]]) {
  for (const [client, list] of map) {
    for (const issue of list) {
      issues.push({
        client,
        level,
        title: issue.title,
        support: issue.support,
        notes: issue.notes ?? [],
        line: issue.position?.start?.line ?? null,
      });
    }
  }
}
process.stdout.write(JSON.stringify({ success: result.success, issues }));
