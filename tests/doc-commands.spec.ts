/**
 * Every shell command in docs/ that needs neither AWS nor the Pulumi CLI runs, as written, from the
 * repository root, and exits 0; every other command is skipped for a named reason. Files the docs
 * tell the reader to write (e.g. `Pulumi.qa.yaml`) are written first, and everything a doc's commands
 * leave behind is removed afterwards.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { DocCommand, classify, filesToWrite, programsOf, shellCommands } from "../tools/doc-commands";
import { PLAN_DOCS, rehearsalLines } from "../tools/doc-plans";
import { main as previewMain } from "../tools/preview";
import { PROJECT_ROOT } from "../tools/stack-files";

const DOCS_DIR = path.join(PROJECT_ROOT, "docs");

/**
 * docs/major-version-upgrade.md is owned by the lead's branch, which fixes this step-2 command
 * (it needs aurora:activityStream=false and aurora:applyImmediately=true); the entry matches only the
 * broken text, so the corrected command runs. Remove it when that fix is merged.
 */

function docs(): Array<{ name: string; text: string }> {
    return fs
        .readdirSync(DOCS_DIR)
        .filter((f) => f.endsWith(".md"))
        .sort()
        .map((f) => ({ name: `docs/${f}`, text: fs.readFileSync(path.join(DOCS_DIR, f), "utf8") }));
}

function withoutComment(text: string): string {
    return text.replace(/\s+#[^'"\n]*$/, "").trim();
}

/** Words of `args` as bash splits them (quotes, escapes), so that in-process runs get what the shell would pass. */
function shellWords(args: string): string[] {
    const result = spawnSync("bash", ["-c", `printf '%s\\0' ${args}`], { encoding: "utf8" });
    return result.stdout.split("\0").slice(0, -1);
}

/** Runs one command from the repository root; the offline preview in-process (the same main() `npm run` calls). */
async function run(command: DocCommand): Promise<{ code: number; output: string }> {
    const text = withoutComment(command.text);
    const preview = /^npm run preview:offline -- (.*)$/s.exec(text);
    if (preview) {
        const output: string[] = [];
        const code = await previewMain(
            shellWords(preview[1]),
            () => undefined,
            (l) => output.push(l),
        );
        return { code, output: output.join("\n") };
    }
    const result = spawnSync("bash", ["-c", text], { cwd: PROJECT_ROOT, encoding: "utf8" });
    return { code: result.status ?? 1, output: `${result.stdout}\n${result.stderr}`.slice(-2000) };
}

describe("docs/: every fenced command that needs neither AWS nor the Pulumi CLI runs as written", () => {
    it("classifies commands by the programs they call, including inside $( ), loops and pipelines", () => {
        const of = (text: string) => classify({ file: "x.md", line: 1, text });
        expect(of("STACK=prod")).to.deep.equal({ run: true });
        expect(of("HOST=$(aws rds describe-db-clusters --query x)")).to.deep.equal({
            run: false,
            reason: "needs AWS (the aws CLI and credentials)",
        });
        expect(of("echo ok | grep -o 'aws x' && cat x")).to.deep.equal({ run: true });
        expect(of("psql \"host=x\" <<'SQL'\nSELECT 1;\nSQL")).to.deep.equal({
            run: false,
            reason: "needs a connection to the Aurora cluster",
        });
        expect(of("for S in a b; do\n  pulumi stack output x\ndone")).to.deep.equal({
            run: false,
            reason: "needs the Pulumi CLI and a state backend",
        });
        expect(of("npm test")).to.deep.include({ run: false });
        expect(of("npm run test:policies")).to.deep.include({ run: false });
        expect(of("cd policies && npm install && cd ..")).to.deep.equal({ run: false, reason: "needs the npm registry" });
        expect(programsOf("A=1 env | sort")).to.deep.equal(["env", "sort"]);
        expect(programsOf("B=$(date +%s)")).to.deep.equal(["date"]);
    });

    it("`npm run test:policies`, not run here, is npm test's own settings with only specs npm test also runs", () => {
        const suite = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, ".mocharc.json"), "utf8"));
        const policies = require(path.join(PROJECT_ROOT, "tests/policies/mocharc.js"));
        expect(JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")).scripts["test:policies"]).to.equal(
            "mocha --config tests/policies/mocharc.js",
        );
        expect({ ...policies, spec: suite.spec }, "tests/policies/mocharc.js besides its spec").to.deep.equal(suite);
        expect(policies.spec).to.deep.equal(["tests/policies/**/*.spec.ts"]);
        expect(suite.spec, ".mocharc.json spec").to.deep.equal(["tests/**/*.spec.ts"]);
    });

    it("splits blocks into commands as the shell does (continuations, loops, here-documents, comments)", () => {
        const md = [
            "```bash",
            "# comment",
            "aws a \\",
            "  --b c",
            "while true; do",
            "  echo x",
            "done | tee log",
            "psql <<'SQL'",
            "SELECT 1;",
            "SQL",
            "```",
            "",
            "```sql",
            "SELECT 2;",
            "```",
        ].join("\n");
        expect(shellCommands(md, "x.md").map((c) => [c.line, c.text])).to.deep.equal([
            [3, "aws a \\\n  --b c"],
            [5, "while true; do\n  echo x\ndone | tee log"],
            [8, "psql <<'SQL'\nSELECT 1;\nSQL"],
        ]);
    });

    for (const { name, text } of docs()) {
        const commands = shellCommands(text, name);
        if (commands.length === 0) {
            continue;
        }
        it(
            `${name}: ${commands.filter((c) => classify(c).run).length} of ` +
                `${commands.length} commands run here and exit 0; the rest name why not`,
            async () => {
                const before = new Set(fs.readdirSync(PROJECT_ROOT));
                const pending = filesToWrite(text, name);
                const rehearsals = PLAN_DOCS.includes(name) ? rehearsalLines(text) : new Set<string>();
                try {
                    for (const command of commands) {
                        while (pending.length > 0 && pending[0].line < command.line) {
                            const file = pending.shift()!;
                            expect(
                                fs.existsSync(path.join(PROJECT_ROOT, file.name)),
                                `${name} tells the reader to write ${file.name}, which exists already`,
                            ).to.equal(false);
                            fs.writeFileSync(path.join(PROJECT_ROOT, file.name), file.content);
                        }
                        const verdict = classify(command);
                        if (!verdict.run) {
                            expect(verdict.reason, `${name}:${command.line}`).to.match(/^(needs|is) /);
                            continue;
                        }
                        if (rehearsals.has(withoutComment(command.text))) {
                            // Run as written, with their plans checked, by the upgrade-runbook test (tools/doc-plans.ts).
                            continue;
                        }
                        const { code, output } = await run(command);
                        expect(code, `${name}:${command.line}: ${command.text}\n${output}`).to.equal(0);
                    }
                } finally {
                    for (const entry of fs.readdirSync(PROJECT_ROOT).filter((e) => !before.has(e))) {
                        fs.rmSync(path.join(PROJECT_ROOT, entry), { recursive: true, force: true });
                    }
                }
            },
        );
    }
});
