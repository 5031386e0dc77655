package io.keelson.store;

/**
 * The closed set of store failures. Each carries etcd's own error text, so that clients which match
 * on messages (as etcd's clientv3 does) behave the same against Keelson.
 */
public enum ErrorCode {
    EMPTY_KEY("etcdserver: key is not provided"),
    REQUEST_TOO_LARGE("etcdserver: request is too large"),
    TOO_MANY_TXN_OPS("etcdserver: too many operations in txn request"),
    DUPLICATE_KEY("etcdserver: duplicate key given in txn request"),
    KEY_NOT_FOUND("etcdserver: key not found"),
    VALUE_PROVIDED("etcdserver: value is provided"),
    LEASE_PROVIDED("etcdserver: lease is provided"),
    LEASE_NOT_FOUND("etcdserver: requested lease not found"),
    LEASE_EXISTS("etcdserver: lease already exists"),
    LEASE_TTL_TOO_LARGE("etcdserver: too large lease TTL"),
    COMPACTED("mvcc: required revision has been compacted"),
    FUTURE_REVISION("mvcc: required revision is a future revision"),
    NO_LEADER("etcdserver: no leader"),
    TIMEOUT("etcdserver: request timed out"),
    STOPPED("etcdserver: server stopped"),
    TOO_MANY_REQUESTS("etcdserver: too many requests"),
    NO_SPACE("etcdserver: mvcc: database space exceeded"),
    INVALID_ARGUMENT("etcdserver: invalid argument"),
    /** MoveLeader sent to a member that is not the leader. */
    NOT_LEADER("etcdserver: not leader"),
    /** MoveLeader to a member that is not in the group. */
    BAD_LEADER_TRANSFEREE("etcdserver: bad leader transferee"),
    LEADER_TRANSFER_TIMEOUT("etcdserver: request timed out, leader transfer took too long"),
    /** A membership change refused because members are down (etcd's strict reconfiguration check). */
    UNHEALTHY("etcdserver: unhealthy cluster"),
    PEER_URL_EXISTS("etcdserver: Peer URLs already exists"),
    MEMBER_NOT_ENOUGH_STARTED("etcdserver: re-configuration failed due to not enough started members"),
    MEMBER_BAD_URLS("etcdserver: given member URLs are invalid"),
    MEMBER_NOT_FOUND("etcdserver: member not found"),
    /** A member that joined before peer addresses could move (an older data directory): remove and add it again. */
    MEMBER_ADDRESS_FIXED("etcdserver: member's peer address cannot be updated: it joined with a fixed address; "
            + "remove the member and add it again"),
    MEMBER_NOT_LEARNER("etcdserver: can only promote a learner member"),
    LEARNER_NOT_READY("etcdserver: can only promote a learner member which is in sync with leader"),
    TOO_MANY_LEARNERS("etcdserver: too many learner members in cluster"),
    ROOT_USER_NOT_EXIST("etcdserver: root user does not exist"),
    ROOT_ROLE_NOT_EXIST("etcdserver: root user does not have root role"),
    USER_ALREADY_EXIST("etcdserver: user name already exists"),
    USER_EMPTY("etcdserver: user name is empty"),
    USER_NOT_FOUND("etcdserver: user name not found"),
    ROLE_ALREADY_EXIST("etcdserver: role name already exists"),
    ROLE_NOT_FOUND("etcdserver: role name not found"),
    ROLE_EMPTY("etcdserver: role name is empty"),
    AUTH_FAILED("etcdserver: authentication failed, invalid user ID or password"),
    PERMISSION_DENIED("etcdserver: permission denied"),
    ROLE_NOT_GRANTED("etcdserver: role is not granted to the user"),
    PERMISSION_NOT_GRANTED("etcdserver: permission is not granted to the role"),
    AUTH_NOT_ENABLED("etcdserver: authentication is not enabled"),
    INVALID_AUTH_TOKEN("etcdserver: invalid auth token"),
    /** The auth state changed between a request's permission check and its apply: a client retries it. */
    AUTH_OLD_REVISION("etcdserver: revision of auth store is old"),
    INVALID_AUTH_MGMT("etcdserver: invalid auth management"),
    /** A watch whose range end is not after its key: etcd refuses to create it. */
    EMPTY_WATCH_RANGE("mvcc: watcher range is empty");

    private final String message;

    ErrorCode(String message) {
        this.message = message;
    }

    /** etcd's error text for this code. */
    public String message() {
        return message;
    }
}
