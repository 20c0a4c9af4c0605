/**
 * The pack on a new stack: in `pulumi preview` every id, ARN and input built from one is unknown.
 * Every mandatory policy must still catch its fault there (through property dependencies, the
 * resource graph the engine sends in preview too) and in `pulumi up`, and no policy may fall back
 * to the SDK's "can't run policy ... during preview".
 */
import { expect } from "chai";
import { policies } from "../../policies/policies";
import { RecordedResource } from "../../tools/mock-engine";
import { cannotRunDiagnostics, evaluatePolicies, mandatoryViolations } from "../../tools/policy-runner";
import { Stack, asNewStackPreview, compliantStack, expectNone, mutate, res, stackOf, tagsFor } from "./harness";

const s = compliantStack("prod");
const tags = tagsFor("prod");
const igw = res("aws:ec2/internetGateway:InternetGateway", "igw", { vpcId: "vpc-01", tags }, { state: { id: "igw-01" } });
const igwRoute = res("aws:ec2/route:Route", "to-internet", { routeTableId: s.routeTable.state.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.state.id });

/** One fault per mandatory policy: the stack change and a part of the message it must produce. */
const FAULTS: Array<{ policy: string; fault: (x: Stack) => Partial<Stack> | RecordedResource[]; message: string }> = [
    { policy: "rds-cluster-storage-encrypted-cmk", fault: (x) => ({ ...x, cluster: mutate(x.cluster, { kmsKeyId: undefined }) }), message: "does not use a customer-managed KMS key" },
    { policy: "rds-performance-insights-cmk", fault: (x) => ({ ...x, writer: mutate(x.writer, { performanceInsightsKmsKeyId: "alias/aws/rds" }) }), message: "without a customer-managed key" },
    { policy: "rds-activity-stream-cmk", fault: (x) => ({ ...x, activityStream: mutate(x.activityStream, { kmsKeyId: undefined }) }), message: "Activity stream is not encrypted" },
    { policy: "secrets-encrypted-with-cmk", fault: (x) => ({ ...x, secret: mutate(x.secret, { kmsKeyId: undefined }) }), message: "Secret is not encrypted" },
    { policy: "cloudwatch-log-group-cmk", fault: (x) => ({ ...x, logGroup: mutate(x.logGroup, { kmsKeyId: undefined }) }), message: "Log group is not encrypted" },
    { policy: "sns-topic-cmk", fault: (x) => ({ ...x, topic: mutate(x.topic, { kmsMasterKeyId: "alias/aws/sns" }) }), message: "Topic is not encrypted" },
    { policy: "kms-key-rotation-enabled", fault: (x) => ({ ...x, key: mutate(x.key, { enableKeyRotation: false }) }), message: "rotation is not enabled" },
    { policy: "kms-key-deletion-window", fault: (x) => ({ ...x, key: mutate(x.key, { deletionWindowInDays: 6 }) }), message: "deletionWindowInDays is 6" },
    { policy: "aurora-postgresql-parameter-group-tls", fault: (x) => ({ ...x, parameterGroup: mutate(x.parameterGroup, { parameters: [] }) }), message: "rds.force_ssl must be 1" },
    {
        policy: "aurora-postgresql-cluster-tls-parameter-group",
        fault: (x) => ({ ...x, cluster: mutate(x.cluster, { dbClusterParameterGroupName: "default.aurora-postgresql17" }) }),
        message: "uses the default cluster parameter group",
    },
    { policy: "kms-key-references-customer-managed", fault: (x) => ({ ...x, secret: mutate(x.secret, { kmsKeyId: x.topic.state.arn }) }), message: "kmsKeyId of aws:secretsmanager/secret:Secret 'app-secret'" },
    { policy: "rds-instance-not-publicly-accessible", fault: (x) => ({ ...x, writer: mutate(x.writer, { publiclyAccessible: true }) }), message: "publicly accessible" },
    { policy: "security-group-no-public-database-ingress", fault: (x) => ({ ...x, ingressCidr: mutate(x.ingressCidr, { cidrIpv4: "0.0.0.0/0" }) }), message: "port 5432 open to 0.0.0.0/0" },
    { policy: "rds-subnet-group-private", fault: (x) => [...stackOf(x), igw, igwRoute], message: "routes to an internet gateway" },
    { policy: "rds-cluster-deletion-protection", fault: (x) => ({ ...x, cluster: mutate(x.cluster, { deletionProtection: false }) }), message: "does not have deletion protection" },
    { policy: "rds-cluster-final-snapshot", fault: (x) => ({ ...x, cluster: mutate(x.cluster, { skipFinalSnapshot: true }) }), message: "skips the final snapshot" },
    { policy: "rds-cluster-backup-retention", fault: (x) => ({ ...x, cluster: mutate(x.cluster, { backupRetentionPeriod: 1 }) }), message: "keeps backups for 1 day(s)" },
    { policy: "production-data-resources-protected", fault: (x) => ({ ...x, cluster: mutate(x.cluster, {}, { protect: false }) }), message: "is not protected" },
    { policy: "required-tags", fault: (x) => ({ ...x, topic: mutate(x.topic, { tags: undefined }) }), message: "Missing required tags" },
    { policy: "rds-cluster-iam-authentication", fault: (x) => ({ ...x, cluster: mutate(x.cluster, { iamDatabaseAuthenticationEnabled: false }) }), message: "IAM database authentication is not enabled" },
    { policy: "rds-cluster-managed-master-password", fault: (x) => ({ ...x, cluster: mutate(x.cluster, { manageMasterUserPassword: false }) }), message: "not managed by RDS" },
    { policy: "rds-instance-enhanced-monitoring", fault: (x) => ({ ...x, writer: mutate(x.writer, { monitoringInterval: 0 }) }), message: "Enhanced Monitoring is off" },
    { policy: "rds-instance-performance-insights", fault: (x) => ({ ...x, writer: mutate(x.writer, { performanceInsightsEnabled: false }) }), message: "Performance Insights is not enabled" },
    { policy: "aurora-postgresql-log-exports", fault: (x) => ({ ...x, cluster: mutate(x.cluster, { enabledCloudwatchLogsExports: [] }) }), message: "PostgreSQL logs are not exported" },
    { policy: "secrets-rotation-enabled", fault: (x) => ({ ...x, rotation: undefined }), message: "Secret 'app-secret' has no aws.secretsmanager.SecretRotation" },
    { policy: "aurora-cluster-multi-az", fault: (x) => ({ ...x, reader: undefined }), message: "has 1 instance(s) in 1 distinct Availability Zone(s)" },
    { policy: "aurora-cluster-activity-stream", fault: (x) => ({ ...x, activityStream: undefined }), message: "has no aws.rds.ClusterActivityStream" },
    { policy: "aurora-cluster-alarms", fault: (x) => ({ ...x, alarm: mutate(x.alarm, { alarmActions: [] }) }), message: "notifies nobody" },
];

const MODES: Array<[string, (r: RecordedResource[]) => RecordedResource[]]> = [
    ["pulumi up", (r) => r],
    ["new-stack pulumi preview", asNewStackPreview],
];

describe("the pack on a new stack (preview unknowns) and in pulumi up", () => {
    for (const [mode, as] of MODES) {
        it(`${mode}: a compliant production stack has no violation and no "can't run" diagnostic`, async () => {
            expectNone(await evaluatePolicies(as(stackOf(s))));
        });

        for (const { policy, fault, message } of FAULTS) {
            it(`${mode}: mandatory ${policy} still catches its fault, and no policy is skipped`, async () => {
                const faulty = fault(s);
                const violations = await evaluatePolicies(as(Array.isArray(faulty) ? faulty : stackOf(faulty)));
                expect(cannotRunDiagnostics(violations).map((v) => v.message), "can't run diagnostics").to.deep.equal([]);
                const caught = mandatoryViolations(violations).filter((v) => v.policy === policy);
                expect(caught.map((v) => v.message).join("\n"), `${policy} in ${mode}: ${JSON.stringify(violations.map((v) => `${v.policy}: ${v.message}`))}`).to.include(message);
            });
        }
    }

    it("preview: an unknown key reference that depends on no KMS key of the stack is reported, one from a stack key passes", async () => {
        const fromTopic = asNewStackPreview(stackOf({ ...s, logGroup: mutate(s.logGroup, { kmsKeyId: s.topic.state.arn }) }));
        expect(mandatoryViolations(await evaluatePolicies(fromTopic)).map((v) => v.message)).to.deep.equal([
            "kmsKeyId of aws:cloudwatch/logGroup:LogGroup 'pg-logs' is unknown until the update and comes from aws:sns/topic:Topic 'alarms', not a KMS key: it cannot be a customer-managed key of this stack.",
        ]);
        const orphan = asNewStackPreview(stackOf(s)).map((r) => (r.urn === s.logGroup.urn ? { ...r, propertyDependencies: { ...r.propertyDependencies, kmsKeyId: [] } } : r));
        expect(mandatoryViolations(await evaluatePolicies(orphan)).map((v) => v.message)).to.deep.equal([
            "kmsKeyId of aws:cloudwatch/logGroup:LogGroup 'pg-logs' is unknown until the update and comes from no resource of this stack, not a KMS key: it cannot be a customer-managed key of this stack.",
        ]);
        const viaAlias = asNewStackPreview(stackOf({ ...s, logGroup: mutate(s.logGroup, { kmsKeyId: s.alias.state.arn }) }));
        expectNone(await evaluatePolicies(viaAlias));
    });

    it("every mandatory policy of the pack has a fault here", () => {
        const mandatory = policies.filter((p) => p.enforcementLevel === "mandatory").map((p) => p.name);
        expect(FAULTS.map((f) => f.policy).sort()).to.deep.equal(mandatory.sort());
    });
});
