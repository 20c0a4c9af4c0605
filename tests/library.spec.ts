/**
 * The components are a library that this program uses like any other caller: self-contained under
 * components/, and composed by AuroraPostgres.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../tools/stack-files";
import { STACKS, stackRun } from "./helpers";

const TOP_LEVEL = "aurora:index:AuroraPostgres";

function importsOf(file: string): string[] {
    return [...fs.readFileSync(file, "utf8").matchAll(/(?:from|require\()\s*["']([^"']+)["']/g)].map((m) => m[1]);
}

describe("library: components are self-contained and composed by AuroraPostgres", () => {
    it("nothing under components/ imports config/, tools/, tests/ or the program", () => {
        const dir = path.join(PROJECT_ROOT, "components");
        const outside = fs
            .readdirSync(dir)
            .filter((f) => f.endsWith(".ts"))
            .flatMap((f) => importsOf(path.join(dir, f)).filter((i) => i.startsWith(".") && !i.startsWith("./") && !i.startsWith("../functions/")).map((i) => `${f} imports ${i}`));
        expect(outside).to.deep.equal([]);
    });

    for (const stack of STACKS) {
        it(`${stack}: every resource is declared under one AuroraPostgres component`, async () => {
            const run = await stackRun(stack);
            const roots = run.resources.filter((r) => r.parent === null).map((r) => `${r.type}::${r.name}`);
            expect(roots).to.deep.equal([`${TOP_LEVEL}::aurora-${stack}`]);
        });

    }

    it("@pulumi/pulumi is pinned to one exact version, the one installed, in the program and the policy pack", () => {
        const installed = (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")) as { version: string }).version;
        for (const file of ["package.json", "policies/package.json"]) {
            const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8")) as { dependencies: Record<string, string> };
            expect(manifest.dependencies["@pulumi/pulumi"], `${file}: the mock engine relies on SDK internals (README, Upgrading)`).to.equal(installed);
        }
    });
});
