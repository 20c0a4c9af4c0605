import { expect } from "chai";
import { isTaggable, requiredTags } from "../../policies/tagging";
import { evaluatePolicies } from "../../tools/policy-runner";
import { compliantStack, check, expectNone, expectViolations, mutate, res, stackOf, tagsFor, validateDirectly } from "./harness";

describe("tagging policy required-tags (REQ-012)", () => {
    const s = compliantStack("prod");

    it("REQ-012: passes every resource of a compliant stack", async () => expectNone(await check(requiredTags, stackOf(s))));

    it("REQ-012: flags missing and empty required tags, naming each", async () => {
        const { Team: _t, CostCenter: _c, ...partial } = tagsFor("prod");
        const [v] = expectViolations(
            await check(requiredTags, mutate(s.cluster, { tags: { ...partial, ManagedBy: " " } })),
            "Missing required tags: Team, CostCenter, ManagedBy.",
        );
        expect(v).to.deep.include({ policy: "required-tags", enforcementLevel: "mandatory", urn: s.cluster.urn });
    });

    it("REQ-012: flags a known taggable type that omits tags altogether", async () => {
        expectViolations(
            await check(requiredTags, mutate(s.key, { tags: undefined })),
            "Missing required tags: Environment, Application, Team, CostCenter, ManagedBy.",
        );
        expectViolations(await check(requiredTags, mutate(s.defaultSg, { tags: undefined })), "Missing required tags");
    });

    it("REQ-012: checks any other AWS type that declares tags", async () => {
        expectViolations(
            await check(requiredTags, res("aws:ecs/cluster:Cluster", "ecs", { tags: { Environment: "prod" } })),
            "Missing required tags: Application, Team, CostCenter, ManagedBy.",
        );
    });

    it("REQ-012: accepts tags from tagsAll and from the provider's defaultTags", async () => {
        expectNone(await check(requiredTags, mutate(s.vpc, { tags: undefined, tagsAll: tagsFor("prod") })));
        expectNone(await check(requiredTags, mutate(s.vpc, { tags: { Name: "vpc" }, tagsAll: { ...tagsFor("dev"), Name: "vpc" } })));
        const config = { requiredTags: ["Environment", "Team"], allowedEnvironments: ["prod"] };
        const provider = {
            type: "pulumi:providers:aws",
            name: "default",
            urn: "urn:provider",
            props: { defaultTags: { tags: { Team: "data-platform" } } },
        };
        expect(validateDirectly(requiredTags, "aws:sns/topic:Topic", { tags: { Environment: "prod" } }, config, provider)).to.deep.equal(
            [],
        );
        expect(validateDirectly(requiredTags, "aws:sns/topic:Topic", { tags: { Environment: "prod" } }, config)).to.deep.equal([
            "Missing required tags: Team.",
        ]);
        expect(validateDirectly(requiredTags, "aws:kms/alias:Alias", {}, config)).to.deep.equal([
            "N/A: aws:kms/alias:Alias does not support tags",
        ]);
    });

    it("REQ-012: flags an Environment outside the allowed set", async () => {
        expectViolations(
            await check(requiredTags, mutate(s.topic, { tags: tagsFor("production") })),
            "Environment tag 'production' is not one of the allowed values: dev, test, qa, staging, prod.",
        );
    });

    it("REQ-012: never flags non-taggable types, random or provider resources", async () => {
        const untaggable = [
            s.alias,
            s.rolePolicy,
            s.attachment,
            s.assocA,
            s.secretVersion,
            s.rotation,
            s.activityStream,
            s.password,
            res("pulumi:providers:aws", "default", { region: "eu-west-1" }),
            res("random:index/randomId:RandomId", "suffix", { byteLength: 4 }),
        ];
        expectNone(await check(requiredTags, untaggable));
        expect(isTaggable("aws:kms/alias:Alias", {})).to.equal(false);
        expect(isTaggable("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", {})).to.equal(true);
    });

    it("REQ-012: the required tags and allowed environments are configurable", async () => {
        const config = { "required-tags": { requiredTags: ["Environment", "DataClassification"], allowedEnvironments: ["sandbox"] } };
        expectViolations(
            await check(requiredTags, s.cluster, { config }),
            "Missing required tags: DataClassification.",
            "Environment tag 'prod' is not one of the allowed values: sandbox.",
        );
        expectNone(
            await check(requiredTags, mutate(s.cluster, { tags: { Environment: "sandbox", DataClassification: "confidential" } }), {
                config,
            }),
        );
    });

    it("REQ-012: the enforcement level can be lowered to advisory or disabled through config", async () => {
        const bad = mutate(s.topic, { tags: undefined });
        const [v] = await evaluatePolicies([bad], { policies: [requiredTags], config: { "required-tags": "advisory" } });
        expect(v.enforcementLevel).to.equal("advisory");
        expectNone(
            await evaluatePolicies([bad], { policies: [requiredTags], config: { "required-tags": { enforcementLevel: "disabled" } } }),
        );
    });
});
