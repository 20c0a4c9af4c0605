/**
 * Environments are cheap to add: a fourth stack file is all it takes. This writes the `Pulumi.qa.yaml`
 * example of docs/state-and-environments.md next to the real stack files, runs every per-stack test of
 * the suite for it in a child mocha (the specs discover stacks from Pulumi.*.yaml), and removes it.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { filesToWrite } from "../tools/doc-commands";
import { PROJECT_ROOT, listStacks } from "../tools/stack-files";

const STACK = "qa";

describe("a fourth stack (Pulumi.qa.yaml from docs/state-and-environments.md) runs the whole per-stack matrix", () => {
    it("is discovered by listStacks and passes every per-stack test, in a child mocha", function () {
        this.timeout(600000);
        const docs = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "state-and-environments.md"), "utf8");
        const example = filesToWrite(docs, "docs/state-and-environments.md").find((f) => f.name === `Pulumi.${STACK}.yaml`);
        expect(example, `the doc's Pulumi.${STACK}.yaml example`).to.not.equal(undefined);
        const file = path.join(PROJECT_ROOT, `Pulumi.${STACK}.yaml`);
        expect(fs.existsSync(file), `${file} must not exist before the test`).to.equal(false);
        fs.writeFileSync(file, example!.content);
        try {
            expect(listStacks()).to.include(STACK);
            // Per-stack tests are titled `<stack>: ...` or `REQ-nnn <stack>: ...`.
            const child = spawnSync(
                process.execPath,
                [require.resolve("mocha/bin/mocha.js"), "--grep", `(^| )${STACK}: `, "--reporter", "dot"],
                { cwd: PROJECT_ROOT, encoding: "utf8" },
            );
            const passing = (out: string) => Number(/(\d+) passing/.exec(out)?.[1]);
            expect(child.status, `child mocha for ${STACK}:\n${child.stdout.slice(-4000)}\n${child.stderr.slice(-2000)}`).to.equal(0);
            // Every test of the per-stack loops (`for (const stack of STACKS)`); only the secrets spec's
            // tests of staging's and prod's particular application users are not among them.
            expect(passing(child.stdout), "per-stack tests run for the new stack").to.be.at.least(25);
        } finally {
            fs.rmSync(file, { force: true });
        }
    });
});
