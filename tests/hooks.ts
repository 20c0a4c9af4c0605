/**
 * Mocha root-hook plugin (loaded through .mocharc.json): installs the project's one mock engine
 * before any spec runs, with the real project name, so that `pulumi.Config` namespaces line up; and
 * stops the pack's real analyzer process after the last test.
 */
import * as pulumi from "@pulumi/pulumi";
import { engine } from "../tools/mock-engine";
import { stopRealAnalyzer } from "./policies/real-analyzer";

pulumi.runtime.setMocks(engine, "aurora", "unit", false);

export const mochaHooks = {
    /** The pack's real analyzer process (tests/policies/real-analyzer.ts), if a spec started it. */
    afterAll: stopRealAnalyzer,
};
