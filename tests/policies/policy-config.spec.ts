import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PACK_ENFORCEMENT_LEVEL, policies } from "../../policies/policies";
import { PolicyConfigError, parsePolicyPackConfig, reconcilePolicyPackConfig } from "../../tools/policy-config";
import { main } from "../../tools/preview";
import { PROJECT_ROOT } from "../../tools/stack-files";

function refusal(config: unknown): string {
    try {
        reconcilePolicyPackConfig(policies, config as never, PACK_ENFORCEMENT_LEVEL);
    } catch (e) {
        expect(e).to.be.instanceOf(PolicyConfigError);
        return (e as Error).message;
    }
    return "";
}

describe("policy pack config like the CLI (--policy-pack-config)", () => {
    const committed = fs.readdirSync(path.join(PROJECT_ROOT, "policies")).filter((f) => /^config\..+\.json$/.test(f));

    it("finds the committed configs", () => expect(committed).to.include.members(["config.prod.json", "config.staging.json"]));
    for (const file of committed) {
        it(`policies/${file} parses, merges and validates against every policy's schema`, () => {
            const doc = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "policies", file), "utf8"));
            expect(refusal(doc), file).to.equal("");
            for (const name of Object.keys(doc).filter((k) => k !== "all")) {
                expect(
                    policies.map((p) => p.name),
                    `${file} configures an unknown policy`,
                ).to.include(name);
            }
        });
    }

    it("merges like the engine: schema defaults and the policy's level, then `all`, then the per-policy level and properties", () => {
        const merged = reconcilePolicyPackConfig(
            policies,
            { all: "advisory", "rds-cluster-backup-retention": { enforcementLevel: "disabled", minimumRetentionDays: 14 } },
            PACK_ENFORCEMENT_LEVEL,
        );
        expect(merged["rds-cluster-backup-retention"]).to.deep.equal({
            enforcementLevel: "disabled",
            properties: { productionEnvironments: ["prod", "production"], minimumRetentionDays: 14 },
        });
        expect(merged["rds-cluster-deletion-protection"]).to.deep.equal({
            enforcementLevel: "advisory",
            properties: { productionEnvironments: ["prod", "production"] },
        });
        expect(reconcilePolicyPackConfig(policies, {}, PACK_ENFORCEMENT_LEVEL)["required-tags"].enforcementLevel).to.equal("mandatory");
        expect(reconcilePolicyPackConfig([{ name: "bare", description: "no level" }], {}, "advisory").bare).to.deep.equal({
            enforcementLevel: "advisory",
            properties: {},
        });
    });

    it("refuses what the CLI refuses, naming the policy and the property", () => {
        expect(refusal({ all: "mandatroy" })).to.equal(
            'parsing enforcement level for "all": "mandatroy" is not a valid enforcement level (advisory, mandatory, remediate, disabled)',
        );
        expect(refusal({ "required-tags": { enforcementLevel: "strict" } })).to.include(
            'parsing enforcement level for "required-tags": "strict"',
        );
        expect(refusal({ "required-tags": 3 })).to.equal('parsing "required-tags": 3 is not a valid value; must be a string or object');
        expect(refusal([])).to.include("must be a JSON object");
        expect(refusal({ "rds-cluster-backup-retention": { minimumRetentionDays: 0 } })).to.equal(
            "validating policy config: rds-cluster-backup-retention: minimumRetentionDays must be >= 1",
        );
        expect(refusal({ "required-tags": { requiredTags: "Team" }, "rds-database-insights-mode": { productionMode: "turbo" } })).to.equal(
            "validating policy config: required-tags: requiredTags must be array; rds-database-insights-mode: " +
                "productionMode must be equal to one of the allowed values (standard, advanced)",
        );
        const required = [
            { name: "needs", description: "needs x", configSchema: { properties: { x: { type: "string" as const } }, required: ["x"] } },
        ];
        expect(() => reconcilePolicyPackConfig(required, {})).to.throw(
            "validating policy config: needs: x must have required property 'x'",
        );
    });

    it("parses level strings and objects, keeping the properties apart from the level", () => {
        expect(parsePolicyPackConfig({ all: "remediate", p: { enforcementLevel: "advisory", n: 1 }, q: { n: 2 } })).to.deep.equal({
            all: { enforcementLevel: "remediate", properties: {} },
            p: { enforcementLevel: "advisory", properties: { n: 1 } },
            q: { enforcementLevel: undefined, properties: { n: 2 } },
        });
    });

    it("the offline preview refuses a bad file with exit 2, naming the policy and the property", async () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-")), "bad.json");
        fs.writeFileSync(file, JSON.stringify({ "secrets-rotation-enabled": { maximumRotationDays: 400 } }));
        const err: string[] = [];
        const code = await main(
            ["--stack", "prod", "--policy-pack-config", file],
            () => undefined,
            (l) => err.push(l),
        );
        expect(code).to.equal(2);
        expect(err.join("\n")).to.include("validating policy config: secrets-rotation-enabled: maximumRotationDays must be <= 365");
    });
});
