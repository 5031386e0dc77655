package io.keelson.store;

/**
 * One change of one key, as etcd's {@code mvccpb.Event}: a PUT carries the new version, a DELETE a
 * tombstone whose mod revision is the delete revision.
 *
 * @param prevKv the version before the change, or null when the key did not exist
 */
public record Event(Type type, KeyValue kv, KeyValue prevKv) {
    public enum Type { PUT, DELETE }

    public long revision() {
        return kv.modRevision();
    }
}
