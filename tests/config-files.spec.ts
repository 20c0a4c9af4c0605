import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parseStackConfig } from "../config";
import { CONFIG_KEYS } from "../config/schema";
import { README_PATH, withConfigTable } from "../tools/readme-config";
import { PROJECT_ROOT, listStacks, readProjectFile, readStackConfig } from "../tools/stack-files";

describe("Pulumi.yaml, stack files and README stay in step with config/schema.ts", () => {
    const project = readProjectFile();
    const declared = project.config ?? {};

    it("Pulumi.yaml declares every aurora:* key with the same type, default and description, and nothing else", () => {
        expect(Object.keys(declared).sort()).to.deep.equal(CONFIG_KEYS.map((s) => s.key).sort());
        for (const spec of CONFIG_KEYS) {
            const d = declared[spec.key] as Record<string, unknown>;
            expect(d.type, spec.key).to.equal(spec.type);
            expect(d.default, spec.key).to.deep.equal(spec.default);
            expect(d.description, spec.key).to.equal(spec.description);
            if (spec.type === "array") {
                expect(d.items, spec.key).to.deep.equal({ type: "string" });
            }
        }
    });

    it("the project is named aurora (the config namespace) and runs index.ts with TypeScript, not the library package.json exports", () => {
        expect(project.name).to.equal("aurora");
        const raw = readProjectFile() as unknown as { runtime: { name: string; options: Record<string, unknown> }; main: string };
        expect(raw.runtime.name).to.equal("nodejs");
        expect(raw.runtime.options.typescript).to.equal(true);
        // Without `main` here, the Node.js language host runs package.json's `exports["."]` (then `main`)
        // (@pulumi/pulumi cmd/run/run.js): the library's entry, which declares nothing, and `pulumi up`
        // would plan to delete the whole stack.
        const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
            exports: Record<string, unknown>;
            main: string;
        };
        expect(manifest.exports["."], "package.json exports the library").to.not.equal(undefined);
        expect(raw.main, "Pulumi.yaml main names the program").to.equal("index.ts");
        expect(
            fs.readFileSync(path.join(PROJECT_ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "run", "run.js"), "utf8"),
            "the host still honours Pulumi.yaml main first",
        ).to.include('const hasEntrypoint = argv._[0] !== ".";');
    });

    it("stack files exist for dev, staging and prod, set aws:region, and use only declared keys", () => {
        expect(listStacks()).to.include.members(["dev", "staging", "prod"]);
        for (const stack of listStacks()) {
            const { config } = readStackConfig(stack);
            expect(config["aws:region"], stack).to.match(/^[a-z]{2}-[a-z]+-\d$/);
            expect(() => parseStackConfig(config, { project: "aurora", stack })).to.not.throw();
        }
    });

    it("stack files hold only values that differ from the defaults", () => {
        for (const stack of listStacks()) {
            const file = fs.readFileSync(path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`), "utf8");
            for (const spec of CONFIG_KEYS.filter((s) => s.default !== undefined)) {
                const match = new RegExp(`^\\s+aurora:${spec.key}: (.*)$`, "m").exec(file);
                if (match) {
                    expect(match[1], `${stack}: aurora:${spec.key} repeats the default`).to.not.equal(
                        JSON.stringify(spec.default).replace(/^"|"$/g, ""),
                    );
                }
            }
        }
    });

    it("the README's configuration table is the one tools/readme-config.ts renders (every key documented)", () => {
        const readme = fs.readFileSync(README_PATH, "utf8");
        expect(readme, "run: npx ts-node --transpile-only tools/readme-config.ts").to.equal(withConfigTable(readme));
        for (const spec of CONFIG_KEYS) {
            expect(readme, spec.key).to.include(`| \`aurora:${spec.key}\` |`);
        }
    });
});
