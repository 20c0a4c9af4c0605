import { expect } from "chai";
import * as aws from "@pulumi/aws";
import {
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";
import { UNKNOWN } from "../../tools/mock-engine";
import { PolicyConfigError } from "../../tools/policy-config";
import { cannotRunDiagnostics, dependenciesOf, evaluatePolicies, mandatoryViolations, mentions } from "../../tools/policy-runner";
import { compliantStack, expectNone, mutate, res } from "./harness";

/** A resource policy that records the args it saw and reports one violation per resource. */
function spy(extra: Partial<ResourceValidationPolicy> = {}) {
    const seen: ResourceValidationArgs[] = [];
    const policy: ResourceValidationPolicy = {
        name: "spy",
        description: "records its args",
        validateResource: (args, report) => {
            seen.push(args);
            report(`saw ${args.name}`);
        },
        ...extra,
    };
    return { policy, seen };
}

function stackSpy(extra: Partial<StackValidationPolicy> = {}) {
    const seen: StackValidationArgs[] = [];
    const policy: StackValidationPolicy = {
        name: "stack-spy",
        description: "records its args",
        validateStack: (args, report) => {
            seen.push(args);
            report("stack says hi", args.resources[0]?.urn);
            report("stack says bye");
        },
        ...extra,
    };
    return { policy, seen };
}

describe("offline policy runner (tools/policy-runner.ts, the SDK's own analyzer in process)", () => {
    const s = compliantStack("prod");

    it("runs resource policies on custom resources only, with inputs as props and the resource options", async () => {
        const { policy, seen } = spy();
        const violations = await evaluatePolicies([s.component, s.cluster, mutate(s.key, {}, { ignoreChanges: ["description"] })], {
            policies: [policy],
        });
        expect(violations.map((v) => v.message)).to.deep.equal(["saw cluster", "saw key"]);
        expect(violations[0]).to.deep.equal({ policy: "spy", enforcementLevel: "advisory", urn: s.cluster.urn, message: "saw cluster" });
        const [cluster, key] = seen;
        expect(JSON.parse(JSON.stringify(cluster.props))).to.deep.equal(s.cluster.inputs);
        expect(cluster.type).to.equal("aws:rds/cluster:Cluster");
        expect(cluster.opts).to.deep.include({ protect: true, parent: s.component.urn, ignoreChanges: [] });
        expect(key.opts).to.deep.include({ protect: true, ignoreChanges: ["description"] });
        expect(key.opts.parent).to.equal(undefined);
        expect(cluster.isType(aws.rds.Cluster)).to.equal(true);
        expect(cluster.isType(aws.kms.Key)).to.equal(false);
        expect(cluster.asType(aws.rds.Cluster)?.engine).to.equal("aurora-postgresql");
        expect(cluster.asType(aws.kms.Key)).to.equal(undefined);
    });

    it("passes the stack tags and the merged config (configSchema defaults, then the file; enforcementLevel stripped)", async () => {
        const configSchema = {
            properties: {
                minimum: { type: "integer" as const, default: 7 },
                names: { type: "array" as const, default: ["a"] },
                free: { type: "string" as const },
            },
        };
        const { policy, seen } = spy({ configSchema });
        await evaluatePolicies([s.key], { policies: [policy], stackTags: { Environment: "prod" } });
        expect(seen[0].getConfig()).to.deep.equal({ minimum: 7, names: ["a"] });
        expect(seen[0].stackTags.get("Environment")).to.equal("prod");
        await evaluatePolicies([s.key], { policies: [policy], config: { spy: { enforcementLevel: "mandatory", minimum: 30, free: "x" } } });
        expect(seen[1].getConfig()).to.deep.equal({ minimum: 30, names: ["a"], free: "x" });
        expect(seen[1].stackTags.size).to.equal(0);
    });

    it(
        "applies the level like the engine: per-policy config, then `all`, " +
            "then the policy's, then the pack's; remediate reported as mandatory",
        async () => {
            const levelOf = async (extra: Partial<ResourceValidationPolicy>, config = {}) =>
                (await evaluatePolicies([s.key], { policies: [spy(extra).policy], config })).map((v) => v.enforcementLevel);
            expect(await levelOf({})).to.deep.equal(["advisory"]);
            expect(await levelOf({ enforcementLevel: "mandatory" })).to.deep.equal(["mandatory"]);
            expect(await levelOf({ enforcementLevel: "mandatory" }, { all: "advisory" })).to.deep.equal(["advisory"]);
            expect(
                await levelOf({ enforcementLevel: "mandatory" }, { all: "disabled", spy: { enforcementLevel: "advisory" } }),
            ).to.deep.equal(["advisory"]);
            expect(await levelOf({}, { spy: "remediate" })).to.deep.equal(["mandatory"]);
            expect(await levelOf({ enforcementLevel: "advisory" }, { spy: { minimum: 3 } })).to.deep.equal(["advisory"]);
            expect(await levelOf({ enforcementLevel: "mandatory" }, { spy: "disabled" })).to.deep.equal([]);
            const { policy: stackPolicy, seen } = stackSpy({ enforcementLevel: "remediate" });
            expect((await evaluatePolicies([s.key], { policies: [stackPolicy] })).map((v) => v.enforcementLevel)).to.deep.equal([
                "mandatory",
                "mandatory",
            ]);
            expectNone(await evaluatePolicies([s.key], { policies: [stackPolicy], config: { all: "disabled" } }));
            expect(seen).to.have.length(1);
        },
    );

    it("refuses a config the CLI would refuse, before running any policy", async () => {
        const { policy, seen } = spy({ configSchema: { properties: { minimum: { type: "integer", minimum: 1, default: 7 } } } });
        for (const config of [{ all: "mandatroy" }, { spy: { minimum: 0 } }, { spy: { enforcementLevel: "strict" } }]) {
            const error = await evaluatePolicies([s.key], { policies: [policy], config: config as never }).then(
                () => undefined,
                (e: Error) => e,
            );
            expect(error, JSON.stringify(config)).to.be.instanceOf(PolicyConfigError);
        }
        expect(seen).to.have.length(0);
    });

    it("treats notApplicable as no violation, for resource and stack policies", async () => {
        const resourcePolicy: ResourceValidationPolicy = {
            name: "typed",
            description: "kms only",
            validateResource: validateResourceOfType(aws.kms.Key, (_k, args, report) => {
                if (args.props.enableKeyRotation === true) {
                    args.notApplicable("rotating");
                }
                report("not rotating");
            }),
        };
        const stackPolicy: StackValidationPolicy = {
            name: "na",
            description: "never applies",
            validateStack: (args) => args.notApplicable("nothing to see"),
        };
        const violations = await evaluatePolicies([s.key, s.cluster, mutate(s.key, { enableKeyRotation: false })], {
            policies: [resourcePolicy, stackPolicy],
        });
        expect(violations.map((v) => v.message)).to.deep.equal(["not rotating"]);
    });

    it("ignores remediation-only policies, runs every validation of an array and awaits asynchronous ones", async () => {
        const remediationOnly: ResourceValidationPolicy = { name: "fix", description: "remediates", remediateResource: () => undefined };
        const two: ResourceValidationPolicy = {
            name: "two",
            description: "two checks",
            validateResource: [(_a, r) => r("one"), async (_a, r) => r("two")],
        };
        expect((await evaluatePolicies([s.key], { policies: [remediationOnly, two] })).map((v) => v.message)).to.deep.equal(["one", "two"]);
    });

    it("fails loudly on a throwing policy, naming it", async () => {
        const throwing: ResourceValidationPolicy = {
            name: "boom",
            description: "throws",
            validateResource: () => {
                throw new Error("kaput");
            },
        };
        const error = await evaluatePolicies([s.key], { policies: [throwing] }).then(
            () => undefined,
            (e: Error) => e,
        );
        expect(error?.message)
            .to.include("Error validating resource with policy 'boom' from policy pack 'aurora-guardrails@v0.1.0'")
            .and.to.include("kaput");
    });

    it("runs stack policies once with every resource (components too), reporting their URNs (or null)", async () => {
        const { policy, seen } = stackSpy();
        const violations = await evaluatePolicies([s.component, s.cluster, s.key], {
            policies: [policy],
            stackTags: { Environment: "prod" },
            config: { "stack-spy": { x: 1 } },
        });
        expect(violations).to.deep.equal([
            { policy: "stack-spy", enforcementLevel: "advisory", urn: s.component.urn, message: "stack says hi" },
            { policy: "stack-spy", enforcementLevel: "advisory", urn: null, message: "stack says bye" },
        ]);
        expect(seen).to.have.length(1);
        expect(seen[0].resources.map((r) => r.name)).to.deep.equal(["db", "cluster", "key"]);
        expect(seen[0].getConfig()).to.deep.equal({ x: 1 });
        expect(seen[0].stackTags.get("Environment")).to.equal("prod");
        const [, cluster, key] = seen[0].resources;
        expect(cluster.props.arn).to.equal(s.cluster.state.arn);
        expect(cluster.props.masterUserSecrets).to.deep.equal(s.cluster.state.masterUserSecrets);
        expect(cluster.parent?.urn).to.equal(s.component.urn);
        expect(key.parent).to.equal(undefined);
        expect(cluster.propertyDependencies.kmsKeyId.map((d) => d.urn)).to.deep.equal([s.key.urn]);
    });

    it("uses the dependencies the SDK registered, and reconstructs them for hand-built records", () => {
        const extraDep = res("aws:sns/topic:Topic", "other-topic", {}, { state: { id: "other", arn: "arn:aws:sns:eu-west-1:1:other" } });
        const cluster = mutate(s.cluster, {}, { dependsOn: [extraDep.urn, "urn:pulumi:test::aurora::gone::x"] });
        const deps = dependenciesOf([s.component, cluster, s.key, s.parameterGroup, s.activityStream, extraDep, s.alarm]);
        const c = deps.get(s.cluster.urn)!;
        expect(Object.keys(c.propertyDependencies).sort()).to.deep.equal([
            "dbClusterParameterGroupName",
            "kmsKeyId",
            "masterUserSecretKmsKeyId",
        ]);
        expect(c.propertyDependencies.kmsKeyId).to.deep.equal([s.key.urn]);
        expect(c.propertyDependencies.dbClusterParameterGroupName).to.deep.equal([s.parameterGroup.urn]);
        expect(c.dependencies.sort()).to.deep.equal([s.key.urn, s.parameterGroup.urn, extraDep.urn].sort());
        expect(deps.get(s.activityStream.urn)!.propertyDependencies.resourceArn).to.deep.equal([s.cluster.urn]);
        expect(deps.get(s.alarm.urn)!.propertyDependencies.dimensions).to.deep.equal([s.cluster.urn]);
        expect(deps.get(s.key.urn)!.dependencies).to.deep.equal([]);
        const recorded = { ...s.cluster, propertyDependencies: { kmsKeyId: ["urn:x"] }, dependencies: ["urn:x"] };
        expect(dependenciesOf([recorded]).get(s.cluster.urn)).to.deep.equal({
            propertyDependencies: { kmsKeyId: ["urn:x"] },
            dependencies: ["urn:x"],
        });
        expect(dependenciesOf([{ ...recorded, dependencies: undefined }]).get(s.cluster.urn)!.dependencies).to.deep.equal([]);
    });

    it(
        "a policy that reads an unknown value gets the SDK's advisory \"can't run ... " +
            'during preview"; what it reported before is kept',
        async () => {
            const reads: ResourceValidationPolicy = {
                name: "reads-key",
                description: "reads kmsKeyId",
                enforcementLevel: "mandatory",
                validateResource: validateResourceOfType(aws.rds.Cluster, (cluster, _args, report) => {
                    report("before");
                    report(`key ${cluster.kmsKeyId}`);
                }),
            };
            const readsStack: StackValidationPolicy = {
                name: "reads-stack",
                description: "reads arns",
                validateStack: (args) => void args.resources.map((r) => r.props.arn),
            };
            const unknown = mutate(s.cluster, { kmsKeyId: UNKNOWN, arn: UNKNOWN });
            const violations = await evaluatePolicies([unknown], { policies: [reads, readsStack] });
            expect(violations).to.deep.equal([
                { policy: "reads-key", enforcementLevel: "mandatory", urn: s.cluster.urn, message: "before" },
                {
                    policy: "reads-key",
                    enforcementLevel: "advisory",
                    urn: s.cluster.urn,
                    message:
                        "can't run policy 'reads-key' from policy pack 'aurora-guardrails@v0.1.0' during preview: " +
                        "string value at .kmsKeyId can't be known during preview",
                },
                {
                    policy: "reads-stack",
                    enforcementLevel: "advisory",
                    urn: null,
                    message:
                        "can't run policy 'reads-stack' from policy pack 'aurora-guardrails@v0.1.0' during preview: " +
                        "string value at .arn can't be known during preview",
                },
            ]);
            expect(cannotRunDiagnostics(violations).map((v) => v.policy)).to.deep.equal(["reads-key", "reads-stack"]);
            expect(mandatoryViolations(violations).map((v) => v.message)).to.deep.equal(["before"]);
        },
    );

    it("mentions matches whole ids and ARNs only", () => {
        expect(mentions("aurora-prod", "aurora-prod")).to.equal(true);
        expect(mentions('{"Resource":"arn:aws:rds:eu-west-1:1:cluster:x/*"}', "arn:aws:rds:eu-west-1:1:cluster:x")).to.equal(true);
        expect(mentions("arn:aws:rds:eu-west-1:1:cluster:x-2", "arn:aws:rds:eu-west-1:1:cluster:x")).to.equal(false);
        expect(mentions("arn:aws:secretsmanager:eu-west-1:1:secret:aurora-prod/app", "aurora-prod")).to.equal(false);
        expect(mentions("aurora-prod-1 aurora-prod", "aurora-prod")).to.equal(true);
    });

    it("mandatoryViolations keeps what fails a preview", async () => {
        const violations = await evaluatePolicies([mutate(s.cluster, { copyTagsToSnapshot: false, deletionProtection: false })]);
        expect(violations.map((v) => v.policy)).to.include.members([
            "rds-cluster-copy-tags-to-snapshot",
            "rds-cluster-deletion-protection",
        ]);
        expect(mandatoryViolations(violations).map((v) => v.policy)).to.not.include("rds-cluster-copy-tags-to-snapshot");
        expect(mandatoryViolations(violations).map((v) => v.policy)).to.include("rds-cluster-deletion-protection");
    });
});
