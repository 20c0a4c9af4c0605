import { expect } from "chai";
import { policies } from "../../policies/policies";
import { evaluatePolicies } from "../../tools/policy-runner";
import { compliantStack, expectNone, stackOf } from "./harness";

describe("aurora-guardrails pack", () => {
    for (const env of ["dev", "staging", "prod"]) {
        it(`REQ-002/003/004/006/008/009/010/012/001: a compliant ${env} stack has no violation at all`, async () => {
            expectNone(await evaluatePolicies(stackOf(compliantStack(env)), { stackTags: { Environment: env } }));
        });
    }

    it("every policy has a unique kebab-case name, description, severity, level, remediation and REQ anchors", async () => {
        const names = policies.map((p) => p.name);
        expect(new Set(names).size).to.equal(names.length);
        for (const p of policies) {
            expect(p.name, p.name).to.match(/^[a-z0-9]+(-[a-z0-9]+)*$/);
            expect(p.name).to.not.equal("all");
            expect(p.description.length, p.name).to.be.greaterThan(20);
            expect(["low", "medium", "high", "critical"], p.name).to.include(p.severity);
            expect(["advisory", "mandatory"], p.name).to.include(p.enforcementLevel);
            expect(p.remediationSteps.length, p.name).to.be.greaterThan(20);
            expect(p.anchors.requirements.length, p.name).to.be.greaterThan(0);
            p.anchors.requirements.forEach((r) => expect(r).to.match(/^REQ-0(0[1-9]|1[0-2])$/));
            expect(p.tags, p.name).to.include(`req:${p.anchors.requirements[0]}`);
            for (const [key, schema] of Object.entries(p.configSchema?.properties ?? {})) {
                expect(key, p.name).to.not.equal("enforcementLevel");
                expect((schema as { default?: unknown }).default, `${p.name}.${key} default`).to.not.equal(undefined);
            }
        }
    });

    it("covers every requirement the pack is meant to enforce", async () => {
        const covered = new Set(policies.flatMap((p) => p.anchors.requirements));
        for (const req of ["REQ-001", "REQ-002", "REQ-003", "REQ-004", "REQ-005", "REQ-006", "REQ-008", "REQ-009", "REQ-010", "REQ-012"]) {
            expect(covered.has(req), req).to.equal(true);
        }
    });
});
