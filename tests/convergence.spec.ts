/**
 * The second `pulumi up` plans nothing, and what AWS reads back differently from what was sent is
 * modelled (tools/readback.ts) and judged the way the provider judges it (tools/plan.ts). Each defect
 * the model was built to catch has a regression test here that failed on the code before its fix.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { newestCreatableMinor } from "../components/aurora-catalog";
import { RecordedResource } from "../tools/mock-engine";
import { PLAN_DOCS, renderDocPlans } from "../tools/doc-plans";
import { PROJECT_ROOT } from "../tools/stack-files";
import { FORCE_NEW, Plan, changedSteps, equivalent, planUpdate } from "../tools/plan";
import { main } from "../tools/preview";
import { READ_BACK_RULES, REFUSAL_RULES, refresh, runningEngineVersion } from "../tools/readback";
import { STACKS, one, ofType, policyDoc, secondUp, stackRun } from "./helpers";

const CLUSTER = "aws:rds/cluster:Cluster";

/** The plan of rerunning `stack` (with `overrides`) against the refreshed committed run of `stack`. */
function describeSteps(plan: Plan): string {
    return changedSteps(plan)
        .map((s) => `${s.operation} ${s.name} [${s.changes.map((c) => c.field).join(", ")}] ${s.errors.join("; ")}`)
        .join("\n");
}

/** Minimal IAM evaluation of one Allow statement list for a service principal's request (StringEquals and ArnLike only). */
function allows(policy: string, request: { service: string; action: string; resource: string; context: Record<string, string> }): boolean {
    const like = (pattern: string, value: string) =>
        new RegExp(
            `^${pattern
                .split("*")
                .map((p) => p.replace(/[.?+^$()[\]{}|\\/]/g, "\\$&"))
                .join(".*")}$`,
        ).test(value);
    return policyDoc(policy).Statement.some((s) => {
        const principals = [s.Principal?.Service ?? []].flat();
        const conditionsHold = Object.entries<Record<string, string | string[]>>(s.Condition ?? {}).every(([operator, keys]) =>
            Object.entries(keys).every(([key, expected]) => {
                const actual = request.context[key];
                const values = [expected].flat();
                return actual !== undefined && values.some((v) => (operator === "ArnLike" ? like(v, actual) : v === actual));
            }),
        );
        return (
            s.Effect === "Allow" &&
            principals.includes(request.service) &&
            [s.Action].flat().includes(request.action) &&
            like(s.Resource, request.resource) &&
            conditionsHold
        );
    });
}

describe("convergence: the second `pulumi up` plans nothing (read-back model)", () => {
    for (const stack of STACKS) {
        it(`${stack}: after up and refresh, rerunning the program plans 0 updates, 0 replacements and no error`, async () => {
            const plan = await secondUp(stack);
            expect(describeSteps(plan), "every change the second up would make").to.equal("");
            expect(plan.counts.same).to.equal((await stackRun(stack)).resources.filter((r) => r.custom).length);
        });
    }

    it("REQ-005 defect 1: with continuous backup, AWS Backup's retention is read back and the cluster does not fight it", async () => {
        const prod = await stackRun("prod");
        const refreshed = one({ ...prod, resources: refresh(prod.resources) as RecordedResource[] }, CLUSTER);
        const planRetention = one(prod, "aws:backup/plan:Plan").inputs.rules[0].lifecycle.deleteAfter;
        expect(refreshed.state.backupRetentionPeriod, "AWS Backup sets the plan's retention on the cluster").to.equal(planRetention);
        expect(one(prod, CLUSTER).inputs.backupRetentionPeriod, "the cluster's own value differs").to.not.equal(planRetention);
        expect(one(prod, CLUSTER).options.ignoreChanges).to.include.members(["backupRetentionPeriod", "preferredBackupWindow"]);
        // Without AWS Backup the cluster's own retention and window stay managed by Pulumi.
        expect(one(await stackRun("staging"), CLUSTER).options.ignoreChanges).to.not.include("backupRetentionPeriod");
        const staging = await secondUp("staging", { "aurora:backupRetentionDays": "21" }, {});
        expect(describeSteps(staging)).to.equal("update aurora-staging-cluster [backupRetentionPeriod] ");
    });

    it("REQ-010 defect 2: the activity stream is started with the bare key id AWS reads back, so it is never replaced", async () => {
        for (const stack of ["staging", "prod"]) {
            const run = await stackRun(stack);
            const stream = one(run, "aws:rds/clusterActivityStream:ClusterActivityStream");
            const key = one(run, "aws:kms/key:Key", "-activity-stream");
            expect(stream.inputs.kmsKeyId, `${stack} stream key`).to.equal(key.state.keyId);
            expect(FORCE_NEW[stream.type]).to.include("kmsKeyId");
        }
    });

    it(
        "defect 3: a major-only version is sent as an exact minor, " + "and version drift never turns an update into a refused downgrade",
        async () => {
            const staging = await stackRun("staging");
            expect(one(staging, CLUSTER).inputs.engineVersion).to.equal(newestCreatableMinor(17));
            expect(
                refresh(staging.resources).find((r) => r.type === CLUSTER)!.state.engineVersionActual,
                "AWS has applied a newer minor since",
            ).to.equal(runningEngineVersion("17"));
            // Any later cluster update (here a retention change) must not re-send an older version.
            const plan = await secondUp("staging", { "aurora:backupRetentionDays": "21" }, {});
            expect(plan.errors, describeSteps(plan)).to.equal(0);
            // A deliberate major upgrade still applies the new version.
            const upgrade = await secondUp(
                "staging",
                {
                    "aurora:engineVersion": "18",
                    "aurora:allowMajorVersionUpgrade": "true",
                    "aurora:activityStream": "false",
                    "aurora:applyImmediately": "true",
                },
                {},
            );
            const cluster = changedSteps(upgrade).find((s) => s.type === CLUSTER)!;
            expect(cluster.operation).to.equal("update");
            expect(cluster.changes.find((c) => c.field === "engineVersion")?.to).to.equal(newestCreatableMinor(18));
            expect(upgrade.errors, describeSteps(upgrade)).to.equal(0);
        },
    );

    for (const stack of ["staging", "prod"]) {
        it(
            `REQ-006 defect 4 (${stack}): RDS may publish events of the cluster, ` +
                `its instances and its parameter group to the topic, and no other source may`,
            async () => {
                const run = await stackRun(stack);
                const topicArn = one(run, "aws:sns/topic:Topic").state.arn;
                const policy = one(run, "aws:sns/topicPolicy:TopicPolicy").inputs.policy;
                const rds = `arn:aws:rds:eu-west-1:123456789012`;
                const publish = (sourceArn: string, account = "123456789012") =>
                    allows(policy, {
                        service: "events.rds.amazonaws.com",
                        action: "sns:Publish",
                        resource: topicArn,
                        context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": account },
                    });
                const sources = [
                    `${rds}:cluster:aurora-${stack}`,
                    ...run.outputs.instanceIdentifiers.map((id: string) => `${rds}:db:${id}`),
                    `${rds}:pg:${one(run, "aws:rds/parameterGroup:ParameterGroup").inputs.name}`,
                ];
                for (const source of sources) {
                    expect(publish(source), source).to.equal(true);
                }
                expect(publish(`${rds}:cluster:someone-else`), "another cluster").to.equal(false);
                expect(publish(sources[0], "999999999999"), "another account").to.equal(false);
                // Every event subscription's sources are among them.
                for (const subscription of ofType(run, "aws:rds/eventSubscription:EventSubscription")) {
                    const prefix = { "db-cluster": "cluster", "db-instance": "db", "db-parameter-group": "pg" }[
                        subscription.inputs.sourceType as string
                    ];
                    for (const id of subscription.inputs.sourceIds) {
                        expect(publish(`${rds}:${prefix}:${id}`), `${subscription.name} source ${id}`).to.equal(true);
                    }
                }
                // The alerts key lets RDS encrypt for the topic without a condition RDS may not send.
                const key = one(run, "aws:kms/key:Key", "-alerts");
                const keyUse = allows(key.inputs.policy, {
                    service: "events.rds.amazonaws.com",
                    action: "kms:GenerateDataKey*",
                    resource: key.state.arn,
                    context: {},
                });
                expect(keyUse, "kms:GenerateDataKey* for events.rds.amazonaws.com with no condition keys").to.equal(true);
            },
        );
    }

    for (const [stack, expected] of [
        ["dev", ["db:5432"]],
        ["staging", ["db:5432", "proxy:5432", "endpoints:443"]],
        ["prod", ["db:5432", "proxy:5432", "endpoints:443"]],
    ] as const) {
        it(
            `REQ-003 defect 5 (${stack}): the application group may reach ` +
                `exactly the routes the docs give it (${expected.join(", ")})`,
            async () => {
                const run = await stackRun(stack);
                const groupNames = Object.fromEntries(
                    ofType(run, "aws:ec2/securityGroup:SecurityGroup").map((g) => [g.id, g.inputs.name.replace(`aurora-${stack}-`, "")]),
                );
                const appGroup = run.outputs.appSecurityGroupIds[0];
                const egress = ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
                    .filter((r) => r.inputs.securityGroupId === appGroup)
                    .map((r) => `${groupNames[r.inputs.referencedSecurityGroupId] ?? r.inputs.cidrIpv4}:${r.inputs.fromPort}`);
                expect(egress.sort()).to.deep.equal([...expected].sort());
            },
        );
    }

    it(
        "defect 6: changing the database port updates rules in place " +
            "instead of replacing the database security group under its own name",
        async () => {
            const plan = await secondUp("prod", { "aurora:dbPort": "5433" }, {});
            expect(plan.counts.replace, describeSteps(plan)).to.equal(0);
            expect(plan.errors).to.equal(0);
            expect(
                changedSteps(plan)
                    .find((s) => s.type === CLUSTER)
                    ?.changes.map((c) => c.field),
            ).to.deep.equal(["port"]);
        },
    );
});

describe("read-back model and update planner (tools/readback.ts, tools/plan.ts)", () => {
    const resource = (overrides: Partial<RecordedResource> & { type: string; name: string }): RecordedResource => ({
        urn: `urn:pulumi:t::aurora::${overrides.type}::${overrides.name}`,
        parent: null,
        custom: true,
        inputs: {},
        state: { ...(overrides.inputs ?? {}) },
        options: { protect: false, ignoreChanges: [], retainOnDelete: false, dependsOn: [], deleteBeforeReplace: false },
        ...overrides,
    });

    it("every rule names the AWS or provider behaviour and the source it comes from", () => {
        for (const rule of [...READ_BACK_RULES, ...REFUSAL_RULES]) {
            const label = `${rule.type} ${"field" in rule ? rule.field : ""}`;
            expect(rule.behaviour, label).to.have.length.greaterThan(20);
            expect(rule.source, label).to.match(/terraform-provider-aws|AWS|crossplane|aws-cloudformation/);
        }
    });

    it("a ForceNew change replaces, an in-place change updates, ignoreChanges and JSON policy equivalence are honoured", () => {
        const before = [
            resource({ type: "aws:ec2/vpc:Vpc", name: "vpc", inputs: { cidrBlock: "10.0.0.0/16", tags: { a: "1" } } }),
            resource({
                type: "aws:iam/policy:Policy",
                name: "p",
                inputs: { name: "p", policy: JSON.stringify({ Statement: [{ Action: ["s3:GetObject"], Resource: "*" }] }) },
            }),
            resource({
                type: "aws:rds/cluster:Cluster",
                name: "c",
                inputs: { databaseName: "app", port: 5432 },
                options: { protect: true, ignoreChanges: ["port"], retainOnDelete: false, dependsOn: [], deleteBeforeReplace: false },
            }),
        ];
        const after = [
            resource({ ...before[0], inputs: { cidrBlock: "10.1.0.0/16", tags: { a: "2" } } }),
            resource({
                ...before[1],
                inputs: { name: "p", policy: JSON.stringify({ Statement: [{ Resource: "*", Action: "s3:GetObject" }] }) },
            }),
            resource({ ...before[2], inputs: { databaseName: "app", port: 5433 } }),
        ];
        const plan = planUpdate(refresh(before), after);
        expect(plan.steps.map((s) => `${s.name}:${s.operation}`)).to.deep.equal(["vpc:replace", "p:same", "c:same"]);
        expect(plan.steps[0].changes.map((c) => `${c.field}:${c.forcesReplacement}`)).to.deep.equal(["cidrBlock:true", "tags:false"]);
        expect(
            equivalent(
                "aws:rds/parameterGroup:ParameterGroup",
                "parameters",
                [{ name: "Work_Mem", value: "1" }],
                [{ name: "work_mem", value: "1", applyMethod: "immediate" }],
            ),
        ).to.equal(true);
        expect(equivalent("aws:rds/subnetGroup:SubnetGroup", "subnetIds", ["a", "b"], ["b", "a"])).to.equal(true);
        expect(equivalent("aws:rds/cluster:Cluster", "port", 1, 2)).to.equal(false);
    });

    it("replacing or deleting a protected resource, and a replacement that keeps its physical name, are errors", () => {
        const protectedOptions = { protect: true, ignoreChanges: [], retainOnDelete: false, dependsOn: [], deleteBeforeReplace: false };
        const before = [
            resource({ type: "aws:kms/key:Key", name: "k", inputs: { keyUsage: "ENCRYPT_DECRYPT" }, options: protectedOptions }),
            resource({ type: "aws:ec2/securityGroup:SecurityGroup", name: "sg", inputs: { name: "db", description: "old" } }),
            resource({ type: "aws:rds/cluster:Cluster", name: "gone", inputs: {}, options: protectedOptions }),
        ];
        const after = [
            resource({ ...before[0], inputs: { keyUsage: "SIGN_VERIFY" } }),
            resource({ ...before[1], inputs: { name: "db", description: "new" } }),
        ];
        const plan = planUpdate(refresh(before), after);
        expect(plan.steps.map((s) => `${s.name}:${s.operation}:${s.errors.length}`)).to.deep.equal([
            "k:replace:1",
            "sg:replace:1",
            "gone:delete:1",
        ]);
        expect(plan.steps[0].errors[0]).to.include("is protected: Pulumi refuses to replace it (keyUsage");
        expect(plan.steps[1].errors[0]).to.include("keeps its name 'db' through the replacement");
        expect(plan.steps[2].errors[0]).to.include("is protected: Pulumi refuses to delete it");
        const withDeleteFirst = planUpdate(refresh([before[1]]), [
            resource({ ...after[1], options: { ...after[1].options, deleteBeforeReplace: true } }),
        ]);
        expect(withDeleteFirst.errors).to.equal(0);
    });

    it(
        "read-back rules resolve names and aliases to what AWS returns (rotation secret ARN, " +
            "alias to key ARN, flow log destination, proxy auth defaults)",
        () => {
            const stack = [
                resource({ type: "aws:kms/key:Key", name: "key", inputs: {}, state: { arn: "arn:aws:kms:r:1:key/k1", keyId: "k1" } }),
                resource({ type: "aws:kms/alias:Alias", name: "alias", inputs: { name: "alias/storage", targetKeyId: "k1" } }),
                resource({ type: "aws:rds/cluster:Cluster", name: "c", inputs: { kmsKeyId: "alias/storage" } }),
                resource({
                    type: "aws:secretsmanager/secret:Secret",
                    name: "s",
                    inputs: { name: "app" },
                    state: { arn: "arn:aws:secretsmanager:r:1:secret:app-x" },
                }),
                resource({ type: "aws:secretsmanager/secretRotation:SecretRotation", name: "rot", inputs: { secretId: "app" } }),
                resource({ type: "aws:ec2/flowLog:FlowLog", name: "fl", inputs: { logDestination: "arn:aws:logs:r:1:log-group:x:*" } }),
                resource({ type: "aws:rds/proxy:Proxy", name: "px", inputs: { auths: [{ secretArn: "a" }] } }),
            ];
            const state = Object.fromEntries(refresh(stack).map((r) => [r.name, r.state]));
            expect(state.c.kmsKeyId).to.equal("arn:aws:kms:r:1:key/k1");
            expect(state.rot.secretId).to.equal("arn:aws:secretsmanager:r:1:secret:app-x");
            expect(state.fl.logDestination).to.equal("arn:aws:logs:r:1:log-group:x");
            expect(state.px.auths).to.deep.equal([{ authScheme: "SECRETS", iamAuth: "DISABLED", secretArn: "a" }]);
            // Each of them forces a replacement in the next plan: the model makes the trap visible.
            const plan = planUpdate(refresh(stack), stack);
            expect(changedSteps(plan).map((s) => `${s.name}:${s.operation}`)).to.deep.equal([
                "c:replace",
                "rot:replace",
                "fl:replace",
                "px:update",
            ]);
        },
    );

    it(
        "the engine version rules follow the provider: a prefix is kept, " +
            "an exact older pin becomes the running version and is refused",
        () => {
            const cluster = (engineVersion: string, ignoreChanges: string[] = []) =>
                resource({
                    type: CLUSTER,
                    name: "c",
                    inputs: { engineVersion, backupRetentionPeriod: 7 },
                    options: { protect: false, ignoreChanges, retainOnDelete: false, dependsOn: [], deleteBeforeReplace: false },
                });
            const running = runningEngineVersion("17");
            expect(refresh([cluster("17")])[0].state).to.include({ engineVersion: "17", engineVersionActual: running });
            expect(refresh([cluster("17.4")])[0].state).to.include({ engineVersion: running });
            const retentionChange = (c: RecordedResource) => resource({ ...c, inputs: { ...c.inputs, backupRetentionPeriod: 14 } });
            for (const [version, ignored, refused] of [
                ["17", [], true],
                ["17", ["engineVersion"], true],
                ["17.4", ["engineVersion"], false],
            ] as const) {
                const plan = planUpdate(refresh([cluster(version)]), [retentionChange(cluster(version, [...ignored]))]);
                expect(plan.errors, `${version} ignoreChanges=${ignored.join()}`).to.equal(refused ? 1 : 0);
            }
        },
    );
});

describe("offline preview: --refresh and --against", () => {
    async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
        const out: string[] = [];
        const err: string[] = [];
        const code = await main(
            argv,
            (l) => out.push(l),
            (l) => err.push(l),
        );
        return { code, out: out.join("\n"), err: err.join("\n") };
    }

    it("--refresh prints the second up's plan and exits 0 when it converges", async () => {
        const { code, out } = await cli(["--stack", "dev", "--refresh"]);
        expect(code).to.equal(0);
        expect(out).to.match(/Plan: 0 to create, 0 to update, 0 to replace, 0 to delete, \d+ unchanged; 0 error\(s\)/);
    });

    it("--against a saved preview plans a config change, names the fields, and exits 1 when the update would fail", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "against-"));
        const saved = path.join(dir, "staging.json");
        expect((await cli(["--stack", "staging", "--json", saved])).code).to.equal(0);
        const reader = await cli(["--stack", "staging", "--against", saved, "--config", "aurora:readerCount=2"]);
        expect(reader.code).to.equal(0);
        expect(reader.out).to.include("+  aws:rds/clusterInstance:ClusterInstance  aurora-staging-instance-3  create");
        const az = await cli(["--stack", "staging", "--against", saved, "--config", "aurora:azCount=2"]);
        expect(az.out).to.include("-  aws:ec2/subnet:Subnet  aurora-staging-db-2  delete");
        expect(az.out).to.include("vpcSubnetIds: ").and.include("(forces replacement)");
        // A document written before `state` existed is read as created from its inputs.
        const legacy = JSON.parse(fs.readFileSync(saved, "utf8"));
        legacy.resources = legacy.resources.map(({ state: _state, ...r }: Record<string, unknown>) => r);
        fs.writeFileSync(saved, JSON.stringify(legacy));
        expect((await cli(["--stack", "staging", "--against", saved])).code).to.equal(0);
        // A replacement Pulumi would refuse (the protected prod cluster: databaseName forces a new cluster) fails.
        const prod = path.join(dir, "prod.json");
        await cli(["--stack", "prod", "--json", prod]);
        const renamed = await cli(["--stack", "prod", "--against", prod, "--config", "aurora:databaseName=orders"]);
        expect(renamed.code, renamed.out).to.equal(1);
        expect(renamed.out).to.include(
            "error: aurora-prod-cluster is protected: Pulumi refuses to replace it (databaseName would force a replacement)",
        );
        expect(renamed.err).to.include("error: the update would fail");
    });

    it("bad --against files, combining both flags, or either with --preview are usage errors (exit 2)", async () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "against-")), "x.json");
        fs.writeFileSync(file, "{}");
        for (const argv of [
            ["--stack", "dev", "--against", file],
            ["--stack", "dev", "--against", "missing.json"],
            ["--stack", "dev", "--refresh", "--against", file],
            ["--stack", "dev", "--preview", "--refresh"],
        ]) {
            const { code, err } = await cli(argv);
            expect(code, argv.join(" ")).to.equal(2);
            expect(err).to.include("[--refresh | --against <previous.json>]");
        }
    });
});

describe("upgrade runbooks: the plans they show are what their commands print", () => {
    for (const doc of PLAN_DOCS) {
        it(
            `${doc}: every rehearsal command runs as written (exit 0) and ` + `the plan after it is current (npm run docs:plans)`,
            async function () {
                this.timeout(120000);
                const committed = fs.readFileSync(path.join(PROJECT_ROOT, doc), "utf8");
                expect(committed, "has at least one rehearsal").to.include("--against");
                expect(await renderDocPlans(committed)).to.equal(committed);
            },
        );
    }
});

describe("tools/doc-plans.ts refuses rehearsals that do not run as written", () => {
    const block = (commands: string) => "```bash\n" + commands + "\n```\n\n```text\nstale\n```\n";
    for (const [commands, message] of [
        ["npm run preview:offline -- --stack dev --refresh\nls -l", "a rehearsal block may only run"],
        ["npm run preview:offline -- --stack prod --config aurora:azCount=1", "exited 1"],
        ["npm run preview:offline -- --stack dev", "printed no update plan"],
    ]) {
        it(`'${commands}' fails with: ${message}`, async () => {
            let error: Error | undefined;
            try {
                await renderDocPlans(block(commands));
            } catch (e) {
                error = e as Error;
            }
            expect(error?.message).to.include(message);
        });
    }
});
