import { expect } from "chai";
import * as aws from "@pulumi/aws";
import { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { effectiveEnforcementLevel, evaluatePolicies, mandatoryViolations, mentions, policyConfig, policyResources } from "../../tools/policy-runner";
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

describe("offline policy runner (tools/policy-runner.ts)", () => {
    const s = compliantStack("prod");

    it("runs resource policies on custom resources only, with inputs as props and the resource options", () => {
        const { policy, seen } = spy();
        const violations = evaluatePolicies([s.component, s.cluster, mutate(s.key, {}, { ignoreChanges: ["description"] })], { policies: [policy] });
        expect(violations.map((v) => v.message)).to.deep.equal(["saw cluster", "saw key"]);
        expect(violations[0]).to.deep.equal({ policy: "spy", enforcementLevel: "advisory", urn: s.cluster.urn, message: "saw cluster" });
        const [cluster, key] = seen;
        expect(cluster.props).to.equal(s.cluster.inputs);
        expect(cluster.type).to.equal("aws:rds/cluster:Cluster");
        expect(cluster.opts).to.deep.include({ protect: true, parent: s.component.urn, ignoreChanges: [] });
        expect(key.opts).to.deep.include({ protect: true, ignoreChanges: ["description"] });
        expect(key.opts.parent).to.equal(undefined);
        expect(cluster.isType(aws.rds.Cluster)).to.equal(true);
        expect(cluster.isType(aws.kms.Key)).to.equal(false);
        expect(cluster.asType(aws.rds.Cluster)).to.equal(s.cluster.inputs);
        expect(cluster.asType(aws.kms.Key)).to.equal(undefined);
    });

    it("passes the stack tags and the config with configSchema defaults applied (enforcementLevel stripped)", () => {
        const configSchema = { properties: { minimum: { type: "integer" as const, default: 7 }, names: { type: "array" as const, default: ["a"] }, free: { type: "string" as const } } };
        const { policy, seen } = spy({ configSchema });
        evaluatePolicies([s.key], { policies: [policy], stackTags: { Environment: "prod" } });
        expect(seen[0].getConfig()).to.deep.equal({ minimum: 7, names: ["a"] });
        expect(seen[0].stackTags.get("Environment")).to.equal("prod");
        evaluatePolicies([s.key], { policies: [policy], config: { spy: { enforcementLevel: "mandatory", minimum: 30, free: "x" } } });
        expect(seen[1].getConfig()).to.deep.equal({ minimum: 30, names: ["a"], free: "x" });
        expect(seen[1].stackTags.size).to.equal(0);
        expect(policyConfig(policy, { spy: "disabled" })).to.deep.equal({ minimum: 7, names: ["a"] });
    });

    it("resolves the enforcement level like the engine: config, then `all`, then the policy, then advisory", () => {
        expect(effectiveEnforcementLevel({ name: "p" })).to.equal("advisory");
        expect(effectiveEnforcementLevel({ name: "p", enforcementLevel: "mandatory" })).to.equal("mandatory");
        expect(effectiveEnforcementLevel({ name: "p", enforcementLevel: "mandatory" }, { all: "advisory" })).to.equal("advisory");
        expect(effectiveEnforcementLevel({ name: "p", enforcementLevel: "mandatory" }, { all: "disabled", p: { enforcementLevel: "advisory" } })).to.equal("advisory");
        expect(effectiveEnforcementLevel({ name: "p" }, { p: "remediate" })).to.equal("mandatory");
        expect(effectiveEnforcementLevel({ name: "p", enforcementLevel: "advisory" }, { p: { minimum: 3 } })).to.equal("advisory");
    });

    it("reports with the effective level, skips disabled policies and reports remediate as mandatory", () => {
        const { policy } = spy({ enforcementLevel: "mandatory" });
        expect(evaluatePolicies([s.key], { policies: [policy] })[0].enforcementLevel).to.equal("mandatory");
        expect(evaluatePolicies([s.key], { policies: [policy], config: { spy: "advisory" } })[0].enforcementLevel).to.equal("advisory");
        expect(evaluatePolicies([s.key], { policies: [policy], config: { spy: { enforcementLevel: "remediate" } } })[0].enforcementLevel).to.equal("mandatory");
        expectNone(evaluatePolicies([s.key], { policies: [policy], config: { spy: "disabled" } }));
        const { policy: stackPolicy, seen } = stackSpy();
        expectNone(evaluatePolicies([s.key], { policies: [stackPolicy], config: { all: "disabled" } }));
        expect(seen).to.have.length(0);
    });

    it("treats notApplicable as no violation, for resource and stack policies", () => {
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
        const stackPolicy: StackValidationPolicy = { name: "na", description: "never applies", validateStack: (args) => args.notApplicable("nothing to see") };
        const violations = evaluatePolicies([s.key, s.cluster, mutate(s.key, { enableKeyRotation: false })], { policies: [resourcePolicy, stackPolicy] });
        expect(violations.map((v) => v.message)).to.deep.equal(["not rotating"]);
    });

    it("ignores remediation-only policies and runs every validation of an array", () => {
        const remediationOnly: ResourceValidationPolicy = { name: "fix", description: "remediates", remediateResource: () => undefined };
        const two: ResourceValidationPolicy = { name: "two", description: "two checks", validateResource: [(_a, r) => r("one"), (_a, r) => r("two")] };
        expect(evaluatePolicies([s.key], { policies: [remediationOnly, two] }).map((v) => v.message)).to.deep.equal(["one", "two"]);
    });

    it("fails loudly on a throwing or asynchronous policy, naming it", () => {
        const throwing: ResourceValidationPolicy = { name: "boom", description: "throws", validateResource: () => { throw new Error("kaput"); } };
        expect(() => evaluatePolicies([s.key], { policies: [throwing] })).to.throw(`Error running policy 'boom' on ${s.key.urn}: kaput`);
        const asyncPolicy: StackValidationPolicy = { name: "later", description: "async", validateStack: async () => undefined };
        expect(() => evaluatePolicies([s.key], { policies: [asyncPolicy] })).to.throw("stack policy 'later' returned a promise");
    });

    it("runs stack policies once with every custom resource, reporting their URNs (or null)", () => {
        const { policy, seen } = stackSpy({ enforcementLevel: "remediate" });
        const violations = evaluatePolicies([s.component, s.cluster, s.key], { policies: [policy], stackTags: { Environment: "prod" }, config: { "stack-spy": { x: 1 } } });
        expect(violations).to.deep.equal([
            { policy: "stack-spy", enforcementLevel: "mandatory", urn: s.cluster.urn, message: "stack says hi" },
            { policy: "stack-spy", enforcementLevel: "mandatory", urn: null, message: "stack says bye" },
        ]);
        expect(seen).to.have.length(1);
        expect(seen[0].resources.map((r) => r.name)).to.deep.equal(["cluster", "key"]);
        expect(seen[0].getConfig()).to.deep.equal({ x: 1 });
        expect(seen[0].stackTags.get("Environment")).to.equal("prod");
    });

    it("builds PolicyResources from state, with parent, dependencies and property dependencies", () => {
        const extraDep = res("aws:sns/topic:Topic", "other-topic", {}, { state: { id: "other", arn: "arn:aws:sns:eu-west-1:1:other" } });
        const cluster = mutate(s.cluster, {}, { dependsOn: [extraDep.urn, "urn:pulumi:test::aurora::gone::x"] });
        const [c, key, group, stream, , alarm] = policyResources([s.component, cluster, s.key, s.parameterGroup, s.activityStream, extraDep, s.alarm]);
        expect(c.props.arn).to.equal(s.cluster.state.arn);
        expect(c.props.masterUserSecrets).to.deep.equal(s.cluster.state.masterUserSecrets);
        expect(c.parent?.urn).to.equal(s.component.urn);
        expect(key.parent).to.equal(undefined);
        expect(Object.keys(c.propertyDependencies).sort()).to.deep.equal(["dbClusterParameterGroupName", "kmsKeyId", "masterUserSecretKmsKeyId"]);
        expect(c.propertyDependencies.kmsKeyId.map((d: PolicyResource) => d.urn)).to.deep.equal([s.key.urn]);
        expect(c.propertyDependencies.dbClusterParameterGroupName[0].urn).to.equal(group.urn);
        expect(c.dependencies.map((d) => d.name).sort()).to.deep.equal(["cluster-params", "key", "other-topic"]);
        expect(stream.propertyDependencies.resourceArn[0].urn).to.equal(s.cluster.urn);
        expect(alarm.propertyDependencies.dimensions[0].urn).to.equal(s.cluster.urn);
        expect(key.dependencies).to.deep.equal([]);
        expect(c.isType(aws.rds.Cluster)).to.equal(true);
        expect(c.asType(aws.rds.Cluster)).to.equal(c.props);
        expect(c.asType(aws.kms.Key)).to.equal(undefined);
    });

    it("mentions matches whole ids and ARNs only", () => {
        expect(mentions("aurora-prod", "aurora-prod")).to.equal(true);
        expect(mentions('{"Resource":"arn:aws:rds:eu-west-1:1:cluster:x/*"}', "arn:aws:rds:eu-west-1:1:cluster:x")).to.equal(true);
        expect(mentions("arn:aws:rds:eu-west-1:1:cluster:x-2", "arn:aws:rds:eu-west-1:1:cluster:x")).to.equal(false);
        expect(mentions("arn:aws:secretsmanager:eu-west-1:1:secret:aurora-prod/app", "aurora-prod")).to.equal(false);
        expect(mentions("aurora-prod-1 aurora-prod", "aurora-prod")).to.equal(true);
    });

    it("mandatoryViolations keeps what fails a preview", () => {
        const violations = evaluatePolicies([mutate(s.cluster, { copyTagsToSnapshot: false, deletionProtection: false })]);
        expect(violations.map((v) => v.policy)).to.include.members(["rds-cluster-copy-tags-to-snapshot", "rds-cluster-deletion-protection"]);
        expect(mandatoryViolations(violations).map((v) => v.policy)).to.not.include("rds-cluster-copy-tags-to-snapshot");
        expect(mandatoryViolations(violations).map((v) => v.policy)).to.include("rds-cluster-deletion-protection");
    });
});
