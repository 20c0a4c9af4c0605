/**
 * The components are a library that this program uses like any other caller: self-contained under
 * components/, and composed by AuroraPostgres.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../tools/stack-files";
import {
    ALARM_DEFAULTS,
    AuroraPostgres,
    NetworkSettings,
    BACKUP_DEFAULTS,
    CLUSTER_DEFAULTS,
    NETWORK_DEFAULTS,
    SECRETS_DEFAULTS,
} from "../components";
import { keyName, parseStackConfig } from "../config";
import { CONFIG_KEYS } from "../config/schema";
import { STACKS, errorOf, runComponent, stackRun } from "./helpers";

const TOP_LEVEL = "aurora:index:AuroraPostgres";

function importsOf(file: string): string[] {
    return [...fs.readFileSync(file, "utf8").matchAll(/(?:from|require\()\s*["']([^"']+)["']/g)].map((m) => m[1]);
}

describe("library: components are self-contained and composed by AuroraPostgres", () => {
    it("nothing under components/ imports config/, tools/, tests/ or the program", () => {
        const dir = path.join(PROJECT_ROOT, "components");
        const outside = fs
            .readdirSync(dir)
            .filter((f) => f.endsWith(".ts"))
            .flatMap((f) =>
                importsOf(path.join(dir, f))
                    .filter((i) => i.startsWith(".") && !i.startsWith("./") && !i.startsWith("../functions/"))
                    .map((i) => `${f} imports ${i}`),
            );
        expect(outside).to.deep.equal([]);
    });

    for (const stack of STACKS) {
        it(`${stack}: every resource is declared under one AuroraPostgres component`, async () => {
            const run = await stackRun(stack);
            const roots = run.resources.filter((r) => r.parent === null).map((r) => `${r.type}::${r.name}`);
            expect(roots).to.deep.equal([`${TOP_LEVEL}::aurora-${stack}`]);
        });
    }

    it("@pulumi/pulumi is pinned to one exact version, the one installed, in the program and the policy pack", () => {
        const installed = (
            JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")) as {
                version: string;
            }
        ).version;
        // The library itself takes the caller's SDK (a peer range); the program, its tests and the pack pin it.
        for (const [file, section] of [
            ["package.json", "devDependencies"],
            ["policies/package.json", "dependencies"],
        ] as const) {
            const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8")) as Record<
                typeof section,
                Record<string, string>
            >;
            expect(
                manifest[section]["@pulumi/pulumi"],
                `${file} ${section}: the mock engine relies on SDK internals (README, Upgrading)`,
            ).to.equal(installed);
        }
    });

    it(
        "config defaults only restate the components': " +
            "a stack file with just the required keys gives exactly AuroraPostgres's defaults",
        () => {
            const config = parseStackConfig(
                { "aws:region": "eu-west-1", "aurora:environment": "qa", "aurora:team": "data", "aurora:costCenter": "cc-1" },
                { project: "aurora", stack: "qa" },
            );
            const cases: Array<[string, unknown, unknown]> = [
                ["network", config.network, NETWORK_DEFAULTS],
                ["cluster", config.cluster, CLUSTER_DEFAULTS],
                ["secrets", config.secrets, SECRETS_DEFAULTS],
                ["alarms", config.alarms, ALARM_DEFAULTS],
                ["backup", config.backup, { enabled: true, ...BACKUP_DEFAULTS }],
            ];
            for (const [section, fromConfig, fromComponents] of cases) {
                expect(fromConfig, `${section}: config/schema.ts and components/defaults.ts disagree`).to.deep.equal(fromComponents);
            }
            expect(config.operatorAccess).to.deep.equal({ enabled: false, createEndpoints: true });
        },
    );

    it("AuroraPostgres applies its defaults inside: a caller may give only what differs", async () => {
        const run = await runComponent(
            () =>
                new AuroraPostgres("lib-minimal", {
                    namePrefix: "lib-minimal",
                    region: "eu-west-1",
                    cluster: { readerCount: 1 },
                    secrets: { proxy: { iamAuth: false } },
                }),
        );
        const instances = run.resources.filter((r) => r.type === "aws:rds/clusterInstance:ClusterInstance");
        expect(
            instances.map((r) => r.inputs.instanceClass),
            "writer and one reader, the default class",
        ).to.deep.equal(["db.r7g.large", "db.r7g.large"]);
        const proxy = run.resources.find((r) => r.type === "aws:rds/proxy:Proxy");
        expect(
            proxy?.inputs.auths.map((a: { iamAuth: string }) => a.iamAuth),
            "proxy kept from the defaults, iamAuth overridden",
        ).to.deep.equal(["DISABLED"]);
        expect(run.resources.find((r) => r.type === "aws:rds/cluster:Cluster")?.inputs).to.include({
            engine: "aurora-postgresql",
            deletionProtection: true,
            backupRetentionPeriod: 30,
        });
    });

    it(
        "the cluster hands its neighbours one typed reference: identifier, " +
            "endpoints, port, secret, instances with class and max_connections",
        async () => {
            let built: AuroraPostgres | undefined;
            const run = await runComponent(() => {
                built = new AuroraPostgres("lib-reference", {
                    namePrefix: "lib-reference",
                    region: "eu-west-1",
                    cluster: { readerCount: 1 },
                });
            });
            const reference = built!.database.reference;
            const cluster = run.resources.find((r) => r.type === "aws:rds/cluster:Cluster")!;
            const resolved = await new Promise<unknown[]>((resolve) =>
                pulumi
                    .all([reference.clusterIdentifier, reference.arn, reference.writerEndpoint, reference.masterSecretArn])
                    .apply(resolve),
            );
            expect(resolved, "identifier, ARN, writer endpoint and master secret of the cluster").to.deep.equal([
                cluster.inputs.clusterIdentifier,
                cluster.state.arn,
                cluster.state.endpoint,
                cluster.state.masterUserSecrets[0].secretArn,
            ]);
            expect(reference).to.include({ port: 5432, databaseName: "app", masterUsername: "dbadmin", iamAdminDbUser: "iam_admin" });
            // Against what was declared and AWS's own max_connections formula, not the plan the reference came from.
            expect(
                reference.instances.map(({ identifier, instanceClass, maxConnections }) => ({ identifier, instanceClass, maxConnections })),
            ).to.deep.equal(
                run.resources
                    .filter((r) => r.type === "aws:rds/clusterInstance:ClusterInstance")
                    .map((r) => ({
                        identifier: r.inputs.identifier,
                        instanceClass: r.inputs.instanceClass,
                        // AWS's published max_connections of db.r7g.large (16 GiB), the default class.
                        maxConnections: { "db.r7g.large": 1721 }[r.inputs.instanceClass as string],
                    })),
            );
            expect(
                reference.instances.map((i) => i.resource),
                "each instance's resource, for what must wait on it",
            ).to.deep.equal(built!.database.instances);
            const subscription = run.resources.find((r) => r.name === "lib-reference-db-instance-events")!;
            const instanceUrns = run.resources.filter((r) => r.type === "aws:rds/clusterInstance:ClusterInstance").map((r) => r.urn);
            expect(subscription.options.dependsOn, "the db-instance events wait for the instances they name").to.include.members(
                instanceUrns,
            );
        },
    );

    it("component errors name the component's fields, and each field a shared validator names is an aurora:* key to config", () => {
        const validators = ["network.ts", "cluster-settings.ts", "secrets-settings.ts", "alarm-settings.ts", "backup.ts"];
        const keys = new Set(CONFIG_KEYS.map((k) => `aurora:${k.key}`));
        const fields = new Set<string>();
        for (const file of validators) {
            for (const [, field] of fs.readFileSync(path.join(PROJECT_ROOT, "components", file), "utf8").matchAll(/\bname\("([\w.]+)"\)/g))
                fields.add(field);
        }
        expect(fields, "the validators name nested fields as the caller writes them").to.include.keys(
            "serverless.minCapacity",
            "proxy.borrowTimeoutSeconds",
            "schedule",
            "retentionDays",
        );
        expect(
            [...fields].filter((f) => !keys.has(keyName(f))),
            "fields without a config key",
        ).to.deep.equal([]);
    });

    it("REQ-003 allowClient admits a client's security group to the database and the proxy, one described rule each", async () => {
        const client = "sg-0c11e47000000000a";
        const run = await runComponent(() => {
            const db = new AuroraPostgres("lib-client", { namePrefix: "lib-client", region: "eu-west-1" });
            db.allowClient("billing", client);
            return db;
        });
        const groupOf = (suffix: string) =>
            run.resources.find((r) => r.type === "aws:ec2/securityGroup:SecurityGroup" && r.name.endsWith(suffix))!.id;
        const fromClient = run.resources.filter(
            (r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" && r.inputs.referencedSecurityGroupId === client,
        );
        expect(fromClient.map((r) => [r.inputs.securityGroupId, r.inputs.fromPort, r.inputs.description])).to.have.deep.members([
            [groupOf("-db-sg"), 5432, "PostgreSQL from billing"],
            [groupOf("-proxy-sg"), 5432, "PostgreSQL from billing"],
        ]);
        const error = await errorOf(() =>
            runComponent(() => {
                const db = new AuroraPostgres("lib-client-bad", {
                    namePrefix: "lib-client-bad",
                    region: "eu-west-1",
                    secrets: { proxy: { enabled: false } },
                });
                db.secrets.allowProxyClient("Billing Service", client);
                return db;
            }),
        );
        expect(error.message)
            .to.include(
                'clientName = "Billing Service": must start with a lowercase letter and contain only lowercase letters, digits and hyphens',
            )
            .and.include("proxy.enabled is false");
    });

    it(
        "NetworkSettings is a discriminated union on mode: " +
            "an existing VPC has no vpcCidr, a new one no existingVpcId (tsc checks this file)",
        () => {
            const existingVpc: NetworkSettings = {
                mode: "existing",
                existingVpcId: "vpc-0123456789abcdef0",
                existingDbSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
                appSecurityGroupIds: ["sg-0123456789abcdef0"],
                allowedCidrs: [],
                dbPort: 5432,
                flowLogsTrafficType: "ALL",
                flowLogsRetentionDays: 365,
                vpcEndpoints: false,
                // @ts-expect-error a CIDR is a new VPC's setting
                vpcCidr: "10.0.0.0/16",
            };
            // @ts-expect-error an existing VPC's id is not a new VPC's setting
            const newVpc: NetworkSettings = { ...NETWORK_DEFAULTS, existingVpcId: "vpc-0123456789abcdef0" };
            expect([existingVpc.mode, newVpc.mode]).to.deep.equal(["existing", "new"]);
        },
    );
});
