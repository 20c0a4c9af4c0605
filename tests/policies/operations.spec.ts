import { expect } from "chai";
import { classAllowed, databaseInsightsMode, extendedSupportOptOut, instanceClassAllowList } from "../../policies/operations";
import { check, compliantStack, expectNone, expectViolations, mutate, res } from "./harness";

describe("operations policies (advisory)", () => {
    const s = compliantStack("prod");
    const dev = compliantStack("dev");

    describe("rds-extended-support-opt-out", () => {
        it("REQ-007: passes an opted-out cluster and instance, flags unset or enrolled ones as advisory", async () => {
            expectNone(
                await check(extendedSupportOptOut, [
                    s.cluster,
                    res("aws:rds/instance:Instance", "pg", { engineLifecycleSupport: "open-source-rds-extended-support-disabled" }),
                ]),
            );
            const [v] = expectViolations(
                await check(extendedSupportOptOut, mutate(s.cluster, { engineLifecycleSupport: undefined })),
                "engineLifecycleSupport is 'unset (open-source-rds-extended-support)': " +
                    "set it to 'open-source-rds-extended-support-disabled' to avoid Extended Support charges.",
            );
            expect(v.enforcementLevel).to.equal("advisory");
            expectViolations(
                await check(
                    extendedSupportOptOut,
                    res("aws:rds/globalCluster:GlobalCluster", "g", { engineLifecycleSupport: "open-source-rds-extended-support" }),
                ),
                "is 'open-source-rds-extended-support'",
            );
        });
    });

    describe("rds-instance-class-allowed", () => {
        it("REQ-007: passes current generations and Serverless v2, flags others; the allow-list is configurable", async () => {
            expectNone(await check(instanceClassAllowList, [s.writer, mutate(s.reader, { instanceClass: "db.serverless" })]));
            expectViolations(
                await check(instanceClassAllowList, mutate(s.writer, { instanceClass: "db.r5.large" })),
                "Instance class 'db.r5.large' is not in the allow-list: db.serverless, db.r8g.*",
            );
            const config = { "rds-instance-class-allowed": { allowedInstanceClasses: ["db.r5.large"] } };
            expectNone(await check(instanceClassAllowList, mutate(s.writer, { instanceClass: "db.r5.large" }), { config }));
            expectViolations(
                await check(instanceClassAllowList, s.writer, { config }),
                "'db.r7g.large' is not in the allow-list: db.r5.large.",
            );
        });
        it("classAllowed matches exact names and prefixes ending in *", () => {
            expect(classAllowed("db.r7g.2xlarge", ["db.r7g.*"])).to.equal(true);
            expect(classAllowed("db.r7gd.large", ["db.r7g.*"])).to.equal(false);
            expect(classAllowed("db.serverless", ["db.serverless"])).to.equal(true);
            expect(classAllowed("db.serverless2", ["db.serverless"])).to.equal(false);
        });
    });

    describe("rds-database-insights-mode", () => {
        it("REQ-006: Standard mode passes by default; Advanced mode needs Performance Insights with 465 days on the cluster", async () => {
            expectNone(await check(databaseInsightsMode, [s.cluster, dev.cluster]));
            expectNone(
                await check(
                    databaseInsightsMode,
                    mutate(s.cluster, {
                        databaseInsightsMode: "advanced",
                        performanceInsightsEnabled: true,
                        performanceInsightsRetentionPeriod: 465,
                    }),
                ),
            );
            const needs =
                "Database Insights Advanced mode needs performanceInsightsEnabled: " +
                "true and performanceInsightsRetentionPeriod >= 465 on the cluster.";
            expectViolations(
                await check(
                    databaseInsightsMode,
                    mutate(dev.cluster, { databaseInsightsMode: "advanced", performanceInsightsEnabled: true }),
                ),
                needs,
            );
            expectViolations(
                await check(
                    databaseInsightsMode,
                    mutate(dev.cluster, { databaseInsightsMode: "advanced", performanceInsightsRetentionPeriod: 731 }),
                ),
                needs,
            );
        });
        it("REQ-006: production clusters below the configured mode are flagged; non-production ones are not", async () => {
            const config = { "rds-database-insights-mode": { productionMode: "advanced" } };
            expectViolations(
                await check(databaseInsightsMode, s.cluster, { config }),
                "Production cluster uses Database Insights mode 'standard'; " +
                    "production clusters should use at least 'advanced': set databaseInsightsMode.",
            );
            expectNone(await check(databaseInsightsMode, dev.cluster, { config }));
            expectNone(
                await check(databaseInsightsMode, mutate(s.cluster, { databaseInsightsMode: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }), {
                    config,
                }),
            );
        });
    });
});
