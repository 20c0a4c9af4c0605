import { expect } from "chai";
import { ConfigValidationError, parseStackConfig } from "../config";
import { CONFIG_KEYS } from "../config/schema";
import { checkIdentifier, parseCidr, subnetCidrs } from "../components/validation";

const context = { project: "aurora", stack: "prod" };

/** A complete, valid raw config as the CLI passes it: only the required keys. */
function raw(overrides: Record<string, string | undefined> = {}): Record<string, string> {
    const base: Record<string, string | undefined> = {
        "aws:region": "eu-west-1",
        "aurora:environment": "prod",
        "aurora:team": "data-platform",
        "aurora:costCenter": "cc-1042",
        "aurora:alarmEmails": JSON.stringify(["oncall@example.com"]),
        ...overrides,
    };
    return Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

/** The problems reported for a config, or [] when it is accepted. */
function problemsOf(overrides: Record<string, string | undefined>, ctx = context): readonly string[] {
    try {
        parseStackConfig(raw(overrides), ctx);
        return [];
    } catch (e) {
        expect(e).to.be.instanceOf(ConfigValidationError);
        return (e as ConfigValidationError).problems;
    }
}

function expectRejected(overrides: Record<string, string | undefined>, ...fragments: string[]): void {
    const problems = problemsOf(overrides);
    expect(problems, "expected the config to be rejected").to.not.be.empty;
    for (const fragment of fragments) {
        expect(problems.join("\n")).to.include(fragment);
    }
}

function expectAccepted(overrides: Record<string, string | undefined>): void {
    expect(problemsOf(overrides)).to.deep.equal([]);
}

describe("config: loading and validation (one place, before any resource)", () => {
    it("applies the production-safe defaults when only the required keys are set", () => {
        const config = parseStackConfig(raw(), context);
        expect(config.isProduction).to.equal(true);
        expect(config.namePrefix).to.equal("aurora-prod");
        expect(config.protectResources).to.equal(true);
        expect(config.network).to.include({
            mode: "new",
            vpcCidr: "10.40.0.0/16",
            azCount: 3,
            dbPort: 5432,
            flowLogsTrafficType: "ALL",
            flowLogsRetentionDays: 365,
            vpcEndpoints: true,
        });
        expect(config.network.allowedCidrs).to.deep.equal([]);
    });

    it("reports every problem in one error that names the key, the bad value and what is allowed", () => {
        try {
            parseStackConfig(raw({ "aurora:azCount": "1", "aurora:dbPort": "80" }), context);
            expect.fail("should throw");
        } catch (e) {
            const message = (e as Error).message;
            expect(message).to.include("Invalid configuration for stack 'prod' (2 problems)");
            expect(message).to.include("aurora:azCount = 1: must be an integer from 2 to 6");
            expect(message).to.include("aurora:dbPort = 80: must be an integer from 1150 to 65535");
        }
    });

    describe("environment", () => {
        it("accepts each allowed environment", () => {
            for (const env of ["dev", "test", "qa", "staging", "prod"]) {
                expect(
                    problemsOf({ "aurora:environment": env, "aurora:protectResources": "false" }).filter((p) => p.includes("environment")),
                ).to.deep.equal([]);
            }
        });
        it("rejects an unknown environment name, listing the allowed ones", () => {
            expectRejected(
                { "aurora:environment": "production" },
                'aurora:environment = "production": must be one of "dev", "test", "qa", "staging", "prod"',
            );
        });
        it("requires the environment", () => {
            expectRejected({ "aurora:environment": undefined }, "aurora:environment is required");
        });
        it("REQ-006: in prod, alarms must reach someone (an email or an HTTPS endpoint); elsewhere they may not", () => {
            expectRejected(
                { "aurora:alarmEmails": undefined },
                "aurora:alarmEmails and aurora:alarmHttpsEndpoints are both empty: in prod",
            );
            expectAccepted({
                "aurora:alarmEmails": undefined,
                "aurora:alarmHttpsEndpoints": JSON.stringify(["https://events.pagerduty.com/integration/x/enqueue"]),
            });
            expectAccepted({ "aurora:alarmEmails": undefined, "aurora:environment": "staging", "aurora:protectResources": "false" });
        });

        it("REQ-008: rejects protectResources=false in prod but accepts it in dev", () => {
            expectRejected({ "aurora:protectResources": "false" }, "aurora:protectResources = false: must be true in prod");
            expectAccepted({ "aurora:environment": "dev", "aurora:protectResources": "false" });
        });
    });

    describe("REQ-012: tags", () => {
        it("builds the required tags, adding ManagedBy, plus extra tags", () => {
            const config = parseStackConfig(
                raw({ "aurora:extraTags": JSON.stringify(["DataClass=confidential", "Owner=dba@example.com"]) }),
                context,
            );
            expect(config.tags).to.deep.equal({
                Environment: "prod",
                Application: "aurora",
                Team: "data-platform",
                CostCenter: "cc-1042",
                ManagedBy: "pulumi",
                DataClass: "confidential",
                Owner: "dba@example.com",
            });
        });
        it("requires Team and CostCenter and rejects empty values", () => {
            expectRejected({ "aurora:team": undefined }, "aurora:team is required");
            expectRejected({ "aurora:costCenter": "  " }, 'aurora:costCenter = "  ": must be a non-empty string');
            expectRejected({ "aurora:application": "" }, 'aurora:application = "": must be a non-empty string');
        });
        it("rejects malformed extra tags and attempts to override required or aws: tags", () => {
            expectRejected({ "aurora:extraTags": JSON.stringify(["novalue="]) }, '"novalue=": each entry must be Key=Value');
            expectRejected({ "aurora:extraTags": JSON.stringify(["=x"]) }, '"=x": each entry must be Key=Value');
            expectRejected(
                { "aurora:extraTags": JSON.stringify(["Team=other"]) },
                "must not set the reserved 'aws:' prefix or a required tag",
            );
            expectRejected({ "aurora:extraTags": JSON.stringify(["aws:foo=bar"]) }, "must not set the reserved 'aws:' prefix");
        });
    });

    describe("types and unknown keys", () => {
        it("rejects values of the wrong type", () => {
            expectRejected({ "aurora:azCount": "three" }, 'aurora:azCount = "three": must be a whole number');
            expectRejected({ "aurora:vpcEndpoints": "yes" }, 'aurora:vpcEndpoints = "yes": must be one of "true", "false"');
            expectRejected({ "aurora:allowedCidrs": "10.0.0.0/8" }, 'aurora:allowedCidrs = "10.0.0.0/8": must be a list of strings');
            expectRejected({ "aurora:allowedCidrs": "[1,2]" }, "must be a list of strings");
        });
        it("rejects unknown aurora:* keys (typos) and suggests the right one", () => {
            expectRejected({ "aurora:azcount": "3" }, "aurora:azcount is not a known key (did you mean aurora:azCount?)");
            expectRejected({ "aurora:bogus": "1" }, "aurora:bogus is not a known key; see the README");
        });
        it("requires a valid aws:region", () => {
            expectRejected({ "aws:region": undefined }, 'aws:region = "": must be set to an AWS region');
            expectAccepted({ "aws:region": "us-gov-west-1" });
        });
    });

    describe("identifier-like names (project and stack)", () => {
        it("accepts a 40-character prefix and rejects longer, upper-case, '--' and trailing '-'", () => {
            expect(problemsOf({}, { project: "aurora", stack: "x".repeat(33) })).to.deep.equal([]);
            expect(problemsOf({}, { project: "aurora", stack: "x".repeat(34) }).join()).to.include("must be 1 to 40 characters");
            expect(problemsOf({}, { project: "aurora", stack: "Prod" }).join()).to.include("must start with a lowercase letter");
            expect(problemsOf({}, { project: "aurora", stack: "-prod" }).join()).to.include("must not contain '--'");
            expect(problemsOf({}, { project: "aurora", stack: "prod-" }).join()).to.include("must not contain '--' or end with '-'");
            expect(problemsOf({}, { project: "9aurora", stack: "prod" }).join()).to.include("must start with a lowercase letter");
        });
        it("checkIdentifier enforces the 1-63 default length", () => {
            expect(checkIdentifier("a".repeat(63))).to.equal(undefined);
            expect(checkIdentifier("a".repeat(64))).to.equal("must be 1 to 63 characters");
            expect(checkIdentifier("")).to.equal("must be 1 to 63 characters");
        });
    });

    describe("REQ-003: network", () => {
        it("accepts private CIDRs at the edges of the RFC 1918 ranges", () => {
            expectAccepted({ "aurora:allowedCidrs": JSON.stringify(["10.0.0.0/8", "172.31.255.0/24", "192.168.0.0/16"]) });
        });
        it("rejects public ranges, 0.0.0.0/0 and malformed CIDRs", () => {
            expectRejected(
                { "aurora:allowedCidrs": JSON.stringify(["0.0.0.0/0"]) },
                '"0.0.0.0/0": must lie inside a private RFC 1918 range',
            );
            expectRejected({ "aurora:allowedCidrs": JSON.stringify(["172.32.0.0/16"]) }, "must lie inside a private RFC 1918 range");
            expectRejected({ "aurora:allowedCidrs": JSON.stringify(["10.0.0.1/8"]) }, "no host bits set");
            expectRejected({ "aurora:allowedCidrs": JSON.stringify(["10.0.0.0/33"]) }, "must be an IPv4 CIDR");
            expectRejected({ "aurora:allowedCidrs": JSON.stringify(["10.0.0.256/32"]) }, "must be an IPv4 CIDR");
            expectRejected({ "aurora:vpcCidr": "8.8.0.0/16" }, 'aurora:vpcCidr = "8.8.0.0/16"');
        });
        it("accepts /16 and /24 VPCs and rejects larger or smaller ones", () => {
            expectAccepted({ "aurora:vpcCidr": "10.1.0.0/16" });
            expectAccepted({ "aurora:vpcCidr": "10.1.1.0/24" });
            expectRejected({ "aurora:vpcCidr": "10.0.0.0/15" }, "must be a /16 to /24 block");
            expectRejected({ "aurora:vpcCidr": "10.1.1.0/25" }, "must be a /16 to /24 block");
        });
        it("REQ-001: accepts 2 and 6 AZs, rejects 1 and 7", () => {
            expectAccepted({ "aurora:azCount": "2" });
            expectAccepted({ "aurora:azCount": "6" });
            expectRejected({ "aurora:azCount": "1" }, "aurora:azCount = 1: must be an integer from 2 to 6");
            expectRejected({ "aurora:azCount": "7" }, "aurora:azCount = 7");
        });
        it("validates the port, flow log traffic type and retention", () => {
            expectAccepted({ "aurora:dbPort": "1150" });
            expectAccepted({ "aurora:dbPort": "65535" });
            expectRejected({ "aurora:dbPort": "1149" }, "aurora:dbPort = 1149");
            expectAccepted({ "aurora:flowLogsTrafficType": "REJECT" });
            expectRejected(
                { "aurora:flowLogsTrafficType": "ACCEPT" },
                'aurora:flowLogsTrafficType = "ACCEPT": must be one of "ALL", "REJECT"',
            );
            expectAccepted({ "aurora:flowLogsRetentionDays": "3653" });
            expectRejected(
                { "aurora:flowLogsRetentionDays": "0" },
                "aurora:flowLogsRetentionDays = 0: must be one of CloudWatch Logs' retention values",
            );
        });
        it("existing VPC mode: accepts two subnets and an application security group", () => {
            const config = parseStackConfig(
                raw({
                    "aurora:existingVpcId": "vpc-0123456789abcdef0",
                    "aurora:existingDbSubnetIds": JSON.stringify(["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]),
                    "aurora:appSecurityGroupIds": JSON.stringify(["sg-0123456789abcdef0"]),
                }),
                context,
            );
            expect(config.network.mode).to.equal("existing");
        });
        it("existing VPC mode: accepts private CIDRs instead of security groups", () => {
            expectAccepted({
                "aurora:existingVpcId": "vpc-0123456789abcdef0",
                "aurora:existingDbSubnetIds": JSON.stringify(["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]),
                "aurora:allowedCidrs": JSON.stringify(["10.0.0.0/16"]),
            });
        });
        it("existing VPC mode: rejects bad ids, a single or repeated subnet, and no allowed source", () => {
            const existing = {
                "aurora:existingVpcId": "vpc-0123456789abcdef0",
                "aurora:appSecurityGroupIds": JSON.stringify(["sg-0123456789abcdef0"]),
            };
            expectRejected(
                {
                    ...existing,
                    "aurora:existingVpcId": "vpc-xyz",
                    "aurora:existingDbSubnetIds": JSON.stringify(["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]),
                },
                'aurora:existingVpcId = "vpc-xyz": must be a VPC id',
            );
            expectRejected(
                { ...existing, "aurora:existingDbSubnetIds": JSON.stringify(["subnet-0123456789abcdef0"]) },
                "must list at least two distinct subnet ids",
            );
            expectRejected(
                { ...existing, "aurora:existingDbSubnetIds": JSON.stringify(["subnet-0123456789abcdef0", "subnet-0123456789abcdef0"]) },
                "must list at least two distinct subnet ids",
            );
            expectRejected(
                { ...existing, "aurora:existingDbSubnetIds": JSON.stringify(["subnet-0123456789abcdef0", "subnet-zz"]) },
                '"subnet-zz": must be a subnet id',
            );
            expectRejected(
                {
                    ...existing,
                    "aurora:appSecurityGroupIds": JSON.stringify(["sg-nope"]),
                    "aurora:existingDbSubnetIds": JSON.stringify(["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]),
                },
                '"sg-nope": must be a security group id',
            );
            expectRejected(
                {
                    "aurora:existingVpcId": "vpc-0123456789abcdef0",
                    "aurora:existingDbSubnetIds": JSON.stringify(["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]),
                },
                "are both empty",
            );
        });
        it("rejects existing-VPC keys without existingVpcId", () => {
            expectRejected(
                { "aurora:existingDbSubnetIds": JSON.stringify(["subnet-0123456789abcdef0"]) },
                "only apply with aurora:existingVpcId",
            );
        });
    });

    describe("helpers", () => {
        it("parseCidr and subnetCidrs split a VPC into sixteenths", () => {
            expect(parseCidr("10.40.0.0/16")).to.deep.equal({ base: 0x0a280000, prefix: 16 });
            expect(parseCidr("0.0.0.0/0")).to.deep.equal({ base: 0, prefix: 0 });
            expect(subnetCidrs("10.40.0.0/16", 20, 0, 3)).to.deep.equal(["10.40.0.0/20", "10.40.16.0/20", "10.40.32.0/20"]);
            expect(subnetCidrs("10.40.0.0/16", 20, 8, 2)).to.deep.equal(["10.40.128.0/20", "10.40.144.0/20"]);
        });
        it("every key in the schema has a description", () => {
            for (const spec of CONFIG_KEYS) {
                expect(spec.description, spec.key).to.match(/\S/);
            }
        });
    });
});

describe("config: every rule a key's description states is enforced at preview time", () => {
    /** Keys whose description states an integer or ACU range "(N to M" / "from N to M". */
    const ranged = CONFIG_KEYS.flatMap((spec) => {
        const match = /\((\d+(?:\.\d+)?) to (\d+(?:\.\d+)?)[,;)]/.exec(spec.description);
        return match ? [{ key: spec.key, low: Number(match[1]), high: Number(match[2]), step: spec.type === "integer" ? 1 : 0.5 }] : [];
    });

    it("the descriptions state ranges for the numeric keys (the cases below are derived from them)", () => {
        expect(ranged.map((r) => r.key)).to.include.members([
            "azCount",
            "readerCount",
            "serverlessMinCapacity",
            "serverlessMaxCapacity",
            "serverlessAutoPauseSeconds",
            "backupRetentionDays",
            "cpuAlarmPercent",
        ]);
    });

    for (const { key, low, high, step } of ranged) {
        it(
            `aurora:${key}: ${low} and ${high} are accepted, ` +
                `${low - step} and ${high + step} refused, whatever the instance class uses`,
            () => {
                const problemsWith = (value: number) => {
                    try {
                        parseStackConfig(raw({ [`aurora:${key}`]: String(value) }), context);
                        return "";
                    } catch (e) {
                        return (e as ConfigValidationError).problems.filter((p) => p.startsWith(`aurora:${key} =`)).join("; ");
                    }
                };
                expect(problemsWith(low), `${key}=${low}`).to.equal("");
                expect(problemsWith(high), `${key}=${high}`).to.equal("");
                expect(problemsWith(low - step), `${key}=${low - step}`).to.match(new RegExp(`^aurora:${key} = "?${low - step}"?: `));
                expect(problemsWith(high + step), `${key}=${high + step}`).to.match(new RegExp(`^aurora:${key} = "?${high + step}"?: `));
            },
        );
    }

    it("REQ-005: the AWS Backup job starts outside the RDS backup and maintenance windows, as aurora:backupSchedule promises", () => {
        const problemsWith = (schedule: string, extra: Record<string, string> = {}) => {
            try {
                parseStackConfig(raw({ "aurora:backupSchedule": schedule, ...extra }), context);
                return "";
            } catch (e) {
                return (e as Error).message;
            }
        };
        expect(problemsWith("cron(30 2 * * ? *)")).to.include('overlaps aurora:backupWindow = "02:00-03:00"');
        expect(problemsWith("cron(30 4 * * ? *)")).to.include('overlaps aurora:maintenanceWindow = "sun:04:00-sun:05:00"');
        expect(problemsWith("cron(30 1 * * ? *)"), "starts within 60 minutes: runs into the 02:00 window").to.include(
            "aurora:backupWindow",
        );
        expect(problemsWith("cron(0 1 * * ? *)")).to.equal("");
        expect(problemsWith("cron(0 3 ? * SUN *)")).to.include(
            'aurora:backupSchedule = "cron(0 3 ? * SUN *)": must be a daily AWS cron expression',
        );
        expect(problemsWith("cron(30 2 * * ? *)", { "aurora:drBackup": "false" }), "no AWS Backup plan, nothing to collide").to.equal("");
    });
});
