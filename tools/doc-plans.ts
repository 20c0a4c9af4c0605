/**
 * Keeps the update plans the upgrade runbooks show true: every ```bash block of a runbook that runs
 * `npm run preview:offline` is executed as written (in a scratch folder, so its `--json` files stay out
 * of the repository), and the ```text block right after it is the plan its last command printed.
 *
 *   npm run docs:plans          # rewrites the plans in the runbooks of PLAN_DOCS
 *
 * A test renders the same documents and compares them with the committed ones.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "./preview";
import { PROJECT_ROOT } from "./stack-files";

export const PLAN_DOCS = ["docs/major-version-upgrade.md", "docs/upgrades.md", "docs/blue-green-upgrade.md"];

const PREVIEW = "npm run preview:offline -- ";
const FENCE = /```(\w*)\n([\s\S]*?)```/g;

/** The plan section of a preview's report: from its first step (or the summary) to the `Plan:` line. */
function planOf(report: string): string {
    const lines = report.split("\n");
    const start = lines.findIndex((l) => l.startsWith("Update plan against"));
    const end = lines.findIndex((l, i) => i > start && l.startsWith("Plan: "));
    if (start < 0 || end < 0) {
        throw new Error("the command printed no update plan (it needs --against or --refresh)");
    }
    return lines.slice(start + 1, end + 1).join("\n");
}

/** Runs one rehearsal command line in `workDir`; returns the report it printed. */
async function run(line: string, workDir: string): Promise<string | undefined> {
    const echo = /^echo '([^']*)' > (\S+)$/.exec(line);
    if (echo) {
        fs.writeFileSync(path.join(workDir, echo[2]), echo[1] + "\n");
        return undefined;
    }
    if (!line.startsWith(PREVIEW)) {
        throw new Error(`'${line}': a rehearsal block may only run '${PREVIEW}...' and 'echo '...' > file'`);
    }
    // Files the runbook writes or reads live in the scratch folder; files of the repository stay where they are.
    const argv = line
        .slice(PREVIEW.length)
        .split(/\s+/)
        .map((arg) => (arg.endsWith(".json") && !fs.existsSync(path.join(PROJECT_ROOT, arg)) ? path.join(workDir, arg) : arg));
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(
        argv,
        (l) => out.push(l),
        (l) => err.push(l),
    );
    if (code !== 0) {
        throw new Error(`'${line}' exited ${code}: ${err.join(" ")}`);
    }
    return out.join("\n");
}

/** The preview commands of a document's rehearsal blocks (what renderDocPlans runs and checks). */
export function rehearsalLines(markdown: string): Set<string> {
    return new Set(
        [...markdown.matchAll(FENCE)]
            .filter(([, language, body]) => language === "bash" && body.includes(PREVIEW))
            .flatMap(([, , body]) => body.split("\n").map((l) => l.trim()))
            .filter((l) => l.startsWith(PREVIEW)),
    );
}

/** The document with every rehearsal block run and the plan block after it replaced by what it printed. */
export async function renderDocPlans(markdown: string): Promise<string> {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "doc-plans-"));
    const blocks = [...markdown.matchAll(FENCE)];
    let rendered = "";
    let copied = 0;
    let lastReport: string | undefined;
    for (const [i, block] of blocks.entries()) {
        const [whole, language, body] = block;
        const start = block.index!;
        rendered += markdown.slice(copied, start);
        copied = start + whole.length;
        const previous = blocks[i - 1];
        const followsRehearsal =
            previous &&
            previous[1] === "bash" &&
            previous[2].includes(PREVIEW) &&
            markdown.slice(previous.index! + previous[0].length, start).trim() === "";
        if (language === "text" && followsRehearsal && lastReport !== undefined) {
            rendered += "```text\n" + planOf(lastReport) + "\n```";
            continue;
        }
        rendered += whole;
        if (language === "bash" && body.includes(PREVIEW)) {
            lastReport = undefined;
            for (const line of body.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"))) {
                lastReport = (await run(line.trim(), workDir)) ?? lastReport;
            }
        }
    }
    fs.rmSync(workDir, { recursive: true, force: true });
    return rendered + markdown.slice(copied);
}

if (require.main === module) {
    (async () => {
        for (const doc of PLAN_DOCS) {
            const file = path.join(PROJECT_ROOT, doc);
            fs.writeFileSync(file, await renderDocPlans(fs.readFileSync(file, "utf8")));
            console.log(`Wrote ${doc}`);
        }
    })().catch((e) => {
        console.error(`error: ${(e as Error).message}`);
        process.exit(1);
    });
}
