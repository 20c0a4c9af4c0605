/**
 * The pack on a new stack: in `pulumi preview` every id, ARN and input built from one is unknown.
 * Every mandatory policy must still catch its fault there (through property dependencies, the
 * resource graph the engine sends in preview too) and in `pulumi up`, and no policy may fall back
 * to the SDK's "can't run policy ... during preview".
 */
import { expect } from "chai";
import { policies } from "../../policies/policies";
import { RecordedResource, UNKNOWN } from "../../tools/mock-engine";
import { previewStack } from "../../tools/preview";
import { listStacks } from "../../tools/stack-files";
import { expectEvery, stackPreview } from "../helpers";
import { cannotRunDiagnostics, evaluatePolicies, mandatoryViolations } from "../../tools/policy-runner";
import { MANDATORY_FAULTS, asNewStackPreview, check, compliantStack, expectNone, mutate, stackOf } from "./harness";

const s = compliantStack("prod");
const byName = (name: string) => policies.find((p) => p.name === name)!;

const MODES: Array<[string, (r: RecordedResource[]) => RecordedResource[]]> = [
    ["pulumi up", (r) => r],
    ["new-stack pulumi preview", asNewStackPreview],
];

describe("the pack on a new stack (preview unknowns) and in pulumi up", () => {
    for (const [mode, as] of MODES) {
        it(`${mode}: a compliant production stack has no violation and no "can't run" diagnostic`, async () => {
            expectNone(await evaluatePolicies(as(stackOf(s))));
        });

        for (const { policy, fault, message } of MANDATORY_FAULTS) {
            it(`${mode}: mandatory ${policy} still catches its fault, without "can't run"`, async () => {
                const faulty = fault(s);
                const violations = await check(byName(policy), as(Array.isArray(faulty) ? faulty : stackOf(faulty)), {
                    stackTags: { Environment: "prod" },
                });
                expect(
                    cannotRunDiagnostics(violations).map((v) => v.message),
                    "can't run diagnostics",
                ).to.deep.equal([]);
                const caught = mandatoryViolations(violations).filter((v) => v.policy === policy);
                expect(
                    caught.map((v) => v.message).join("\n"),
                    `${policy} in ${mode}: ${JSON.stringify(violations.map((v) => v.message))}`,
                ).to.include(message);
            });
        }
    }

    it("preview: an unknown key reference that depends on no KMS key of the stack is reported, one from a stack key passes", async () => {
        const fromTopic = asNewStackPreview(stackOf({ ...s, logGroup: mutate(s.logGroup, { kmsKeyId: s.topic.state.arn }) }));
        expect(mandatoryViolations(await evaluatePolicies(fromTopic)).map((v) => v.message)).to.deep.equal([
            "kmsKeyId of aws:cloudwatch/logGroup:LogGroup 'pg-logs' is unknown until the update and comes from " +
                "aws:sns/topic:Topic 'alarms', not a KMS key: it cannot be a customer-managed key of this stack.",
        ]);
        const orphan = asNewStackPreview(stackOf(s)).map((r) =>
            r.urn === s.logGroup.urn ? { ...r, propertyDependencies: { ...r.propertyDependencies, kmsKeyId: [] } } : r,
        );
        expect(mandatoryViolations(await evaluatePolicies(orphan)).map((v) => v.message)).to.deep.equal([
            "kmsKeyId of aws:cloudwatch/logGroup:LogGroup 'pg-logs' is unknown until the update and comes " +
                "from no resource of this stack, not a KMS key: it cannot be a customer-managed key of this stack.",
        ]);
        const viaAlias = asNewStackPreview(stackOf({ ...s, logGroup: mutate(s.logGroup, { kmsKeyId: s.alias.state.arn }) }));
        expectNone(await evaluatePolicies(viaAlias));
    });

    for (const stack of listStacks()) {
        it(`the real program, new-stack preview of ${stack}: zero "can't run" diagnostics and zero mandatory violations`, async () => {
            const run = await stackPreview(stack);
            expect(cannotRunDiagnostics(run.policyViolations)).to.deep.equal([]);
            expect(mandatoryViolations(run.policyViolations)).to.deep.equal([]);
            expectEvery(
                run.resources.filter((r) => r.custom),
                (r) => r.id === UNKNOWN,
                "resources whose id is known in a new-stack preview",
            );
        });
    }

    it("the real program: prod previewed as a new stack without its activity stream fails on aurora-cluster-activity-stream", async () => {
        const run = await previewStack("prod", { "aurora:activityStream": "false" }, {}, "preview");
        expect(mandatoryViolations(run.policyViolations).map((v) => v.policy)).to.deep.equal(["aurora-cluster-activity-stream"]);
        expect(cannotRunDiagnostics(run.policyViolations)).to.deep.equal([]);
    });

    it("every mandatory policy of the pack has a fault here", () => {
        const mandatory = policies.filter((p) => p.enforcementLevel === "mandatory").map((p) => p.name);
        expect(MANDATORY_FAULTS.map((f) => f.policy).sort()).to.deep.equal(mandatory.sort());
    });
});
