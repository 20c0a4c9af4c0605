/**
 * Mocha root-hook plugin (loaded through .mocharc.json): installs the project's one mock engine
 * before any spec runs, with the real project name, so that `pulumi.Config` namespaces line up; and
 * stops the pack's real analyzer process after the last test.
 */
import * as pulumi from "@pulumi/pulumi";
import { engine } from "../tools/mock-engine";
import { stopRealAnalyzer } from "./policies/real-analyzer";
import { stopPostgres } from "./support/postgres";

// Failures point at .ts lines (tools/register.js emits inline source maps). Only here: the Pulumi SDK
// captures a stack per resource, and mapping each would slow the offline preview's own process.
process.setSourceMapsEnabled(true);
pulumi.runtime.setMocks(engine, "aurora", "unit", false);

/**
 * Started by specs that need them, stopped once after every spec: the pack's real analyzer process and the shared
 * PostgreSQL 17 test server.
 */
export const mochaHooks = {
    afterAll: async () => {
        await stopRealAnalyzer();
        await stopPostgres();
    },
};
