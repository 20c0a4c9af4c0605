/**
 * Renders the README's configuration table from config/schema.ts, between the markers
 * `<!-- config-table:start -->` and `<!-- config-table:end -->`.
 *
 *   npx ts-node --transpile-only tools/readme-config.ts     # rewrite README.md
 *
 * A test fails when the committed README differs from what this renders.
 */
import * as fs from "fs";
import * as path from "path";
import { CONFIG_KEYS } from "../config/schema";

export const README_PATH = path.resolve(__dirname, "..", "README.md");
const START = "<!-- config-table:start -->";
const END = "<!-- config-table:end -->";

function formatDefault(value: unknown): string {
    if (value === undefined) {
        return "**required**";
    }
    return `\`${JSON.stringify(value)}\``;
}

export function renderConfigTable(): string {
    const rows = CONFIG_KEYS.map(
        (s) => `| \`aurora:${s.key}\` | ${s.type} | ${formatDefault(s.default)} | ${s.description.replace(/\|/g, "\\|")} |`,
    );
    return ["| key | type | default | description |", "|---|---|---|---|", ...rows].join("\n");
}

/** The README with its configuration table replaced by the rendered one. */
export function withConfigTable(readme: string): string {
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    if (start < 0 || end < start) {
        throw new Error(`README.md must contain ${START} and ${END}`);
    }
    return `${readme.slice(0, start + START.length)}\n${renderConfigTable()}\n${readme.slice(end)}`;
}

if (require.main === module) {
    fs.writeFileSync(README_PATH, withConfigTable(fs.readFileSync(README_PATH, "utf8")));
}
