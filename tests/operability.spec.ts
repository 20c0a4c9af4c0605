/**
 * Runbooks that are right and output that is honest: what docs/destroy-stack.md,
 * docs/point-in-time-restore.md and docs/runbooks.md state is checked against what the program
 * declares for every stack, the offline preview warns about what would exist without doing its job,
 * and tools/refresh-aws-data.ts reads cfn-lint's real layout.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { INSTANCE_PARAMETER_DEFAULTS } from "../components/parameters";
import { main as refreshAwsData } from "../tools/refresh-aws-data";
import { previewWarnings } from "../tools/preview-warnings";
import { formatReport, previewStack } from "../tools/preview";
import { PROJECT_ROOT } from "../tools/stack-files";
import { GLOBAL_DATABASE, STACKS, ofType, one, stackConfig, stackRun } from "./helpers";

const doc = (name: string) => fs.readFileSync(path.join(PROJECT_ROOT, "docs", name), "utf8");

/** Runs a grep command exactly as a runbook writes it, on `urns.txt` holding `pulumi stack --show-urns`-like lines. */
function runbookGrep(command: string, urns: readonly string[]): string[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "urns-"));
    fs.writeFileSync(path.join(dir, "urns.txt"), urns.map((u) => `    URN: ${u}`).join("\n") + "\n");
    const result = spawnSync("bash", ["-c", command], { cwd: dir, encoding: "utf8" });
    fs.rmSync(dir, { recursive: true });
    return result.stdout.split("\n").filter(Boolean).sort();
}

describe("docs/destroy-stack.md keeps every stack's snapshots restorable", () => {
    const text = doc("destroy-stack.md");
    const grepOf = (verb: string) => {
        const match = new RegExp(`pulumi state ${verb} --stack \\$STACK --yes \\$\\((grep .*? urns\\.txt)\\)`).exec(text);
        expect(match, `the pulumi state ${verb} step`).to.not.equal(null);
        return match![1];
    };

    for (const stack of STACKS) {
        it(
            `${stack}: the protect step selects every KMS key, alias and backup vault; ` +
                `the unprotect step only the cluster; the rest is destroyed`,
            async () => {
                const run = await stackRun(stack);
                const custom = run.resources.filter((r) => r.custom);
                const keep = custom.filter((r) => ["aws:kms/key:Key", "aws:kms/alias:Alias", "aws:backup/vault:Vault"].includes(r.type));
                expect(
                    runbookGrep(
                        grepOf("protect"),
                        custom.map((r) => r.urn),
                    ),
                ).to.deep.equal(keep.map((r) => r.urn).sort());
                const cluster = one(run, "aws:rds/cluster:Cluster");
                expect(
                    runbookGrep(
                        grepOf("unprotect"),
                        custom.map((r) => r.urn),
                    ),
                ).to.deep.equal([cluster.urn]);
                // The keys the snapshots depend on are among the kept ones, whatever aurora:protectResources says.
                const keptArns = new Set(keep.map((k) => k.state.arn));
                expect(keptArns.has(cluster.inputs.kmsKeyId), `${stack}: the storage key of the final snapshot`).to.equal(true);
                for (const vault of ofType(run, "aws:backup/vault:Vault")) {
                    expect(keptArns.has(vault.inputs.kmsKeyArn), `${stack}: ${vault.name}'s key`).to.equal(true);
                }
                expect(cluster.inputs.skipFinalSnapshot).to.equal(false);
            },
        );
    }

    it("REQ-008 with a global database: the steps also free the DR cluster and the global cluster, and keep the DR keys", async () => {
        const run = await previewStack("prod", GLOBAL_DATABASE);
        const custom = run.resources.filter((r) => r.custom);
        const urns = custom.map((r) => r.urn);
        const unprotects = [...text.matchAll(/pulumi state unprotect --stack \$STACK --yes \$\((grep .*? urns\.txt)\)/g)].map((m) => m[1]);
        expect(unprotects, "step 3 and step 3b").to.have.length(2);
        const freed = unprotects.flatMap((grep) => runbookGrep(grep, urns)).sort();
        const clusters = [...ofType(run, "aws:rds/cluster:Cluster"), ...ofType(run, "aws:rds/globalCluster:GlobalCluster")];
        expect(freed).to.deep.equal(clusters.map((c) => c.urn).sort());
        const kept = runbookGrep(grepOf("protect"), urns);
        expect(kept, "every key, the DR region's included").to.include.members(ofType(run, "aws:kms/key:Key").map((k) => k.urn));
    });

    it("REQ-008: turning a global database off unprotects exactly the global cluster, the DR cluster and the DR keys", async () => {
        const run = await previewStack("prod", GLOBAL_DATABASE);
        const turnOff = /## Turning it off[\s\S]*?pulumi state unprotect --stack \$STACK --yes \$\((grep .*? urns\.txt)\)/.exec(
            doc("global-database.md"),
        );
        expect(turnOff, "the unprotect step of docs/global-database.md").to.not.equal(null);
        const selected = runbookGrep(
            `CLUSTER=aurora-prod; ${turnOff![1]}`,
            run.resources.filter((r) => r.custom).map((r) => r.urn),
        );
        const expected = run.resources.filter(
            (r) =>
                r.type === "aws:rds/globalCluster:GlobalCluster" ||
                (r.type === "aws:rds/cluster:Cluster" && r.name === "aurora-prod-dr-cluster") ||
                (r.type === "aws:kms/key:Key" && r.name.startsWith("aurora-prod-dr-")),
        );
        expect(expected.length).to.equal(8);
        expect(selected).to.deep.equal(expected.map((r) => r.urn).sort());
    });

    it("says which stacks leave their keys unprotected, as the stack files set it", async () => {
        for (const stack of STACKS) {
            const keys = ofType(await stackRun(stack), "aws:kms/key:Key");
            const protectedKeys = keys.every((k) => k.options.protect);
            expect(protectedKeys, stack).to.equal(stackConfig(stack).protectResources);
            if (!protectedKeys) {
                expect(text, stack).to.include(`\`${stack}\``);
            }
        }
        expect(text).to.include("pulumi destroy --stack $STACK --exclude-protected").and.not.include("pulumi destroy --stack dev\n");
    });
});

describe("docs/point-in-time-restore.md full switch", () => {
    const text = doc("point-in-time-restore.md");

    it("renames the instances the stack tracks, makes the restored writer instance-1, and repoints masterarn", async () => {
        const prod = await stackRun("prod");
        const writer = one(prod, "aws:rds/clusterInstance:ClusterInstance", "-instance-1");
        expect(writer.inputs.identifier).to.equal("aurora-prod-instance-1");
        expect(text).to.include("--new-db-instance-identifier $CLUSTER-instance-1");
        expect(prod.outputs.instanceIdentifiers).to.include("aurora-prod-instance-1");
        expect(text).to.include("pulumi stack output instanceIdentifiers --stack $STACK --json");
        // The app secrets carry the master secret ARN, which is why step 5 exists.
        const appSecret = ofType(prod, "aws:secretsmanager/secretVersion:SecretVersion")[0];
        expect(appSecret.options.ignoreChanges, "pulumi up does not rewrite the secret value").to.include("secretString");
        expect(JSON.stringify(appSecret.inputs)).to.include("masterarn");
        expect(text).to.include(".masterarn = $m").and.include("pulumi stack output appSecretArns --stack $STACK --json");
        expect(ofType(prod, "aws:rds/proxyTarget:ProxyTarget")).to.have.length(1);
        expect(text)
            .to.include("aws:rds/proxyTarget:ProxyTarget")
            .and.not.include("recreates the readers, rotation schedule, activity stream");
    });
});

describe("docs/runbooks.md idle-in-transaction step", () => {
    it(
        "terminates sessions younger than idle_in_transaction_session_timeout " +
            "(older ones cannot exist) and states the parameter's value",
        () => {
            const text = doc("runbooks.md");
            const timeoutMs = Number(INSTANCE_PARAMETER_DEFAULTS.idle_in_transaction_session_timeout.value);
            const interval =
                /state = 'idle in transaction' AND now\(\) - state_change > interval '(\d+) (minute|minutes|second|seconds)'/.exec(text);
            expect(interval, "the terminate statement").to.not.equal(null);
            const intervalMs = Number(interval![1]) * (interval![2].startsWith("minute") ? 60000 : 1000);
            expect(intervalMs, "runbook threshold below the parameter").to.be.below(timeoutMs);
            expect(text).to.include(`\`idle_in_transaction_session_timeout\`\n= \`${timeoutMs}\` ms (${timeoutMs / 60000} minutes`);
        },
    );
});

describe("offline preview: honest output (npm start)", () => {
    it(
        "dev: warns about the alert topic without subscribers; " +
            "creates no activity-stream key without a stream; no app rotation is promised",
        async () => {
            const dev = await stackRun("dev");
            const warnings = previewWarnings(dev.resources);
            expect(
                warnings.filter((w) => w.startsWith("alert topic aurora-dev-alerts has no subscribers")),
                "topic warning",
            ).to.have.length(1);
            expect(
                dev.resources.filter((r) => r.name.endsWith("-activity-stream")).map((r) => r.urn),
                "activity-stream resources",
            ).to.deep.equal([]);
            expect(dev.outputs.kmsKeyArns).to.not.have.property("activity-stream");
            expect(dev.outputs.appSecretArns).to.deep.equal({});
            expect(dev.outputs.rotationSchedule.applicationUsers).to.equal("none (no application users)");
            expect(formatReport(dev)).to.include(`Warnings: ${warnings.length}\n    alert topic aurora-dev-alerts`);
        },
    );

    it(
        "prod: subscribers, a stream and application users, so only the " + "runbook URL placeholder is reported; an own URL clears it",
        async () => {
            const prod = await stackRun("prod");
            expect(previewWarnings(prod.resources)).to.have.length(1);
            expect(previewWarnings(prod.resources)[0]).to.match(/^\d+ alarm description\(s\) link runbooks under the placeholder /);
            expect(prod.outputs.rotationSchedule.applicationUsers).to.equal("every 30 days (alternating users)");
            const own = await previewStack("prod", { "aurora:runbookBaseUrl": "https://git.example.com/aurora/docs" });
            expect(previewWarnings(own.resources)).to.deep.equal([]);
            expect(formatReport(own)).to.include("Warnings: none");
        },
    );
});

describe("tools/refresh-aws-data.ts", () => {
    const clause = (engine: string, then: object) => ({ if: { properties: { Engine: { const: engine } } }, then });

    function fixture(folders: { cluster: string; instance: string }): string {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cfn-lint-"));
        fs.mkdirSync(path.join(dir, folders.cluster));
        fs.mkdirSync(path.join(dir, folders.instance));
        const write = (folder: string, file: string, body: unknown) => fs.writeFileSync(path.join(dir, folder, file), JSON.stringify(body));
        write(folders.cluster, "engine_version.json", {
            allOf: [
                clause("aurora-mysql", {}),
                clause("aurora-postgresql", { properties: { EngineVersion: { enum: ["16.1", "17.5", "17.4-limitless"] } } }),
            ],
        });
        write(folders.cluster, "engine_version_deprecated.json", {
            allOf: [{ if: { properties: { Engine: { const: "aurora-postgresql" }, EngineVersion: { enum: ["16.1"] } } }, then: false }],
        });
        write(folders.instance, "dbinstanceclass_enum.json", {
            "eu-west-1": {
                allOf: [clause("aurora-postgresql", { properties: { DBInstanceClass: { enum: ["db.r7g.large", "db.r6g.large"] } } })],
            },
            "xx-none-1": { allOf: [clause("mysql", {})] },
        });
        return dir;
    }

    it("without arguments (or with a bad date) prints its usage line and exits 2", () => {
        for (const argv of [[], ["only-a-folder"], ["folder", "yesterday"]]) {
            const err: string[] = [];
            expect(
                refreshAwsData(argv, "/nonexistent", (l) => err.push(l)),
                argv.join(" "),
            ).to.equal(2);
            expect(err.join("\n")).to.match(/^usage: npx ts-node --transpile-only tools\/refresh-aws-data\.ts <cfn-lint/);
        }
    });

    it("reads cfn-lint's folders aws_rds_dbcluster and aws_rds_dbinstance and writes the catalog", () => {
        const dir = fixture({ cluster: "aws_rds_dbcluster", instance: "aws_rds_dbinstance" });
        const out = path.join(dir, "out.json");
        expect(refreshAwsData([dir, "2026-12-01"], out)).to.equal(0);
        const catalog = JSON.parse(fs.readFileSync(out, "utf8"));
        expect(catalog).to.deep.include({
            sourceDate: "2026-12-01",
            engine: "aurora-postgresql",
            creatableVersions: ["17.5"],
            instanceClassesByRegion: { "eu-west-1": ["db.r6g.large", "db.r7g.large"] },
        });
        fs.rmSync(dir, { recursive: true });
    });

    it("names both folder spellings when neither exists (exit 1)", () => {
        const dir = fixture({ cluster: "elsewhere-a", instance: "elsewhere-b" });
        const err: string[] = [];
        expect(refreshAwsData([dir, "2026-12-01"], path.join(dir, "out.json"), (l) => err.push(l))).to.equal(1);
        expect(err.join("\n")).to.include("has neither aws_rds_dbcluster nor rds-dbcluster");
        fs.rmSync(dir, { recursive: true });
    });
});

describe("runbooks say where their commands run", () => {
    // docs/parameters.md is generated (tools/parameters-doc.ts), and operator-access.md is the path itself.
    const EXEMPT = new Set(["parameters.md", "operator-access.md"]);

    it("every other doc with a psql command links the operator access path and states where it runs", () => {
        const docsDir = path.join(PROJECT_ROOT, "docs");
        const checked: string[] = [];
        for (const name of fs.readdirSync(docsDir).filter((f) => f.endsWith(".md") && !EXEMPT.has(f))) {
            const text = doc(name);
            if (/^\s*psql |psql "/m.test(text)) {
                expect(text, name).to.include("](operator-access.md)");
                expect(text, name).to.match(/\*\*Where (this|these commands) runs?:\*\*/);
                checked.push(name);
            }
        }
        expect(checked).to.include.members([
            "runbooks.md",
            "failover-test.md",
            "point-in-time-restore.md",
            "database-bootstrap.md",
            "iam-auth.md",
            "major-version-upgrade.md",
        ]);
    });
});
