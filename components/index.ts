/**
 * The library's public surface: the components, their argument types, and the pure planning
 * functions a caller may want before declaring anything (instance plan, max_connections, alarm plan).
 * Everything else under components/ is internal and may change between minor versions.
 */
export { AuroraPostgres, AuroraPostgresArgs } from "./aurora-postgres";
export {
    ALARM_DEFAULTS,
    BACKUP_DEFAULTS,
    CLUSTER_DEFAULTS,
    GLOBAL_DATABASE_DEFAULTS,
    NETWORK_DEFAULTS,
    SECRETS_DEFAULTS,
    PartialSettings,
} from "./defaults";
export { KmsKeys, KmsKeysArgs, KEY_PURPOSES, KeyPurpose } from "./kms";
export { Network, NetworkArgs, NetworkSettings, NewVpcSettings, ExistingVpcSettings, ENDPOINT_SERVICES } from "./network";
export { AuroraCluster, AuroraClusterArgs, ClusterKeyArns, GlobalSecondary } from "./cluster";
export { GlobalDatabase, GlobalDatabaseArgs, GlobalDatabaseSettings, DR_MODES } from "./global-database";
export { SecretReplica } from "./generated-secrets";
export { ClusterReference, InstanceReference, writerMaxConnections } from "./cluster-reference";
export {
    ClusterSettings,
    ServerlessCapacity,
    ReaderAutoScalingSettings,
    READER_SCALING_METRICS,
    DATABASE_INSIGHTS_MODES,
    PlannedInstance,
    planInstances,
    canAutoPause,
    autoScaledReaderMaxConnections,
} from "./cluster-settings";
export { ReaderAutoScaling, ReaderAutoScalingArgs } from "./reader-autoscaling";
export { Secrets, SecretsArgs } from "./secrets";
export { SecretsSettings, AppUser, AppUserAccess } from "./secrets-settings";
export { DatabaseBootstrap, DatabaseBootstrapArgs } from "./bootstrap";
export { Alarms, AlarmsArgs } from "./alarms";
export { AlarmSpec, InstanceTarget, planAlarms } from "./alarm-plan";
export { AlarmSettings, DEFAULT_RUNBOOK_BASE_URL } from "./alarm-settings";
export { Backup, BackupArgs, BackupSettings } from "./backup";
export { OperatorAccess, OperatorAccessArgs } from "./operator-access";
export { provisionedMaxConnections, serverlessMaxConnections, classMemoryGib, SUPPORTED_MAJORS } from "./aurora-catalog";
export { CLUSTER_PARAMETER_DEFAULTS, INSTANCE_PARAMETER_DEFAULTS } from "./parameters";
