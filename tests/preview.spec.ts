import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main, namespaced } from "../tools/preview";
import { PROJECT_ROOT } from "../tools/stack-files";
import { STACKS, stackConfig, stackRun } from "./helpers";

async function runCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(
        argv,
        (l) => out.push(l),
        (l) => err.push(l),
    );
    return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("offline preview (npm run preview:offline)", () => {
    for (const stack of STACKS) {
        it(`${stack}: exits 0 and prints the resource tree, counts by type and outputs`, async () => {
            const { code, out } = await runCli(["--stack", stack]);
            expect(code).to.equal(0);
            expect(out).to.include(`pulumi:pulumi:Stack  aurora-${stack}`);
            expect(out).to.match(/\n {6}\+ aurora:index:AuroraPostgres {2}aurora-/);
            expect(out).to.match(/\n {8}\+ aurora:kms:KmsKeys {2}aurora-/);
            expect(out).to.match(/\n {10}\+ aws:kms\/key:Key {2}aurora-\S+-storage/);
            expect(out).to.match(/Resources: \d+ to create/);
            // One key per purpose in use (the activity-stream key with a stream or protected keys), plus the
            // DR vault's key in the DR region where the cross-region backup is on.
            const config = stackConfig(stack);
            const keys = 5 + (config.cluster.activityStream || config.protectResources ? 1 : 0) + (config.backup.enabled ? 1 : 0);
            expect(out).to.match(new RegExp(`\\n\\s+${keys} {2}aws:kms/key:Key`));
            expect(out).to.include("Outputs:");
            expect(out).to.include('vpcId: "vpc-');
        });
    }

    for (const stack of STACKS) {
        it(`${stack}: the real program passes the whole aurora-guardrails pack with zero mandatory violations`, async () => {
            const run = await stackRun(stack);
            expect(run.policyViolations.filter((v) => v.enforcementLevel === "mandatory")).to.deep.equal([]);
            const advisory = [...new Set(run.policyViolations.map((v) => v.policy))];
            const { cluster, network } = stackConfig(stack);
            const shortRetention = Math.min(cluster.logRetentionDays, network.flowLogsRetentionDays) < 90;
            expect(advisory, "only a deliberately short log retention (dev's 30 days) is flagged").to.deep.equal(
                shortRetention ? ["cloudwatch-log-group-retention"] : [],
            );
        });
    }

    it("the README's bench table states each stack's real resource count", async () => {
        const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
        for (const stack of STACKS) {
            const count = (await stackRun(stack)).resources.filter((r) => r.custom).length;
            expect(readme, stack).to.match(new RegExp(`\\| ${stack} \\| ${count} \\|`));
        }
    });

    it("every offline-preview command the README shows works as its comment says", async () => {
        const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
        const commands = [...readme.matchAll(/^npm run preview:offline -- (.+?)\s+# (.*)$/gm)];
        expect(commands.length).to.be.greaterThan(3);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "readme-"));
        for (const [, args, comment] of commands) {
            const argv = args.split(/\s+/).map((a) => (a === "out.json" ? path.join(dir, a) : a));
            const { code } = await runCli(argv);
            expect(code, `npm run preview:offline -- ${args}`).to.equal(comment.startsWith("refused") ? 1 : 0);
        }
        expect(fs.existsSync(path.join(dir, "out.json"))).to.equal(true);
    });

    it("--json writes the documented shape, with resource options captured", async () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "preview-")), "out.json");
        const { code } = await runCli(["--stack", "prod", "--json", file]);
        expect(code).to.equal(0);
        const doc = JSON.parse(fs.readFileSync(file, "utf8"));
        expect(Object.keys(doc)).to.deep.equal(["project", "stack", "resources", "outputs", "policyViolations", "mode"]);
        expect(doc.mode).to.equal("up");
        expect(doc).to.include({ project: "aurora", stack: "prod" });
        expect(doc.policyViolations).to.be.an("array");
        for (const r of doc.resources) {
            // `id` and `state` (added for --against) extend the document; earlier keys keep their order.
            expect(Object.keys(r)).to.deep.equal(
                r.custom
                    ? ["urn", "type", "name", "parent", "custom", "inputs", "options", "id", "state"]
                    : ["urn", "type", "name", "parent", "custom", "inputs", "options", "state"],
            );
            expect(r.urn).to.match(/^urn:pulumi:prod::aurora::/);
            // `aliasParents` (where a resource was declared before) extends the options; earlier keys keep their order.
            expect(Object.keys(r.options)).to.deep.equal([
                "protect",
                "ignoreChanges",
                "retainOnDelete",
                "dependsOn",
                "deleteBeforeReplace",
                "aliasParents",
            ]);
            expect(r.parent === null || typeof r.parent === "string").to.equal(true);
        }
        const key = doc.resources.find((r: any) => r.type === "aws:kms/key:Key");
        expect(key.options.protect).to.equal(true);
        expect(key.parent).to.match(/aurora:kms:KmsKeys::aurora-prod$/);
        expect(doc.resources.find((r: any) => r.type === "aurora:kms:KmsKeys").parent).to.match(
            /aurora:index:AuroraPostgres::aurora-prod$/,
        );
        expect(doc.resources.find((r: any) => r.type === "aurora:index:AuroraPostgres").parent).to.equal(null);
        expect(doc.outputs.kmsKeyArns.storage).to.match(/^arn:aws:kms:eu-west-1:123456789012:key\//);
    });

    it(
        "--preview: a new-stack preview (ids and computed outputs unknown) " +
            "exits 0 and says so; --json records the mode and the unknowns",
        async () => {
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "preview-")), "out.json");
            const { code, out } = await runCli(["--stack", "prod", "--preview", "--json", file]);
            expect(code).to.equal(0);
            expect(out).to.include("Mode: new-stack preview");
            expect(out).to.not.include("can't run policy");
            const doc = JSON.parse(fs.readFileSync(file, "utf8"));
            expect(doc.mode).to.equal("preview");
            const cluster = doc.resources.find((r: any) => r.type === "aws:rds/cluster:Cluster");
            expect(cluster.inputs.kmsKeyId, "the storage key's ARN is not known before the key exists").to.equal(
                "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
            );
            expect(cluster.inputs.clusterIdentifier, "config-derived values stay known").to.equal("aurora-prod");
        },
    );

    it("a bad config exits 1 and names the key, the value and what is allowed", async () => {
        const { code, err, out } = await runCli(["--stack", "prod", "--config", "aurora:azCount=1"]);
        expect(code).to.equal(1);
        expect(out).to.equal("");
        expect(err).to.include("aurora:azCount = 1: must be an integer from 2 to 6");
    });

    it(
        "--config without a namespace is the project's key, " +
            "as the Pulumi CLI treats it: readerCount=3 adds a reader, azCount=1 is refused",
        async () => {
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "preview-")), "staging.json");
            const { code } = await runCli(["--stack", "staging", "--config", "readerCount=3", "--json", file]);
            expect(code).to.equal(0);
            const instances = JSON.parse(fs.readFileSync(file, "utf8")).resources.filter(
                (r: { type: string }) => r.type === "aws:rds/clusterInstance:ClusterInstance",
            );
            expect(
                instances.map((r: { name: string }) => r.name),
                "writer and three readers",
            ).to.have.length(4);
            const refused = await runCli(["--stack", "prod", "--config", "azCount=1"]);
            expect(refused.code).to.equal(1);
            expect(refused.err).to.include("aurora:azCount = 1: must be an integer from 2 to 6");
            expect(namespaced({ readerCount: "3", "aws:region": "eu-west-1" }, "aurora")).to.deep.equal({
                "aurora:readerCount": "3",
                "aws:region": "eu-west-1",
            });
        },
    );

    it("REQ-008: deletion protection off in prod never reaches AWS: the config layer refuses it (exit 1)", async () => {
        const { code, err } = await runCli(["--stack", "prod", "--config", "aurora:deletionProtection=false"]);
        expect(code).to.equal(1);
        expect(err).to.include("aurora:deletionProtection = false: must be true in prod (REQ-008)");
    });

    it("a mandatory policy violation exits 1 and names the policy (staging treated as production by policy config)", async () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "policy-")), "config.json");
        fs.writeFileSync(file, JSON.stringify({ "rds-cluster-deletion-protection": { productionEnvironments: ["staging", "prod"] } }));
        const { code, out, err } = await runCli([
            "--stack",
            "staging",
            "--config",
            "aurora:deletionProtection=false",
            "--policy-pack-config",
            file,
        ]);
        expect(code).to.equal(1);
        expect(out).to.include("MANDATORY  rds-cluster-deletion-protection");
        expect(out).to.include("Production cluster does not have deletion protection");
        expect(err).to.include("error: 1 mandatory policy violation(s): rds-cluster-deletion-protection");
        const clean = await runCli(["--stack", "staging", "--policy-pack-config", file]);
        expect(clean.code, "staging itself keeps deletion protection on").to.equal(0);
        expect(clean.out).to.include("Policy pack aurora-guardrails: no violations");
    });

    it("advisory findings are printed but do not fail the preview (dev's 30-day log retention)", async () => {
        const { code, out } = await runCli(["--stack", "dev"]);
        expect(code).to.equal(0);
        expect(out).to.include("ADVISORY  cloudwatch-log-group-retention");
    });

    it("bad usage exits 2 with the usage line", async () => {
        for (const argv of [
            [],
            ["--stack"],
            ["--bogus", "x"],
            ["--stack", "dev", "--config", "novalue"],
            ["--stack", "dev", "--policy-pack-config", "missing.json"],
        ]) {
            const { code, err } = await runCli(argv);
            expect(code, argv.join(" ")).to.equal(2);
            expect(err).to.include(`usage: npm run preview:offline -- --stack <${STACKS.join("|")}>`);
        }
    });

    it("an unknown stack exits 1 and lists the stacks", async () => {
        const { code, err } = await runCli(["--stack", "no-such-stack"]);
        expect(code).to.equal(1);
        expect(err).to.include(`No stack file Pulumi.no-such-stack.yaml: stacks are ${STACKS.join(", ")}`);
    });

    it("as a process: exits with code 1 on invalid config (what CI and users see)", function () {
        this.timeout(30000);
        const result = spawnSync(
            process.execPath,
            ["-r", "./tools/register.js", "tools/preview.ts", "--stack", "dev", "--config", "aurora:environment=production"],
            {
                cwd: PROJECT_ROOT,
                encoding: "utf8",
            },
        );
        expect(result.status).to.equal(1);
        expect(result.stderr).to.include('aurora:environment = "production": must be one of');
    });
});
