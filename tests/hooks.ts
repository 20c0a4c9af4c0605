/**
 * Mocha root-hook plugin (loaded through .mocharc.json): installs the project's one mock engine
 * before any spec runs, with the real project name, so that `pulumi.Config` namespaces line up.
 */
import * as pulumi from "@pulumi/pulumi";
import { engine } from "../tools/mock-engine";
import { stopPostgres } from "./support/postgres";

pulumi.runtime.setMocks(engine, "aurora", "unit", false);

/** The shared PostgreSQL 17 test server (tests/support/postgres.ts) stops once, after every spec. */
export const mochaHooks = { afterAll: stopPostgres };
