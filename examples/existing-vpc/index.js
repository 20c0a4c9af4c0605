// Two clusters in a hub-and-spoke VPC that another team owns: its subnets, its interface endpoints
// (so neither cluster creates its own, which would clash on private DNS), its application groups.
// "orders" takes the library's production defaults; "reporting" is smaller and has no RDS Proxy.
const pulumi = require("@pulumi/pulumi");
const { AuroraPostgres } = require("@aurora-pulumi/aurora-postgres");

const config = new pulumi.Config();
const network = {
    mode: "existing",
    existingVpcId: config.get("vpcId") ?? "vpc-0a1b2c3d4e5f60789",
    existingDbSubnetIds: config.getObject("dbSubnetIds") ?? [
        "subnet-0aaaaaaaaaaaaaaa1",
        "subnet-0bbbbbbbbbbbbbbb2",
        "subnet-0ccccccccccccccc3",
    ],
    appSecurityGroupIds: config.getObject("appSecurityGroupIds") ?? ["sg-0123456789abcdef0"],
    vpcEndpoints: false,
};
const tags = { Application: "shop", Team: "data-platform", CostCenter: "cc-4711" };

const orders = new AuroraPostgres("orders", {
    namePrefix: "orders",
    region: "eu-west-1",
    isProduction: true,
    tags: { ...tags, Environment: "prod" },
    network,
    secrets: { appUsers: [{ name: "orders_app", access: "readwrite" }] },
    backup: {},
});

// The billing service lives in another stack; its security group may reach orders (database and proxy).
orders.allowClient("billing", config.get("billingSecurityGroupId") ?? "sg-0b111100000000001");

const reporting = new AuroraPostgres("reporting", {
    namePrefix: "reporting",
    region: "eu-west-1",
    tags: { ...tags, Environment: "prod" },
    network,
    cluster: { readerCount: 1, instanceClass: "db.r7g.large" },
    secrets: { appUsers: [{ name: "analyst", access: "readonly" }], proxy: { enabled: false } },
});

exports.ordersWriterEndpoint = orders.outputs.writerEndpoint;
exports.ordersProxyEndpoint = orders.outputs.proxyEndpoint;
exports.reportingWriterEndpoint = reporting.outputs.writerEndpoint;
