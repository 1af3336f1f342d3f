-- Networks each device was seen from, per new-network alert rule.
CREATE TABLE alert_device_network (
    rule       VARCHAR(64)  NOT NULL,
    device_id  VARCHAR(128) NOT NULL,
    network    VARCHAR(64)  NOT NULL,
    first_seen BIGINT       NOT NULL,
    PRIMARY KEY (rule, device_id, network)
);
