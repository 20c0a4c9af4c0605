import { expect } from "chai";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { engine } from "../tools/mock-engine";
import { readStackConfig } from "../tools/stack-files";
import { errorOf, one, runComponent } from "./helpers";

describe("the mock engine and stack-file reader the offline preview relies on", () => {
    it("refuses an invoke it has no answer for, so a new data source cannot slip in unmocked", () => {
        expect(() => engine.call({ token: "aws:ec2/getAmi:getAmi", inputs: {} })).to.throw(
            "The mock engine has no answer for invoke 'aws:ec2/getAmi:getAmi'",
        );
    });

    it("records dependsOn given as an Output as the URNs of the resources it names", async () => {
        const run = await runComponent(() => {
            const group = new aws.cloudwatch.LogGroup("dep-target", { name: "dep-target" });
            new aws.cloudwatch.LogGroup("dep-source", { name: "dep-source" }, { dependsOn: pulumi.output([group]) });
        });
        expect(one(run, "aws:cloudwatch/logGroup:LogGroup", "dep-source").options.dependsOn).to.deep.equal([
            one(run, "aws:cloudwatch/logGroup:LogGroup", "dep-target").urn,
        ]);
    });

    it("refuses a secure value in a stack file: the offline preview cannot decrypt it", async () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "stack-files-"));
        fs.writeFileSync(path.join(root, "Pulumi.yaml"), "name: aurora\nruntime: nodejs\n");
        fs.writeFileSync(path.join(root, "Pulumi.x.yaml"), "config:\n  aurora:team:\n    secure: AAABAF==\n");
        const error = await errorOf(() => readStackConfig("x", root));
        expect(error.message).to.include("aurora:team is a secure value, which the offline preview cannot decrypt");
    });

    it("skips the SDK's per-promise stack traces, which it reads only when PULUMI_DEBUG_PROMISE_LEAKS is set", async () => {
        const debuggable = require("@pulumi/pulumi/runtime/debuggable");
        const traceOf = () => {
            const promise = Promise.resolve(1) as Promise<number> & { _debugStackTrace?: string };
            return debuggable.debuggablePromise(promise, "test").then(() => promise._debugStackTrace);
        };
        expect(await traceOf(), "trace stored without PULUMI_DEBUG_PROMISE_LEAKS").to.equal("Error");
        debuggable.debugPromiseLeaks = true;
        try {
            expect(await traceOf(), "trace stored with PULUMI_DEBUG_PROMISE_LEAKS").to.match(/^Error\n\s+at /);
        } finally {
            debuggable.debugPromiseLeaks = false;
        }
    });
});
