import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { CONFIG_KEYS } from "../config/schema";
import { listStacks } from "../tools/stack-files";
import { stackRun } from "./helpers";

const DOCS = path.join(__dirname, "..", "docs");
const docs = fs
    .readdirSync(DOCS)
    .filter((f) => f.endsWith(".md"))
    .map((f) => ({ file: f, text: fs.readFileSync(path.join(DOCS, f), "utf8") }));
const readme = { file: "README.md", text: fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8") };

describe("docs and runbooks refer to real names, outputs and keys", () => {
    it("every `pulumi stack output <name>` is an output of the stack", async () => {
        const outputs = new Set<string>();
        for (const stack of listStacks()) {
            Object.keys((await stackRun(stack)).outputs).forEach((k) => outputs.add(k));
        }
        for (const { file, text } of [...docs, readme]) {
            for (const match of text.matchAll(/pulumi stack output (\w+)/g)) {
                expect(outputs.has(match[1]), `${file}: pulumi stack output ${match[1]}`).to.equal(true);
            }
        }
    });

    it("every aurora:<key> mentioned is a configuration key", () => {
        const keys = new Set(CONFIG_KEYS.map((s) => s.key));
        for (const { file, text } of [...docs, readme]) {
            for (const match of text.matchAll(/aurora:([a-zA-Z]+)/g)) {
                if (["db", "kms", "network", "secrets", "alarms", "backup"].includes(match[1])) {
                    continue; // component type tokens such as aurora:db:AuroraCluster
                }
                expect(keys.has(match[1]), `${file}: aurora:${match[1]}`).to.equal(true);
            }
        }
    });

    it("the physical names the runbooks use exist in the prod preview", async () => {
        const run = await stackRun("prod");
        const names = new Set(run.resources.flatMap((r) => [r.inputs.name, r.inputs.identifier, r.inputs.clusterIdentifier, r.inputs.dbProxyEndpointName].filter(Boolean)));
        const used = [
            "aurora-prod", "aurora-prod-instance-1", "aurora-prod-backup", "aurora-prod-dr", "aurora-prod-proxy", "aurora-prod-rotation",
            "alias/aurora-prod-dr-backup", "alias/aurora-prod-storage", "alias/aurora-prod-secrets", "aurora-prod/app/app",
            "/aws/rds/cluster/aurora-prod/postgresql",
        ];
        for (const name of used) {
            expect(names.has(name), name).to.equal(true);
        }
        const runbookText = docs.map((d) => d.text).join("\n");
        for (const name of ["aurora-prod-dr", "aurora-prod-backup", "alias/aurora-prod-dr-backup", "aurora-prod-rotation"]) {
            expect(runbookText, name).to.include(name);
        }
    });
});
