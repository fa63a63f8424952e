// Run caniemail over one HTML file for a set of clients and print JSON on stdout:
//   node caniemail_check.mjs PROJECT_DIR FILE.html gmail.* outlook.* ...
// PROJECT_DIR is the folder whose node_modules holds caniemail: this script ships inside
// the Python package, so the module is looked up there rather than beside the script.
// Output: {"success", "issues": [{"client", "level", "title", "support", "notes", "line"}]}
// caniemail has no CLI of its own, so digest/checks.py runs this script.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [project, file, ...clients] = process.argv.slice(2);
if (!project || !file || clients.length === 0) {
  console.error("usage: node caniemail_check.mjs PROJECT_DIR FILE.html CLIENT_GLOB...");
  process.exit(2);
}
const resolve = createRequire(join(project, "package.json")).resolve;
const { caniemail } = await import(pathToFileURL(resolve("caniemail")).href);
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
