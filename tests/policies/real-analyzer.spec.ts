/**
 * The in-process evaluation (the SDK's analyzer handlers, tools/policy-runner.ts) against the pack's
 * real gRPC server started as the CLI starts it: same diagnostics for every stack, in `pulumi up`
 * and new-stack `pulumi preview` mode, and for injected faults.
 */
import { expect } from "chai";
import { PACK_NAME, policies } from "../../policies/policies";
import { PolicyViolation, previewStack, stackTagsOf } from "../../tools/preview";
import { PACK_VERSION, cannotRunDiagnostics, evaluatePolicies } from "../../tools/policy-runner";
import { listStacks } from "../../tools/stack-files";
import { GLOBAL_DATABASE, stackPreview, stackRun } from "../helpers";
import { RecordedResource } from "../../tools/mock-engine";
import { MANDATORY_FAULTS, Stack, asNewStackPreview, compliantStack, mutate, stackOf } from "./harness";
import { RealAnalyzer, realAnalyzer } from "./real-analyzer";

// Started while the other specs load and run: it takes ~15-20 s.
const server = realAnalyzer();

const sorted = (vs: PolicyViolation[]) => vs.map((v) => JSON.stringify([v.policy, v.urn, v.enforcementLevel, v.message])).sort();

describe("the real analyzer protocol (policies/ run by @pulumi/pulumi's run-policy-pack, as the CLI does)", function () {
    let analyzer: RealAnalyzer;
    before(async function () {
        this.timeout(180000);
        analyzer = await server;
    });

    it(
        "GetPluginInfo and GetAnalyzerInfo: the type-checked pack serves " + "exactly policies/policies.ts, with levels and config schemas",
        async () => {
            expect((await analyzer.rpc("getPluginInfo")).getVersion()).to.match(/^\d+\.\d+\.\d+/);
            const info = await analyzer.rpc("getAnalyzerInfo");
            expect(info.getName()).to.equal(PACK_NAME);
            expect(info.getVersion()).to.equal(PACK_VERSION);
            expect(info.getSupportsconfig()).to.equal(true);
            const served = info.getPoliciesList().map((p: any) => ({
                name: p.getName(),
                level: p.getEnforcementlevel(),
                schema: p.getConfigschema()?.getProperties()?.toJavaScript() ?? null,
            }));
            const levels: Record<string, number> = { advisory: 0, mandatory: 1, remediate: 2, disabled: 3 };
            expect(served).to.deep.equal(
                policies.map((p) => ({
                    name: p.name,
                    level: levels[p.enforcementLevel],
                    schema: p.configSchema ? JSON.parse(JSON.stringify(p.configSchema.properties)) : null,
                })),
            );
        },
    );

    for (const stack of listStacks()) {
        for (const [mode, run] of [
            ["pulumi up", stackRun],
            ["new-stack pulumi preview", stackPreview],
        ] as const) {
            it(
                `${stack}, ${mode}: in-process evaluation and the real server ` +
                    `report the same diagnostics (policy, resource, level, message)`,
                async () => {
                    const result = await run(stack);
                    const real = await analyzer.evaluate(result.resources, { stackTags: stackTagsOf(result.project) });
                    expect(sorted(real)).to.deep.equal(sorted(result.policyViolations));
                },
            );
        }
    }

    it("prod with a global database (aurora:drMode), both modes and with faults in the DR region: the same diagnostics", async () => {
        for (const mode of ["up", "preview"] as const) {
            const result = await previewStack("prod", GLOBAL_DATABASE, {}, mode);
            const faulty = result.resources.map((r) =>
                r.name === "aurora-prod-dr-cluster"
                    ? mutate(r, { kmsKeyId: undefined })
                    : r.name === "aurora-prod-dr-instance-1"
                      ? mutate(r, { publiclyAccessible: true })
                      : r,
            );
            const options = { stackTags: stackTagsOf(result.project) };
            const local = await evaluatePolicies(faulty, options);
            expect(local.length, `${mode}: both faults are seen`).to.equal(2);
            expect(sorted(await analyzer.evaluate(result.resources, options)), `${mode}, compliant`).to.deep.equal(
                sorted(result.policyViolations),
            );
            expect(sorted(await analyzer.evaluate(faulty, options)), `${mode}, faulty`).to.deep.equal(sorted(local));
        }
    });

    it('both modes, every mandatory fault at once, with a config file: the same diagnostics, none of them "can\'t run"', async () => {
        const s = compliantStack("prod");
        let composed: Partial<Stack> = s;
        const extra: RecordedResource[] = [];
        for (const { fault } of MANDATORY_FAULTS) {
            const changed = fault(composed as Stack);
            if (Array.isArray(changed)) {
                extra.push(...changed.filter((r) => !stackOf(composed).some((c) => c.urn === r.urn)));
            } else {
                composed = changed;
            }
        }
        const faulty = [...stackOf(composed), ...extra];
        const options = {
            stackTags: { Environment: "prod" },
            config: {
                all: "advisory" as const,
                "secrets-rotation-enabled": { enforcementLevel: "mandatory" as const, maximumRotationDays: 5 },
            },
        };
        for (const resources of [faulty, asNewStackPreview(faulty)]) {
            const local = await evaluatePolicies(resources, options);
            // Some faults mask others (a removed stream has no key to check); most still show.
            expect(new Set(local.map((v) => v.policy)).size).to.be.greaterThan(MANDATORY_FAULTS.length - 5);
            expect(cannotRunDiagnostics(local)).to.deep.equal([]);
            expect(sorted(await analyzer.evaluate(resources, options))).to.deep.equal(sorted(local));
        }
    });
});
