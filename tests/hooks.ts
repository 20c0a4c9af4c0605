/**
 * Mocha root-hook plugin (loaded through .mocharc.json): installs the project's one mock engine
 * before any spec runs, with the real project name, so that `pulumi.Config` namespaces line up.
 */
import * as pulumi from "@pulumi/pulumi";
import { engine } from "../tools/mock-engine";

pulumi.runtime.setMocks(engine, "aurora", "unit", false);

export const mochaHooks = {};
