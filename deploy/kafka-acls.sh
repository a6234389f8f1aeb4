#!/usr/bin/env bash
# Adds the Kafka ACLs each Replog service needs, on a cluster with an authorizer (docs/deploy.md,
# "Kafka ACLs", says why each is needed). The same ACLs as deploy/k8s/kafka-users.yaml, for Strimzi.
#
#   deploy/kafka-acls.sh --bootstrap-server kafka-1.internal:9093 --command-config admin.properties
#
# The arguments are passed to every kafka-acls.sh call. Names come from the environment, defaults as in
# deploy/k8s: PREFIX (topics.prefix), SLOT (capture.slot.name), APPLY_GROUP (apply.group.id, one per
# follower: run again with each), SERVE_GROUP (serve.group.id), CAPTURE_PRINCIPAL, APPLY_PRINCIPAL,
# SERVE_PRINCIPAL. KAFKA_ACLS is the kafka-acls.sh to run (default: the one on PATH); PRINT=1 only
# prints the commands.
set -eu

PREFIX=${PREFIX:-shop}
SLOT=${SLOT:-replog_shop}
APPLY_GROUP=${APPLY_GROUP:-replog-follower-eu}
SERVE_GROUP=${SERVE_GROUP:-replog-serve-shop}
CAPTURE_PRINCIPAL=${CAPTURE_PRINCIPAL:-User:replog-capture}
APPLY_PRINCIPAL=${APPLY_PRINCIPAL:-User:replog-apply}
SERVE_PRINCIPAL=${SERVE_PRINCIPAL:-User:replog-serve}

CONNECTION=("$@")
acl() {
    if [ "${PRINT:-0}" = 1 ]; then
        echo kafka-acls.sh --add "$@"
    else
        "${KAFKA_ACLS:-kafka-acls.sh}" --add "$@" "${CONNECTION[@]}"
    fi
}

# capture: writes every topic of the log and creates them (table topics as tables appear), checks an
# existing table topic's partitions and cleanup.policy, reads its Debezium offsets back at start, and
# publishes each batch as one Kafka transaction under replog-capture-<prefix>-<slot>.
acl --allow-principal "$CAPTURE_PRINCIPAL" --operation Create --operation Describe --operation DescribeConfigs --operation Write \
    --topic "$PREFIX." --resource-pattern-type prefixed
acl --allow-principal "$CAPTURE_PRINCIPAL" --operation Read --topic "$PREFIX.capture-offsets"
acl --allow-principal "$CAPTURE_PRINCIPAL" --operation Describe --operation Write --transactional-id "replog-capture-$PREFIX-$SLOT"
acl --allow-principal "$CAPTURE_PRINCIPAL" --operation IdempotentWrite --cluster

# apply: reads the table topics (a pattern subscription), the transactions and heartbeat topics, in
# its group; creates and writes the dead-letter topic (idempotent producer).
acl --allow-principal "$APPLY_PRINCIPAL" --operation Describe --operation Read --topic "$PREFIX." --resource-pattern-type prefixed
acl --allow-principal "$APPLY_PRINCIPAL" --operation Create --operation Write --topic "$PREFIX.dead-letter"
acl --allow-principal "$APPLY_PRINCIPAL" --operation Describe --operation Read --group "$APPLY_GROUP"
acl --allow-principal "$APPLY_PRINCIPAL" --operation IdempotentWrite --cluster

# serve: Kafka Streams with application id serve.group.id: reads the table topics, owns its changelog
# topics and consumer group, and commits exactly once with transactional ids under its application id.
acl --allow-principal "$SERVE_PRINCIPAL" --operation Describe --operation Read --topic "$PREFIX." --resource-pattern-type prefixed
acl --allow-principal "$SERVE_PRINCIPAL" --operation Create --operation Describe --operation DescribeConfigs --operation Read --operation Write \
    --topic "$SERVE_GROUP-" --resource-pattern-type prefixed
acl --allow-principal "$SERVE_PRINCIPAL" --operation Describe --operation Read --group "$SERVE_GROUP"
acl --allow-principal "$SERVE_PRINCIPAL" --operation Describe --operation Write --transactional-id "$SERVE_GROUP-" --resource-pattern-type prefixed
acl --allow-principal "$SERVE_PRINCIPAL" --operation IdempotentWrite --cluster
