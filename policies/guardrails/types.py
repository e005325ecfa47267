"""The pulumi-aws resource types the guardrails know (v7 tokens; deprecated V2 aliases too)."""

S3_BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
S3_ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
S3_PUBLIC_ACCESS_BLOCK = ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",)
S3_VERSIONING = ("aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2")
S3_LIFECYCLE = (
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
)
S3_LOGGING = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")
S3_POLICY = ("aws:s3/bucketPolicy:BucketPolicy",)
S3_ACL = ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2")
S3_OWNERSHIP = ("aws:s3/bucketOwnershipControls:BucketOwnershipControls",)

KMS_KEY = "aws:kms/key:Key"
KMS_KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
KINESIS_STREAM = "aws:kinesis/stream:Stream"
FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
LAMBDA_FUNCTION = "aws:lambda/function:Function"
LAMBDA_PERMISSION = "aws:lambda/permission:Permission"
LAMBDA_URL = "aws:lambda/functionUrl:FunctionUrl"
API_STAGE = "aws:apigatewayv2/stage:Stage"
API_ROUTE = "aws:apigatewayv2/route:Route"
GLUE_JOB = "aws:glue/job:Job"
GLUE_CRAWLER = "aws:glue/crawler:Crawler"
GLUE_SECURITY_CONFIGURATION = "aws:glue/securityConfiguration:SecurityConfiguration"
GLUE_CATALOG_ENCRYPTION = "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings"
GLUE_RESOURCE_POLICY = "aws:glue/resourcePolicy:ResourcePolicy"
STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
SCHEDULE = "aws:scheduler/schedule:Schedule"
DOCDB_CLUSTER = "aws:docdb/cluster:Cluster"
DOCDB_GLOBAL_CLUSTER = "aws:docdb/globalCluster:GlobalCluster"
DOCDB_PARAMETER_GROUP = "aws:docdb/clusterParameterGroup:ClusterParameterGroup"
MSK_CLUSTER = "aws:msk/cluster:Cluster"
DMS_INSTANCE = "aws:dms/replicationInstance:ReplicationInstance"
DMS_ENDPOINT = "aws:dms/endpoint:Endpoint"
DMS_S3_ENDPOINT = "aws:dms/s3Endpoint:S3Endpoint"
ATHENA_WORKGROUP = "aws:athena/workgroup:Workgroup"
ATHENA_DATABASE = "aws:athena/database:Database"
SNS_TOPIC = "aws:sns/topic:Topic"
SNS_TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
SQS_QUEUE = "aws:sqs/queue:Queue"
SQS_QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_POLICY = "aws:secretsmanager/secretPolicy:SecretPolicy"
SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
EMR_SERVERLESS_APP = "aws:emrserverless/application:Application"
CLOUDTRAIL = "aws:cloudtrail/trail:Trail"
S3_OBJECT_LOCK = (
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
)
IAM_ROLE = "aws:iam/role:Role"
IAM_POLICY_DOCUMENTS = (
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
)
IAM_ATTACHMENTS = (
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
)
IAM_USER_POLICIES = ("aws:iam/userPolicy:UserPolicy", "aws:iam/userPolicyAttachment:UserPolicyAttachment")

SECURITY_GROUPS = ("aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SECURITY_GROUP_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
# Data stores -> the property naming their security groups (directly or in a nested block).
DATA_STORE_SECURITY_GROUPS = {
    DOCDB_CLUSTER: "vpcSecurityGroupIds",
    MSK_CLUSTER: "brokerNodeGroupInfo",
    "aws:msk/serverlessCluster:ServerlessCluster": "vpcConfigs",
    DMS_INSTANCE: "vpcSecurityGroupIds",
    "aws:rds/cluster:Cluster": "vpcSecurityGroupIds",
    "aws:rds/instance:Instance": "vpcSecurityGroupIds",
    "aws:neptune/cluster:Cluster": "vpcSecurityGroupIds",
    "aws:redshift/cluster:Cluster": "vpcSecurityGroupIds",
    "aws:elasticache/cluster:Cluster": "securityGroupIds",
    "aws:elasticache/replicationGroup:ReplicationGroup": "securityGroupIds",
    "aws:memorydb/cluster:Cluster": "securityGroupIds",
    "aws:opensearch/domain:Domain": "vpcOptions",
}

# Types that take `tags` (kept in sync with pulumi-aws by tests/test_policies_catalog.py).
TAGGABLE = (
    *S3_BUCKETS,
    KMS_KEY,
    KINESIS_STREAM,
    FIREHOSE,
    LAMBDA_FUNCTION,
    API_STAGE,
    "aws:apigatewayv2/api:Api",
    GLUE_JOB,
    GLUE_CRAWLER,
    "aws:glue/catalogDatabase:CatalogDatabase",
    STATE_MACHINE,
    DOCDB_CLUSTER,
    "aws:docdb/clusterInstance:ClusterInstance",
    DOCDB_PARAMETER_GROUP,
    "aws:docdb/subnetGroup:SubnetGroup",
    MSK_CLUSTER,
    DMS_INSTANCE,
    DMS_ENDPOINT,
    DMS_S3_ENDPOINT,
    "aws:dms/replicationTask:ReplicationTask",
    "aws:dms/replicationSubnetGroup:ReplicationSubnetGroup",
    ATHENA_WORKGROUP,
    SNS_TOPIC,
    SQS_QUEUE,
    LOG_GROUP,
    SECRET,
    EMR_SERVERLESS_APP,
    CLOUDTRAIL,
    IAM_ROLE,
    "aws:iam/policy:Policy",
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/routeTable:RouteTable",
    *SECURITY_GROUPS,
    SECURITY_GROUP_INGRESS_RULE,
    *(kind for kind in DATA_STORE_SECURITY_GROUPS if kind not in (DOCDB_CLUSTER, MSK_CLUSTER, DMS_INSTANCE)),
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/eip:Eip",
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "aws:ec2/flowLog:FlowLog",
    METRIC_ALARM,
    "aws:cloudwatch/eventRule:EventRule",
)
