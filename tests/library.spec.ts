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
});
